// The status area's messages: failures of contract calls (their stable code and message) and
// short confirmations ("Saved ..."). Views report here; App.svelte shows them in a live region.
import { CallError } from './contract-client.js';
import { plainError } from './plain-errors.js';

export interface StatusMessage {
  readonly id: number;
  /** error: a failure; warn: done only in part (e.g. some rows failed); info: done. Its colour follows. */
  readonly kind: 'error' | 'warn' | 'info';
  /** The contract's error code (e.g. `not-found`), or null for a confirmation; kept as data, never shown. */
  readonly code: string | null;
  readonly text: string;
}

const MAX_MESSAGES = 5;
/** Confirmations leave by themselves, so they do not pile up over the view; errors stay until dismissed. */
const INFO_SHOWN_MS = 10_000;

/** An error's code and raw message, whatever threw it. For the user's eyes use plainError (lib/plain-errors.ts). */
export function describeError(error: unknown): { readonly code: string; readonly message: string } {
  if (error instanceof CallError) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: 'page-error', message: error.message };
  return { code: 'page-error', message: String(error) };
}

export class StatusCenter {
  messages = $state<ReadonlyArray<StatusMessage>>([]);
  #next = 1;

  #push(message: Omit<StatusMessage, 'id'>): number {
    const id = this.#next++;
    this.messages = [...this.messages, { ...message, id }].slice(-MAX_MESSAGES);
    return id;
  }

  error(error: unknown, doing?: string): void {
    const { code } = describeError(error);
    this.#push({ kind: 'error', code, text: plainError(error, doing) });
  }

  info(text: string): void {
    const id = this.#push({ kind: 'info', code: null, text });
    setTimeout(() => this.dismiss(id), INFO_SHOWN_MS);
  }

  /** Something finished only in part ("1 done, 164 failed"): amber, never the success colour; stays until dismissed. */
  warn(text: string): void {
    this.#push({ kind: 'warn', code: null, text });
  }

  dismiss(id: number): void {
    this.messages = this.messages.filter((m) => m.id !== id);
  }

  clear(): void {
    this.messages = [];
  }
}
