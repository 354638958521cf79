/*
 * vitest's global setup: compiles the library into dist/ (tsc -p
 * tsconfig.json) before any test runs, so the tests that must run compiled
 * JavaScript (the CLI spawned as `node dist/bin/pymem.js`, a worker thread,
 * compare's child processes) run the sources under test, never a stale
 * build. dist/ is emptied first, so a module deleted from the sources is
 * gone from dist/ too (and from the package test's tarball). A compile
 * error fails the run here, with tsc's output.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Where the compiled library lands. */
export const root = resolve(import.meta.dirname, '../..');

export default function setup(): void {
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  const r = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tsc -p tsconfig.json failed, so dist/ would not be the code under test:\n${r.stdout}${r.stderr}`);
}
