/*
 * The registry of pymem's commands, in the order `pymem help` lists them.
 * A new command is one module exporting a {@link Command} and one line here.
 */
import type { Command } from './command.js';
import { compareCommand } from './compare.js';
import { conformanceCommand } from './conformance.js';
import { demoCommand } from './demo.js';
import { disCommand } from './dis.js';
import { mapCommand } from './map.js';
import { pinsCommand } from './pins.js';
import { recordCommand } from './record.js';
import { replayCommand } from './replay.js';
import { replCommand } from './repl.js';
import { runCommand } from './run.js';

/** Every command, by the order of `pymem help`. */
export const COMMANDS: readonly Command[] = [demoCommand, replayCommand, conformanceCommand, compareCommand, recordCommand, disCommand, runCommand, replCommand, pinsCommand, mapCommand];

/** The command named `name`, or undefined. */
export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}
