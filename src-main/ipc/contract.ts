// The contract between the page and the main process: every channel, its argument schema and its
// result schema, merged from one file per area. The renderer imports this file too, so it imports
// nothing but zod and the channel files (no Node modules).
import type { z } from 'zod';
import { appChannels } from './channels/app.js';
import { auditChannels } from './channels/audit.js';
import { keyExportChannels } from './channels/key-exports.js';
import { peersChannels } from './channels/peers.js';
import { settingsChannels } from './channels/settings.js';
import { keysChannels } from './channels/keys.js';
import { provisioningChannels } from './channels/provisioning.js';
import { rotationChannels } from './channels/rotation.js';
import { linksChannels } from './channels/links.js';
import { pinsChannels } from './channels/pins.js';
import { devicesChannels } from './channels/devices.js';
import { statusChannels } from './channels/status.js';
import { changesChannels } from './channels/changes.js';

export const contract = Object.freeze({
  ...appChannels,
  ...auditChannels,
  ...keyExportChannels,
  ...peersChannels,
  ...settingsChannels,
  ...keysChannels,
  ...provisioningChannels,
  ...rotationChannels,
  ...linksChannels,
  ...pinsChannels,
  ...devicesChannels,
  ...statusChannels,
  ...changesChannels,
});

export type Contract = typeof contract;
export type ChannelName = keyof Contract;

/** What the page passes (before defaults and trimming). */
export type ArgsOf<C extends ChannelName> = z.input<Contract[C]['args']>;
/** What a handler receives, after validation. */
export type ParsedArgsOf<C extends ChannelName> = z.output<Contract[C]['args']>;
/** What the page receives. */
export type ResultOf<C extends ChannelName> = z.output<Contract[C]['result']>;

export const CHANNEL_NAMES: ReadonlyArray<ChannelName> = Object.freeze(Object.keys(contract) as ChannelName[]);

export function isChannelName(name: unknown): name is ChannelName {
  return typeof name === 'string' && Object.hasOwn(contract, name);
}
