import type { Command } from 'commander';

export function registerProvision(_program: Command): void {
  // Commands of this area are added by their issue.
}
