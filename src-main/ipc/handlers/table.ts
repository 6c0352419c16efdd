// The handler table: every channel of the contract mapped to its area's handler. Typed against the
// contract, so a channel without a handler does not compile.
import type { Contract } from '../contract.js';
import { appHandlers } from './app.js';
import { auditHandlers } from './audit.js';
import { keyExportHandlers } from './key-exports.js';
import { peersHandlers } from './peers.js';
import { settingsHandlers } from './settings.js';
import type { AreaHandlers } from './context.js';
import { keysHandlers } from './keys.js';
import { provisioningHandlers } from './provisioning.js';
import { rotationHandlers } from './rotation.js';
import { linksHandlers } from './links.js';
import { pinsHandlers } from './pins.js';
import { devicesHandlers } from './devices.js';
import { statusHandlers } from './status.js';
import { changesHandlers } from './changes.js';

export type HandlerTable = AreaHandlers<Contract>;

export const handlerTable: HandlerTable = Object.freeze({
  ...appHandlers,
  ...auditHandlers,
  ...keyExportHandlers,
  ...peersHandlers,
  ...settingsHandlers,
  ...keysHandlers,
  ...provisioningHandlers,
  ...rotationHandlers,
  ...linksHandlers,
  ...pinsHandlers,
  ...devicesHandlers,
  ...statusHandlers,
  ...changesHandlers,
});
