// What bin/curvekeep.js runs. A command line names one top-level command; only the module that
// registers it is loaded and registered (a run of `curvekeep test` does not load or register the
// other forty commands). Anything else goes to main.ts, which registers every command: help, a
// word not in the table below (a command added later is found there), or a table entry whose
// module no longer registers that command.
import type { Command } from 'commander';
import { overrideExits, rootProgram, runProgram } from './program.js';

type Register = (program: Command) => void;

/** Top-level command -> the module that registers it (see main.ts for the full list). */
export const REGISTERS: Readonly<Record<string, () => Promise<Register>>> = {
  keys: async () => (await import('./commands/keys.js')).registerKeys,
  peers: async () => (await import('./commands/peers.js')).registerPeers,
  probe: async () => (await import('./commands/link.js')).registerLink,
  test: async () => (await import('./commands/link.js')).registerLink,
  serve: async () => (await import('./commands/link.js')).registerLink,
  sweep: async () => (await import('./commands/link.js')).registerLink,
  pins: async () => (await import('./commands/pins.js')).registerPins,
  rotate: async () => (await import('./commands/rotation.js')).registerRotation,
  schedule: async () => (await import('./commands/rotation.js')).registerRotation,
  provision: async () => (await import('./commands/provision.js')).registerProvision,
  audit: async () => (await import('./commands/audit.js')).registerAudit,
  store: async () => (await import('./commands/store.js')).registerStore,
  doctor: async () => (await import('./commands/doctor.js')).registerDoctor,
  devices: async () => (await import('./commands/devices.js')).registerDevices,
  status: async () => (await import('./commands/status.js')).registerStatus,
  workspace: async () => {
    const [{ registerWorkspace }, { registerWorkspaceStore }] = await Promise.all([import('./commands/workspace.js'), import('./commands/workspace-store.js')]);
    return (program) => {
      registerWorkspace(program);
      registerWorkspaceStore(program.commands.find((c) => c.name() === 'workspace')!);
    };
  },
};

/** The top-level command a command line names, or null (help asked for, or none named). */
export function commandNamed(argv: ReadonlyArray<string>): string | null {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help' || arg === '--') return null;
    if (arg === '--home' || arg === '--store') {
      i += 1; // its value
      continue;
    }
    if (arg.startsWith('-')) continue;
    if (arg === 'help') return null;
    // Help anywhere after the command is the command's own help: still one command.
    return Object.hasOwn(REGISTERS, arg) ? arg : null;
  }
  return null;
}

export async function start(argv: ReadonlyArray<string>): Promise<number> {
  const name = commandNamed(argv);
  if (name !== null) {
    const program = rootProgram();
    (await REGISTERS[name]!())(program);
    if (program.commands.some((c) => c.name() === name)) {
      overrideExits(program);
      return runProgram(program, argv);
    }
  }
  return (await import('./main.js')).main(argv);
}
