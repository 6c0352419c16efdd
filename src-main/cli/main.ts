// The curvekeep command line. Each area registers its commands from its own module; their
// actions load the core lazily, so that help and usage errors stay fast.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerKeys } from './commands/keys.js';
import { registerPeers } from './commands/peers.js';
import { registerStore } from './commands/store.js';
import { registerLink } from './commands/link.js';
import { registerPins } from './commands/pins.js';
import { registerRotation } from './commands/rotation.js';
import { registerProvision } from './commands/provision.js';
import { registerAudit } from './commands/audit.js';
import { registerDoctor } from './commands/doctor.js';
import { registerDevices } from './commands/devices.js';
import { registerStatus } from './commands/status.js';
import { registerWorkspace } from './commands/workspace.js';
import { registerWorkspaceStore } from './commands/workspace-store.js';

function version(): string {
  return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

export function buildProgram(): Command {
  const program = new Command('curvekeep')
    .description('Key manager for CurveZMQ links and TLS certificate pins')
    .version(version())
    .option('--json', 'print exactly one JSON document on stdout')
    .option('--home <dir>', 'data folder (default: $CURVEKEEP_HOME or the app\'s data folder)')
    .option('--store <url>', 'a team workspace: postgres://LOGIN@HOST/DB?sslmode=verify-full&sslrootcert=CA (default: $CURVEKEEP_STORE, else the local data folder)')
    .showHelpAfterError()
    .exitOverride();
  for (const register of [registerKeys, registerPeers, registerLink, registerPins, registerRotation, registerProvision, registerAudit, registerStore]) {
    register(program);
  }
  registerDoctor(program);
  registerDevices(program);
  registerStatus(program);
  registerWorkspace(program);
  registerWorkspaceStore(program.commands.find((c) => c.name() === 'workspace')!);
  const override = (command: Command): void => {
    command.exitOverride();
    command.commands.forEach(override);
  };
  override(program);
  return program;
}

export async function main(argv: ReadonlyArray<string>): Promise<number> {
  const program = buildProgram();
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
