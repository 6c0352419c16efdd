// The handler table: every channel of the contract mapped to its area's handler. Typed against the
// contract, so a channel without a handler does not compile.
import type { Contract } from '../contract.js';
import { appHandlers } from './app.js';
import type { AreaHandlers } from './context.js';
import { keysHandlers } from './keys.js';
import { linksHandlers } from './links.js';
import { pinsHandlers } from './pins.js';

export type HandlerTable = AreaHandlers<Contract>;

export const handlerTable: HandlerTable = Object.freeze({
  ...appHandlers,
  ...keysHandlers,
  ...linksHandlers,
  ...pinsHandlers,
});
