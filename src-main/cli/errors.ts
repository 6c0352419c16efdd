// How the CLI words core's typed errors: the exit code of each error code (CLI.md: 1 a check
// failed, 2 bad usage or input, 3 environment problem) and the command that helps next.
import type { CurvekeepError } from '../core/errors.js';

const EXIT_CODES: Readonly<Record<string, 1 | 2 | 3>> = {
  'invalid-key': 2,
  'invalid-input': 2,
  'not-found': 2,
  'duplicate-name': 2,
  refused: 2,
  usage: 2,
  network: 1,
  'keychain-unavailable': 3,
  'keychain-locked': 3,
  'data-folder': 3,
  'store-corrupt': 3,
  'store-tampered': 3,
  'store-rolled-back': 3,
  'store-missing': 3,
  'store-busy': 3,
  'audit-key-missing': 3,
  // The team workspace (core/team/connection.ts).
  'workspace-url': 2,
  'workspace-tls-required': 2,
  'workspace-tls-untrusted': 2,
  'workspace-auth': 2,
  'role-forbidden': 2,
  'workspace-unreachable': 3,
  'workspace-schema': 3,
  // The team workspace's store side (core/team/pg-store.ts).
  'workspace-conflict': 2,
  'not-for-workspace': 2,
  'workspace-signing-key': 3,
  'workspace-not-empty': 2,
};

/**
 * The exit code for a typed error: by its code; else the exit code a CLI-side error carries
 * itself (a command's own phrasing of a core error); else bad usage or input (2).
 */
export function exitCodeFor(error: CurvekeepError): 1 | 2 | 3 {
  const listed = EXIT_CODES[error.code];
  if (listed) return listed;
  const own = (error as { exitCode?: unknown }).exitCode;
  return own === 1 || own === 2 || own === 3 ? own : 2;
}

const NEXT_STEPS: Readonly<Record<string, string>> = {
  'store-tampered': 'review the file, then run `curvekeep store reseal` to accept it',
  'store-rolled-back': 'if you restored it on purpose, review it, then run `curvekeep store reseal` to accept it; otherwise put the newest copy back',
  'store-missing': 'put the document back from a backup, or, to start again with an empty document, run `curvekeep store reseal` (logged)',
  'keychain-locked': 'unlock the keychain (your login keyring) and run the command again',
  'audit-key-missing': 'restore it from a backup of the keychain, or move audit.jsonl aside and run `curvekeep store reseal` to start a new audit chain (logged)',
};

/** The error's message with the command that helps next, for a person at a terminal. */
export function phrase(error: CurvekeepError): string {
  const next = NEXT_STEPS[error.code];
  return next ? `${error.message}; ${next}` : error.message;
}
