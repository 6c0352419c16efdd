// The root of the command line (name, global options, error handling) and running it: shared by
// main.ts (every command registered) and start.ts (the one command a command line names).
import { existsSync, readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';

function version(): string {
  // Built, this file is dist/main/cli/program.js; run from source (tests), src-main/cli/program.ts.
  const built = new URL('../../../package.json', import.meta.url);
  const file = existsSync(built) ? built : new URL('../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

/** The program before any command is registered. */
export function rootProgram(): Command {
  return new Command('curvekeep')
    .description('Key manager for CurveZMQ links and TLS certificate pins')
    .version(version())
    .option('--json', 'print exactly one JSON document on stdout')
    .option('--home <dir>', 'data folder (default: $CURVEKEEP_HOME or the app\'s data folder)')
    .option('--store <url>', 'a team workspace: postgres://LOGIN@HOST/DB?sslmode=verify-full&sslrootcert=CA (default: $CURVEKEEP_STORE, else the local data folder)')
    .showHelpAfterError()
    .exitOverride();
}

/** Makes every registered command throw instead of exiting (main turns that into an exit code). */
export function overrideExits(command: Command): void {
  command.exitOverride();
  command.commands.forEach(overrideExits);
}

/** Parses and runs a command line; returns the exit code. */
export async function runProgram(program: Command, argv: ReadonlyArray<string>): Promise<number> {
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are not errors; everything else commander refuses is bad usage.
      return error.exitCode === 0 ? 0 : 2;
    }
    throw error;
  }
}
