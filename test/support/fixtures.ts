/*
 * Where the tests find data recorded from CPython 3.11.7: fixtures/ of this
 * repository (vendored: fixtures/README.md says what and how), so a clone
 * with nothing beside it runs every test.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository's fixtures/ directory. */
export const fixturesDir = resolve(import.meta.dirname, '../../fixtures');

/** The path of a vendored fixture (relative to fixtures/); throws naming it when it is missing. */
export function fixturePath(rel: string): string {
  const p = join(fixturesDir, rel);
  if (!existsSync(p)) throw new Error(`fixture ${rel} is missing from ${fixturesDir}: see fixtures/README.md`);
  return p;
}
