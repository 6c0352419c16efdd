// The one door into the main process. Every call, from the Electron preload or the browser
// bridge, passes here and is checked in this order before its handler runs: the sender (our own
// top frame, or the bridge token), the channel (known to the contract), the arguments (the
// channel's schema). The result is parsed with the channel's result schema on the way out, which
// drops any key the schema does not name, so a secret cannot leave by accident. Failures become
// `{ code, message }`: a CurvekeepError's own, or a generic message without a stack.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';
import { CurvekeepError, isCurvekeepError } from '../core/errors.js';
import { type ChannelName, contract, isChannelName } from './contract.js';
import type { HandlerContext } from './handlers/context.js';
import type { HandlerTable } from './handlers/table.js';
import { type CallFailure, type CallOutcome, ELECTRON_CALL_CHANNEL } from './transport.js';

/** The channel is not in the contract. */
export class UnknownChannelError extends CurvekeepError {
  readonly code = 'unknown-channel';
}

/** The caller is not our own page: another frame, another window, a wrong bridge token. */
export class ForeignSenderError extends CurvekeepError {
  readonly code = 'foreign-sender';
}

/** A bridge call without a token. */
export class TokenRequiredError extends CurvekeepError {
  readonly code = 'token-required';
}

/** The arguments do not match the channel's schema: a bug in the page, not the user's input. */
export class InvalidArgumentsError extends CurvekeepError {
  readonly code = 'invalid-arguments';
}

/** Codes only the dispatcher produces: the call was refused before any handler ran. */
export const REFUSAL_CODES = ['token-required', 'foreign-sender', 'unknown-channel', 'invalid-arguments'] as const;

export const INTERNAL_FAILURE: CallFailure = Object.freeze({
  code: 'internal',
  message: 'Curvekeep could not finish this because of an internal error; please try again, and report it if it persists',
});

/** The frame an Electron call came from, reduced to what the check needs. */
export interface FrameInfo {
  readonly url: string;
  readonly isTopFrame: boolean;
}

/** Who is calling, as the transport saw it. */
export type Sender =
  | { readonly kind: 'electron'; readonly frame: FrameInfo | null; readonly fromAppWindow: boolean }
  | { readonly kind: 'bridge'; readonly token: string | undefined };

/** Whom this dispatcher serves. */
export type TrustedSender =
  /** The app's own page: the top frame of our window, loaded from `appUrl`'s scheme and host. */
  | { readonly kind: 'electron'; readonly appUrl: string }
  /** The browser bridge: whoever holds this run's token. */
  | { readonly kind: 'bridge'; readonly token: string };

function sameOrigin(url: string, appUrl: string): boolean {
  try {
    const a = new URL(url);
    const b = new URL(appUrl);
    // URL.origin is "null" for custom schemes such as app://, so compare scheme and host.
    return a.protocol === b.protocol && a.host === b.host && a.username === '' && a.password === '';
  } catch {
    return false;
  }
}

/** Compares two tokens in constant time, whatever their lengths. */
export function tokensMatch(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected)) && given.length === expected.length;
}

function checkSender(trusted: TrustedSender, sender: Sender): void {
  if (trusted.kind === 'electron') {
    if (sender.kind !== 'electron') throw new ForeignSenderError('this call did not come from the app window');
    if (!sender.fromAppWindow) throw new ForeignSenderError('this call came from a window that is not the app window');
    if (!sender.frame) throw new ForeignSenderError('the calling frame is gone');
    if (!sender.frame.isTopFrame) throw new ForeignSenderError('this call came from a sub-frame, not the app page');
    if (!sameOrigin(sender.frame.url, trusted.appUrl)) throw new ForeignSenderError('this call came from a page that is not the app page');
    return;
  }
  if (sender.kind !== 'bridge') throw new ForeignSenderError('this call did not come through the bridge');
  if (!sender.token) throw new TokenRequiredError('this bridge needs the token printed when it started (open the printed UI link)');
  if (!tokensMatch(sender.token, trusted.token)) throw new ForeignSenderError('wrong bridge token; open the link the bridge printed when it started');
}

const MAX_MESSAGE = 600;

/** Names each bad field and what is wrong with it; zod's messages name expectations, not values. */
function describeIssues(issues: ReadonlyArray<z.core.$ZodIssue>): string {
  const text = issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.map(String).join('.') : 'arguments'}: ${issue.message}`)
    .join('; ');
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}...` : text;
}

