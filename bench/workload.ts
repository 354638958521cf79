/*
 * The seeded workloads of p2: the same pseudo-random sizes and the same
 * free order for every contestant (and for the C++ floor, which takes them as
 * Uint32Arrays), so they all do exactly the same work.
 */

/** Marsaglia's xorshift32: a seeded stream of uint32 (never 0 for a non-zero seed). */
export function xorshift32(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

/** Seeds of the p2 workload (any fixed values do). */
export const SIZE_SEED = 0x9e3779b9;
export const ORDER_SEED = 0x2545f491;

/** `n` request sizes uniform in [1, maxSize]. */
export function mixedSizes(n: number, maxSize = 512, seed = SIZE_SEED): Uint32Array {
  const next = xorshift32(seed);
  const sizes = new Uint32Array(n);
  for (let i = 0; i < n; i++) sizes[i] = 1 + (next() % maxSize);
  return sizes;
}

/** A uniformly shuffled permutation of [0, n) (Fisher–Yates). */
export function permutation(n: number, seed = ORDER_SEED): Uint32Array {
  const next = xorshift32(seed);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = next() % (i + 1);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}
