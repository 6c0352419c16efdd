// How a call travels between the page and the main process. Shared by the preload, the main
// process, the browser bridge and the renderer's contract client, so it imports nothing.

/** The one Electron IPC channel: every contract call goes through it to dispatch.ts. */
export const ELECTRON_CALL_CHANNEL = 'curvekeep:call';

/** The browser bridge answers `POST BRIDGE_CALL_PATH + CHANNEL` with the JSON arguments as body. */
export const BRIDGE_CALL_PATH = '/ipc/';

/** The per-run bridge token travels in this header (lower case: Node reports headers so). */
export const BRIDGE_TOKEN_HEADER = 'x-curvekeep-token';

/** What a failed call carries back: a stable code and a message for the user, never a stack. */
export interface CallFailure {
  readonly code: string;
  readonly message: string;
}

export type CallOutcome<T> = { readonly ok: true; readonly result: T } | { readonly ok: false; readonly error: CallFailure };

/** The object the preload exposes as `window.curvekeep`. */
export interface CurvekeepBridgeApi {
  /** The app's version. */
  readonly version: string;
  call(channel: string, args: unknown): Promise<CallOutcome<unknown>>;
}
