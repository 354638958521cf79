/*
 * The values recorded from CPython 3.11.7 (fixtures/golden.json, vendored
 * from the shared recording: fixtures/README.md), loaded once for the tests
 * that compare against them. The file is part of the repository, so a
 * missing one is an error, not a reason to skip.
 */
import { readFileSync } from 'node:fs';
import { fixturePath } from './fixtures.js';

/** One case of golden.json's getsizeof catalog. */
export interface GoldenCase {
  expr: string;
  size: number;
  type: string;
  __sizeof__: number;
  gc_tracked: boolean;
  len?: number;
}

/** Where golden.json is. */
export const goldenPath = fixturePath('golden.json');

let cached: unknown;

/** golden.json parsed (typed by the caller's view of it). The `| null` stays for the callers' guards; it is never null. */
export function loadGolden<T>(): T | null {
  if (cached === undefined) cached = JSON.parse(readFileSync(goldenPath, 'utf8'));
  return cached as T;
}
