// The shape of a channel: a runtime schema for its arguments and one for its result. The result
// schema is applied on the way out as well, so a key the schema does not name never leaves.
import type { z } from 'zod';

export interface ChannelSpec {
  readonly args: z.ZodType;
  readonly result: z.ZodType;
}

export type ChannelSpecs = Readonly<Record<string, ChannelSpec>>;

/** Keeps each channel's literal types while checking the shape. */
export function defineChannels<const T extends ChannelSpecs>(specs: T): T {
  return Object.freeze(specs);
}
