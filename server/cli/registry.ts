import type { Command } from 'commander';

/** Features add their own subcommands here (e.g. `metrics recompute`). */
export const cliCommands: ((program: Command) => void)[] = [];
