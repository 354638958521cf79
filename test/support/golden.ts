/*
 * The values recorded from CPython 3.11.7 (../shared/cpython/golden.json),
 * loaded once for the tests that compare against them. Missing (a checkout
 * without shared/ beside it): null, with one warning; those tests skip the
 * golden comparisons and still run their hard-coded CPython values.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** One case of golden.json's getsizeof catalog. */
export interface GoldenCase {
  expr: string;
  size: number;
  type: string;
  __sizeof__: number;
  gc_tracked: boolean;
  len?: number;
}

/** Where golden.json is expected. */
export const goldenPath = resolve(import.meta.dirname, '../../../shared/cpython/golden.json');

let cached: unknown;

/** golden.json parsed (typed by the caller's view of it), or null when it is missing. */
export function loadGolden<T>(): T | null {
  if (cached === undefined) {
    cached = existsSync(goldenPath) ? JSON.parse(readFileSync(goldenPath, 'utf8')) : null;
    if (cached === null) console.warn(`golden.json not found at ${goldenPath}: the golden comparisons are skipped, the hard-coded CPython values still run`);
  }
  return cached as T | null;
}
