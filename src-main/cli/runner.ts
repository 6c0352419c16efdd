// What every command shares: opening the workspace, `--json` output (exactly one document on
// stdout), human output otherwise, and the exit codes of CLI.md.
import type { Command } from 'commander';
import { CurvekeepError, isCurvekeepError } from '../core/errors.js';
import { exitCodeFor, phrase } from './errors.js';
import type { Workspace } from '../core/workspace.js';
import { STORE_SEAL_ACCOUNT, stateSealAccount } from '../core/store/accounts.js';
import { RowList } from '../core/row-list.js';

export interface GlobalOptions {
  readonly json: boolean;
  readonly home: string;
  /** A team workspace's URL (`--store`), when given. */
  readonly store?: string;
}

/** What a command returns: the JSON document, and the human text for a terminal. */
export interface Outcome {
  readonly json: unknown;
  /** A function when the text costs something to make (a long table): made only without --json. */
  readonly text: string | (() => string);
  /** 0 unless a check ran and failed (1). */
  readonly exitCode?: 0 | 1;
}

export interface CommandContext {
  readonly options: GlobalOptions;
  workspace(): Workspace;
  /** Ends what the workspace holds open (a team workspace's connection). */
  close(): Promise<void>;
  /** Progress and notes for a person: stderr, and only on a TTY. */
  note(line: string): void;
}

export function globalOptions(command: Command, defaultHome: () => string): GlobalOptions {
  const root = command.optsWithGlobals() as { json?: boolean; home?: string; store?: string };
  return { json: Boolean(root.json), home: root.home ?? defaultHome(), ...(root.store ? { store: root.store } : {}) };
}

export class UsageError extends CurvekeepError {
  readonly code = 'usage';
}

/** Set once a RowList's first rows are out: an error after that goes to stderr only (see writeJson). */
let rowsWritten = false;

function report(error: unknown, asJson: boolean): number {
  const json = asJson && !rowsWritten;
  if (isCurvekeepError(error)) {
    const message = phrase(error);
    if (json) process.stdout.write(`${JSON.stringify({ ok: false, error: { code: error.code, message } })}\n`);
    process.stderr.write(`curvekeep: ${message}\n`);
    return exitCodeFor(error);
  }
  // An unexpected failure: its message is printed, never a stack with argument values.
  const message = error instanceof Error ? error.message : String(error);
  if (json) process.stdout.write(`${JSON.stringify({ ok: false, error: { code: 'internal', message } })}\n`);
  process.stderr.write(`curvekeep: internal error: ${message}\n`);
  return 3;
}

/** What an action declares about itself (see `action`). */
export interface ActionOptions {
  /**
   * true: it reads the store, and the keychain items every store read needs (the seal key and the
   * sealed state) are fetched at once, while the command's code loads and the document is read.
   * false: it never opens the data folder (its context has no workspace and no `--home`), so the
   * store and keychain modules are not even loaded. Unset: they are loaded, nothing is fetched.
   * A function decides from the command's options whether to fetch (true) or not (as unset).
   */
  readonly readsStore?: boolean | ((options: Readonly<Record<string, unknown>>) => boolean);
}

const NO_STORE = 'this command declared that it reads no data folder (readsStore: false)';

