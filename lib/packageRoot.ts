/*
 * Where pymem's own files are: the directory of its package.json, found
 * from this module upwards (lib/ in the sources, dist/lib/ when built,
 * node_modules/pymem/dist/lib/ when installed). The one copy of this search;
 * the addon loader, the trace cache, the compare tool and the CLI use it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PymemError } from './errors.js';

let root: string | undefined;

/** The directory holding pymem's package.json (the first one above this module whose name is pymem). */
export function packageRoot(): string {
  if (root !== undefined) return root;
  const here = fileURLToPath(import.meta.url);
  let dir = dirname(here);
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name === 'pymem') return (root = dir);
    const parent = dirname(dir);
    if (parent === dir) throw new PymemError(`no package.json of pymem above ${here}`);
    dir = parent;
  }
}

/** pymem's version, from its package.json. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}