function printable(channel: unknown): string {
  const text = typeof channel === 'string' ? channel : typeof channel;
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}...` : text);
}

export interface DispatcherOptions {
  readonly handlers: HandlerTable;
  readonly context: HandlerContext;
  readonly trusted: TrustedSender;
  /** Where refusals and internal errors are noted (never with arguments, results or stacks). */
  readonly log?: (line: string) => void;
}

type AnyHandler = (args: unknown, context: HandlerContext) => Promise<unknown>;

export class Dispatcher {
  readonly #handlers: HandlerTable;
  readonly #context: HandlerContext;
  readonly #trusted: TrustedSender;
  readonly #log: (line: string) => void;

  constructor(options: DispatcherOptions) {
    this.#handlers = options.handlers;
    this.#context = options.context;
    this.#trusted = Object.freeze({ ...options.trusted });
    this.#log = options.log ?? ((line) => process.stderr.write(`curvekeep: ${line}\n`));
  }

  /** Runs one call; never throws. */
  async call(channel: unknown, args: unknown, sender: Sender): Promise<CallOutcome<unknown>> {
    try {
      // The sender first: a stranger learns nothing, not even which channels exist.
      checkSender(this.#trusted, sender);
      if (!isChannelName(channel)) throw new UnknownChannelError(`there is no channel ${printable(channel)}`);
      return { ok: true, result: await this.#run(channel, args) };
    } catch (error) {
      return { ok: false, error: this.#failure(channel, error) };
    }
  }

  async #run(channel: ChannelName, args: unknown): Promise<unknown> {
    const spec = contract[channel];
    const parsedArgs = spec.args.safeParse(args);
    if (!parsedArgs.success) {
      throw new InvalidArgumentsError(`the arguments of ${channel} are not valid: ${describeIssues(parsedArgs.error.issues)}`);
    }
    const handler = this.#handlers[channel] as AnyHandler;
    const raw = await handler(parsedArgs.data, this.#context);
    const parsedResult = spec.result.safeParse(raw);
    if (!parsedResult.success) {
      // Only the paths: the values may be exactly what must not leave.
      const paths = parsedResult.error.issues.slice(0, 5).map((issue) => issue.path.map(String).join('.') || '(result)');
      this.#log(`${channel}: its result does not match the contract at ${paths.join(', ')}; nothing was sent`);
      throw new ResultRefused();
    }
    return parsedResult.data;
  }

  #failure(channel: unknown, error: unknown): CallFailure {
    if (error instanceof ResultRefused) return INTERNAL_FAILURE;
    if (isCurvekeepError(error)) {
      if ((REFUSAL_CODES as ReadonlyArray<string>).includes(error.code)) this.#log(`refused a call to ${printable(channel)}: ${error.message}`);
      return { code: error.code, message: error.message };
    }
    // Unexpected: the error's class and errno code are noted, its message is not, because a
    // library's message may quote the input it choked on.
    const name = error instanceof Error ? error.name : typeof error;
    const errno = (error as NodeJS.ErrnoException | null)?.code;
    this.#log(`internal error in ${printable(channel)}: ${name}${typeof errno === 'string' ? ` (${errno})` : ''}`);
    return INTERNAL_FAILURE;
  }
}

class ResultRefused extends Error {}

// --- Electron ---------------------------------------------------------------------------------

/** The part of Electron's IpcMainInvokeEvent the sender check reads. */
export interface ElectronCallEvent {
  readonly sender: { readonly id: number };
  readonly senderFrame: { readonly url: string; readonly parent: unknown; readonly detached?: boolean } | null;
}

/** The part of Electron's ipcMain used here (kept structural so this file never imports Electron). */
export interface IpcMainLike {
  handle(channel: string, listener: (event: ElectronCallEvent, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export function electronSender(event: ElectronCallEvent, isAppWindow: (webContentsId: number) => boolean): Sender {
  const frame = event.senderFrame;
  return {
    kind: 'electron',
    fromAppWindow: isAppWindow(event.sender.id),
    frame: frame && !frame.detached ? { url: frame.url, isTopFrame: frame.parent === null } : null,
  };
}

/**
 * Registers the single Electron IPC handler. This is the only `ipcMain.handle` of the app: every
 * contract channel travels as the first argument of ELECTRON_CALL_CHANNEL and meets the checks above.
 */
export function handleElectronCalls(ipcMain: IpcMainLike, dispatcher: Dispatcher, isAppWindow: (webContentsId: number) => boolean): () => void {
  ipcMain.handle(ELECTRON_CALL_CHANNEL, (event, channel, args) => dispatcher.call(channel, args, electronSender(event, isAppWindow)));
  return () => ipcMain.removeHandler(ELECTRON_CALL_CHANNEL);
}
