#!/usr/bin/env node
/*
 * The pymem command: `pymem help` lists the commands, `pymem CMD --help`
 * explains one. The commands are modules of lib/cli/ (registry:
 * lib/cli/commands.ts); this file only runs the command line and sets the
 * exit status.
 */
import { runCli } from '../lib/cli/main.js';

process.exitCode = await runCli(process.argv.slice(2));
