/*
 * Release policies: when pymalloc gives memory back to the OS, beyond
 * CPython's one rule (an arena is unmapped when its last pool empties, unless
 * it is the last arena of usableArenas: bpo-37257). Data on a profile, off by
 * default, so a profile without one (cpython311, classic) is CPython exactly.
 *
 *   releasePoolsAt  n > 0: pages of empty pools inside live arenas go back
 *                   (madvise MADV_DONTNEED), in batches: when n pools of an
 *                   arena have emptied since its last batch, every empty pool
 *                   of it still resident is released. 1 releases each pool as
 *                   it empties; larger n is hysteresis (a pool emptied and
 *                   soon refilled is never released). CPython never does this:
 *                   a pool emptied inside a pinned arena keeps its RSS.
 *
 *     pool (POOL_SIZE), released:
 *     +------ first page ------+------ later pages ------------------+
 *     | header kept (count 0,  | MADV_DONTNEED: read as zero, no RSS  |
 *     | freepools link, arena- |                                      |
 *     | index; szidx = DUMMY)  |                                      |
 *     +------------------------+--------------------------------------+
 *
 *                   The header's page stays (it holds the freepools link);
 *                   szidx becomes DUMMY_SIZE_IDX so that on reuse the header
 *                   is initialised as for a never-used pool (the old free list
 *                   ran through released pages). With one-page pools (classic)
 *                   nothing is released. No list changes order: every block
 *                   goes to the arena and pool it goes to without the
 *                   policy; only inside a released pool used again for its
 *                   old size class are blocks carved in address order, not
 *                   in the order of the free list the release wiped.
 *
 * Measured and not kept as profile data: a bounded cache of empty arenas
 * (keep K wholly free arenas mapped against map/unmap churn). It can only
 * raise RSS, and on the shared traces it saved no measurable time
 * (bench/RESULTS.md, "Release policies"); it stays what it was before, the
 * heap option HeapOptions.arenaRetention.
 *
 * Invariants: releasePoolsAt is an integer in [0, 2^20]; a pool on freepools
 * has szidx DUMMY_SIZE_IDX iff its later pages are released (validate.ts
 * checks the count per arena).
 */
import { InvalidProfileError, describe } from '../errors.js';

/** A release policy as data (a field of {@link Profile}). Omitted fields are 0: off. */
export interface ReleasePolicy {
  /** Release the pages of an arena's empty pools each time this many of them are resident (0: never, as CPython). */
  readonly releasePoolsAt?: number;
}

/** A validated release policy: every field present. */
export interface ResolvedReleasePolicy {
  readonly releasePoolsAt: number;
}

/** CPython's policy: nothing beyond its own rule. */
export const CPYTHON_RELEASE: ResolvedReleasePolicy = Object.freeze({ releasePoolsAt: 0 });

/** The largest value of a field. */
const MAX_FIELD = 2 ** 20;

/** Validates a release policy; InvalidProfileError names the field and what it must be. */
export function resolveReleasePolicy(p: ReleasePolicy | undefined): ResolvedReleasePolicy {
  if (p === undefined) return CPYTHON_RELEASE;
  if (typeof p !== 'object' || p === null) {
    throw new InvalidProfileError(`profile release must be an object, got ${describe(p)}`);
  }
  const field = (name: keyof ReleasePolicy): number => {
    const v = p[name] ?? 0;
    if (!(Number.isInteger(v) && v >= 0 && v <= MAX_FIELD)) {
      throw new InvalidProfileError(`profile release.${name} must be an integer from 0 to ${MAX_FIELD}, got ${describe(v)}`);
    }
    return v;
  };
  const releasePoolsAt = field('releasePoolsAt');
  if (releasePoolsAt === 0) return CPYTHON_RELEASE;
  return Object.freeze({ releasePoolsAt });
}

/** Short name of a policy for reports: '' for CPython's, else '+madvise' (releasePoolsAt 1) or e.g. '+madvise16'. */
export function releasePolicyName(p: ResolvedReleasePolicy): string {
  if (p.releasePoolsAt === 0) return '';
  return p.releasePoolsAt === 1 ? '+madvise' : `+madvise${p.releasePoolsAt}`;
}
