/**
 * Synthetic workloads in the spirit of mimalloc-bench, written straight into
 * binary traces so they run through the same replayers as CPython's traces.
 *
 *   glibc-simple   glibc's bench-malloc-simple: for each size class, rounds of
 *                  "allocate a batch of blocks of one size, free them all in
 *                  order" (batches of 25, 100, 400 and 1600), sizes 16 … 4096
 *   larson         Larson & Krishnan's server model as mimalloc-bench runs it
 *                  (larson 8 1000 5000): 5000 slots; each step frees a random
 *                  slot's block and puts a new one of 8 … 1000 bytes there
 *   lifetimes      a long-lived/short-lived mix: every step allocates a
 *                  short-lived block (16 … 256 bytes, freed 1 … 64 steps
 *                  later), every 16th step also a long-lived one (16 … 512
 *                  bytes, kept); at the end 90 % of the long-lived blocks are
 *                  freed in random order — what is left shows who gives memory
 *                  back after fragmentation
 *
 * Each is deterministic (a seeded xorshift generator) and sized by `scale`:
 * scale 1 is about two million records.
 */
import { type BinaryTrace, BinaryTraceBuilder } from '../binaryTrace.js';
import { InvalidArgumentError } from '../../errors.js';

/** The synthetic workloads, by name. */
export const SYNTHETIC_NAMES = ['glibc-simple', 'larson', 'lifetimes'] as const;
export type SyntheticName = (typeof SYNTHETIC_NAMES)[number];

/** xorshift32: a small, fast, seeded generator (the same sequence on every machine). */
class Rng {
  constructor(private s: number) {}
  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return lo + (this.s % (hi - lo + 1));
  }
}

/** Block ids unique among live blocks, the last released reused first (as the recorder's). */
class Ids {
  private free: number[] = [];
  private next = 0;
  take(): number {
    return this.free.pop() ?? this.next++;
  }
  give(id: number): void {
    this.free.push(id);
  }
}

function glibcSimple(scale: number, b: BinaryTraceBuilder): void {
  const sizes = [16, 32, 48, 64, 128, 256, 512, 1024, 4096];
  const batches = [25, 100, 400, 1600];
  const ids = new Ids();
  const target = 2_000_000 * scale;
  const batch: number[] = [];
  let records = 0;
  while (records < target) {
    for (const n of batches) {
      for (const size of sizes) {
        for (let i = 0; i < n; i++) {
          const id = ids.take();
          b.malloc(id, size);
          batch.push(id);
        }
        for (const id of batch) {
          b.free(id);
          ids.give(id);
        }
        records += 2 * n;
        batch.length = 0;
      }
    }
  }
}

function larson(scale: number, b: BinaryTraceBuilder): void {
  const rng = new Rng(4141);
  const slots = Math.max(16, Math.round(5000 * Math.min(1, scale * 4)));
  const slot = new Int32Array(slots).fill(-1);
  const ids = new Ids();
  const steps = 1_000_000 * scale;
  for (let i = 0; i < slots; i++) {
    slot[i] = ids.take();
    b.malloc(slot[i]!, rng.int(8, 1000));
  }
  for (let i = 0; i < steps; i++) {
    const k = rng.int(0, slots - 1);
    b.free(slot[k]!);
    ids.give(slot[k]!);
    slot[k] = ids.take();
    b.malloc(slot[k]!, rng.int(8, 1000));
  }
}

function lifetimes(scale: number, b: BinaryTraceBuilder): void {
  const rng = new Rng(2024);
  const ids = new Ids();
  const steps = Math.round(1_000_000 * scale);
  // dueAt[t % 65]: the short-lived blocks to free at step t (lifetimes 1..64).
  const due: number[][] = Array.from({ length: 65 }, () => []);
  const longLived: number[] = [];
  for (let t = 0; t < steps; t++) {
    const now = due[t % 65]!;
    for (const id of now) {
      b.free(id);
      ids.give(id);
    }
    now.length = 0;
    const id = ids.take();
    b.malloc(id, rng.int(16, 256));
    due[(t + rng.int(1, 64)) % 65]!.push(id);
    if (t % 16 === 0) {
      const keep = ids.take();
      b.malloc(keep, rng.int(16, 512));
      longLived.push(keep);
    }
  }
  for (const list of due) for (const id of list) b.free(id);
  // Free 90 % of the long-lived blocks in random order (Fisher-Yates, then the prefix).
  for (let i = longLived.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [longLived[i], longLived[j]] = [longLived[j]!, longLived[i]!];
  }
  const kill = Math.floor(longLived.length * 0.9);
  for (let i = 0; i < kill; i++) b.free(longLived[i]!);
}

/** Builds the synthetic workload `name` at `scale` (1: about two million records). */
export function syntheticTrace(name: SyntheticName, scale = 1): BinaryTrace {
  if (!(scale > 0)) throw new InvalidArgumentError(`scale must be positive, got ${scale}`);
  const start = performance.now();
  const b = new BinaryTraceBuilder();
  if (name === 'glibc-simple') glibcSimple(scale, b);
  else if (name === 'larson') larson(scale, b);
  else if (name === 'lifetimes') lifetimes(scale, b);
  else throw new InvalidArgumentError(`unknown synthetic workload ${JSON.stringify(name)}: expected ${SYNTHETIC_NAMES.join(', ')}`);
  return b.finish(0, performance.now() - start);
}

/** Whether `name` is a synthetic workload. */
export function isSyntheticName(name: string): name is SyntheticName {
  return (SYNTHETIC_NAMES as readonly string[]).includes(name);
}
