// The page's typed door to the main process. In the Electron app it calls through the preload's
// `window.curvekeep`; in a plain browser (the development bridge) it posts to /ipc/CHANNEL with the
// bridge token taken from the page URL. Either way the main process validates every call
// (src-main/ipc/dispatch.ts); this client only types them and turns failures into CallError.
import type { ArgsOf, ChannelName, ResultOf } from '../../src-main/ipc/contract.js';
import {
  BRIDGE_CALL_PATH,
  BRIDGE_TOKEN_HEADER,
  type CallFailure,
  type CallOutcome,
  type CurvekeepBridgeApi,
} from '../../src-main/ipc/transport.js';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a plain browser. */
    readonly curvekeep?: CurvekeepBridgeApi;
  }
}

/** A call that was refused or failed: `code` is stable (e.g. `not-found`), `message` is for the user. */
export class CallError extends Error {
  readonly code: string;
  readonly channel: string;

  constructor(channel: string, failure: CallFailure) {
    super(failure.message);
    this.name = 'CallError';
    this.code = failure.code;
    this.channel = channel;
  }
}

export type Transport = (channel: string, args: unknown) => Promise<CallOutcome<unknown>>;

const TOKEN_PARAM = 'token';
const TOKEN_STORAGE_KEY = 'curvekeep.bridgeToken';

/**
 * The bridge token: read once from `?token=` and then removed from the address bar (and so from
 * history and bookmarks); kept in this tab's sessionStorage so that a reload still works.
 */
export function takeBridgeToken(win: Window = window): string | null {
  const url = new URL(win.location.href);
  const fromUrl = url.searchParams.get(TOKEN_PARAM);
  if (fromUrl) {
    url.searchParams.delete(TOKEN_PARAM);
    win.history.replaceState(win.history.state, '', `${url.pathname}${url.search}${url.hash}`);
    try {
      win.sessionStorage.setItem(TOKEN_STORAGE_KEY, fromUrl);
    } catch {
      // Storage may be off; the token still lives in memory for this page.
    }
    return fromUrl;
  }
  try {
    return win.sessionStorage.getItem(TOKEN_STORAGE_KEY);
  } catch {
    return null;
  }
}

function isOutcome(value: unknown): value is CallOutcome<unknown> {
  if (typeof value !== 'object' || value === null || !('ok' in value)) return false;
  const outcome = value as { ok: unknown; error?: { code?: unknown; message?: unknown } };
  if (outcome.ok === true) return 'result' in value;
  return outcome.ok === false && typeof outcome.error?.code === 'string' && typeof outcome.error.message === 'string';
}

/** Calls over the development bridge's HTTP endpoint. */
export function bridgeTransport(token: string | null, fetchImpl: typeof fetch = fetch): Transport {
  return async (channel, args) => {
    let response: Response;
    try {
      response = await fetchImpl(`${BRIDGE_CALL_PATH}${encodeURIComponent(channel)}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', [BRIDGE_TOKEN_HEADER]: token ?? '' },
        body: JSON.stringify(args ?? {}),
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch {
      return { ok: false, error: { code: 'bridge-unreachable', message: 'the Curvekeep bridge does not answer; is `npm run web` still running?' } };
    }
    const body: unknown = await response.json().catch(() => null);
    if (isOutcome(body)) return body;
    return { ok: false, error: { code: 'bridge-failed', message: `the Curvekeep bridge answered HTTP ${response.status} without a result` } };
  };
}

/** Calls through the Electron preload. */
export function preloadTransport(api: CurvekeepBridgeApi): Transport {
  return (channel, args) => api.call(channel, args);
}

export class ContractClient {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** Runs a call; resolves with its result or rejects with a CallError. */
  async call<C extends ChannelName>(channel: C, args: ArgsOf<C>): Promise<ResultOf<C>> {
    const outcome = await this.#transport(channel, args);
    if (outcome.ok) return outcome.result as ResultOf<C>;
    throw new CallError(channel, outcome.error);
  }

  /** Runs a call and hands back its outcome, for views that show a failure inline. */
  async outcome<C extends ChannelName>(channel: C, args: ArgsOf<C>): Promise<CallOutcome<ResultOf<C>>> {
    return (await this.#transport(channel, args)) as CallOutcome<ResultOf<C>>;
  }
}

/** The client for this page: the preload when running in the app, the bridge otherwise. */
export function createContractClient(win: Window = window): ContractClient {
  const api = win.curvekeep;
  return new ContractClient(api ? preloadTransport(api) : bridgeTransport(takeBridgeToken(win)));
}
