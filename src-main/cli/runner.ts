// What every command shares: opening the workspace, `--json` output (exactly one document on
// stdout), human output otherwise, and the exit codes of CLI.md.
import type { Command } from 'commander';
import { CurvekeepError, isCurvekeepError } from '../core/errors.js';
import { exitCodeFor, phrase } from './errors.js';
import { type Workspace, closeWorkspace, createWorkspace, defaultHome, storeUrlFor } from '../core/workspace.js';
import { OsKeychain } from '../keychain/os-keychain.js';
import { keychainServiceName } from '../keychain/os-keychain.js';

export interface GlobalOptions {
  readonly json: boolean;
  readonly home: string;
  /** A team workspace's URL (`--store`), when given. */
  readonly store?: string;
}

/** What a command returns: the JSON document, and the human text for a terminal. */
export interface Outcome {
  readonly json: unknown;
  readonly text: string;
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

export function globalOptions(command: Command): GlobalOptions {
  const root = command.optsWithGlobals() as { json?: boolean; home?: string; store?: string };
  return { json: Boolean(root.json), home: root.home ?? defaultHome(), ...(root.store ? { store: root.store } : {}) };
}

export class UsageError extends CurvekeepError {
  readonly code = 'usage';
}

function report(error: unknown, json: boolean): number {
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

export function makeContext(command: Command): CommandContext {
  const options = globalOptions(command);
  let workspace: Workspace | undefined;
  return {
    options,
    workspace: () => (workspace ??= createWorkspace(options.home, new OsKeychain(keychainServiceName()), undefined, { store: storeUrlFor(options.home, options.store) })),
    close: () => closeWorkspace(workspace),
    note: (line) => {
      if (process.stderr.isTTY && !options.json) process.stderr.write(`${line}\n`);
    },
  };
}

/** Wraps a command's action: runs it, prints its outcome, and sets the exit code. */
export function action<A extends unknown[]>(
  run: (context: CommandContext, ...args: A) => Promise<Outcome>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const command = args[args.length - 1] as Command;
    const context = makeContext(command);
    try {
      const outcome = await run(context, ...args);
      // Indented for a person at a terminal; one compact line for a pipe (large lists stay fast).
      if (context.options.json && outcome.json !== undefined) process.stdout.write(`${JSON.stringify(outcome.json, null, process.stdout.isTTY ? 2 : undefined)}\n`);
      else if (outcome.text) process.stdout.write(outcome.text.endsWith('\n') ? outcome.text : `${outcome.text}\n`);
      process.exitCode = outcome.exitCode ?? 0;
    } catch (error) {
      process.exitCode = report(error, context.options.json);
    } finally {
      await context.close().catch(() => undefined);
    }
  };
}

/** A simple aligned table for human output. */
export function table(rows: ReadonlyArray<ReadonlyArray<string>>): string {
  if (rows.length === 0) return '';
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n');
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