export async function makeContext(command: Command, actionOptions: ActionOptions = {}): Promise<CommandContext> {
  const json = Boolean((command.optsWithGlobals() as { json?: boolean }).json);
  const note = (line: string): void => {
    if (process.stderr.isTTY && !json) process.stderr.write(`${line}\n`);
  };
  if (actionOptions.readsStore === false) {
    return {
      options: {
        json,
        get home(): string {
          throw new Error(NO_STORE);
        },
      },
      workspace: () => {
        throw new Error(NO_STORE);
      },
      close: async () => undefined,
      note,
    };
  }
  const [{ createWorkspace, closeWorkspace, defaultHome, storeUrlFor }, { OsKeychain, keychainServiceName }] = await Promise.all([import('../core/workspace.js'), import('../keychain/os-keychain.js')]);
  const options = globalOptions(command, defaultHome);
  const keychain = new OsKeychain(keychainServiceName());
  const { readsStore } = actionOptions;
  if (typeof readsStore === 'function' ? readsStore(command.opts()) : readsStore) keychain.prefetch([STORE_SEAL_ACCOUNT, stateSealAccount(options.home)]);
  let workspace: Workspace | undefined;
  return {
    options,
    workspace: () => (workspace ??= createWorkspace(options.home, keychain, undefined, { store: storeUrlFor(options.home, options.store) })),
    close: () => closeWorkspace(workspace),
    note,
  };
}

const NON_ASCII = /[^\t\n\r\x20-\x7e]/;

/**
 * Writes a command's output. Printable ASCII (nearly every output: keys, ids, dates) goes out as
 * latin1, whose bytes are the same and which Node copies instead of encoding (half the time for
 * the megabytes of a fleet's list); anything else as UTF-8.
 */
function writeOut(text: string): void {
  process.stdout.write(text, NON_ASCII.test(text) ? 'utf8' : 'latin1');
}

/** Rows per write of a RowList (see core/row-list.ts): of 20, 50, 100, 250 and 1,000, 100 was fastest. */
const ROWS_PER_WRITE = 100;

/**
 * Writes the JSON document: indented for a person at a terminal, one compact line for a pipe. A
 * RowList goes out a batch of rows at a time, the same bytes as one JSON.stringify of it. Its rows
 * are views of data the store has validated; if making one threw anyway, the output stops there
 * (no closing bracket, no error document after it), and the exit code and stderr say what failed.
 */
function writeJson(value: unknown): void {
  if (process.stdout.isTTY || !(value instanceof RowList)) {
    writeOut(`${JSON.stringify(value, null, process.stdout.isTTY ? 2 : undefined)}\n`);
    return;
  }
  let batch: unknown[] = [];
  let opened = false;
  const flush = (last: boolean): void => {
    const rows = JSON.stringify(batch);
    writeOut(`${opened ? (batch.length ? ',' : '') : '['}${rows.slice(1, -1)}${last ? ']\n' : ''}`);
    opened = rowsWritten = true;
    batch = [];
  };
  for (const row of value as RowList<unknown>) {
    batch.push(row);
    if (batch.length === ROWS_PER_WRITE) flush(false);
  }
  flush(true);
}

/** Wraps a command's action: runs it, prints its outcome, and sets the exit code. */
export function action<A extends unknown[]>(
  run: (context: CommandContext, ...args: A) => Promise<Outcome>,
  actionOptions?: ActionOptions,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const command = args[args.length - 1] as Command;
    let context: CommandContext | undefined;
    rowsWritten = false;
    try {
      context = await makeContext(command, actionOptions);
      const outcome = await run(context, ...args);
      if (context.options.json && outcome.json !== undefined) writeJson(outcome.json);
      else {
        const text = typeof outcome.text === 'function' ? outcome.text() : outcome.text;
        if (text) writeOut(text.endsWith('\n') ? text : `${text}\n`);
      }
      process.exitCode = outcome.exitCode ?? 0;
    } catch (error) {
      process.exitCode = report(error, context?.options.json ?? Boolean((command.optsWithGlobals() as { json?: boolean }).json));
    } finally {
      await context?.close().catch(() => undefined);
    }
  };
}

/** A simple aligned table for human output (a fleet's list is hundreds of thousands of rows). */
export function table(rows: ReadonlyArray<ReadonlyArray<string>>): string {
  if (rows.length === 0) return '';
  const widths = rows[0]!.map(() => 0);
  for (const row of rows) {
    for (let column = 0; column < widths.length; column++) widths[column] = Math.max(widths[column]!, (row[column] ?? '').length);
  }
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n');
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
