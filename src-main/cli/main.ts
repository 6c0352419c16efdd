// The curvekeep command line. Each area registers its commands from its own module; their
// actions load the core lazily, so that help and usage errors stay fast.
import type { Command } from 'commander';
import { overrideExits, rootProgram, runProgram } from './program.js';
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

export function buildProgram(): Command {
  const program = rootProgram();
  for (const register of [registerKeys, registerPeers, registerLink, registerPins, registerRotation, registerProvision, registerAudit, registerStore]) {
    register(program);
  }
  registerDoctor(program);
  registerDevices(program);
  registerStatus(program);
  registerWorkspace(program);
  registerWorkspaceStore(program.commands.find((c) => c.name() === 'workspace')!);
  overrideExits(program);
  return program;
}

export async function main(argv: ReadonlyArray<string>): Promise<number> {
  return runProgram(buildProgram(), argv);
}
