#!/usr/bin/env node
/*
 * The pymem command: `pymem help` lists the commands, `pymem CMD --help`
 * explains one. The commands are modules of lib/cli/ (registry:
 * lib/cli/commands.ts); this file only runs the command line and sets the
 * exit status.
 */
import { runCli } from '../lib/cli/main.js';

// A reader that stops early (`pymem run x.py | head`) closes the pipe: stop quietly, as a filter should.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(process.exitCode ?? 0);
  });
}

process.exitCode = await runCli(process.argv.slice(2));
