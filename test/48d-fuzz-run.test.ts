// The `pymem run` fuzzer (lib/tools/fuzz/runFuzz.ts): generated programs,
// valid and mutated, end in a normal exit, a Python exception or a
// SyntaxError, never a JavaScript error, and the heap's invariants hold
// after each; the outcomes cover all three; a planted interpreter bug — a
// JavaScript TypeError out of the evaluation loop — is caught.
import { expect, it } from 'vitest';
import { fuzzRun } from '../lib/tools/fuzz/runFuzz.js';
import { Vm } from '../lib/eval/vm.js';

it('seed 1: 800 statements of programs, 2 in 5 mutated, every outcome a Python one', () => {
  const report = fuzzRun({ seed: 1, ops: 800, memory: 'fake' });
  expect(report.failure).toBeNull();
  expect(report.invalid).toBeGreaterThan(0);
  expect(report.errors['exit 0']).toBeGreaterThan(0);
  expect(Object.keys(report.errors).some((k) => k.endsWith('Error') && k !== 'SyntaxError')).toBe(true);
});

it('mutated programs give SyntaxErrors, and the same seed makes the same run', () => {
  const report = fuzzRun({ seed: 3, ops: 600, memory: 'fake', invalidShare: 1 });
  expect(report.failure).toBeNull();
  expect((report.errors.SyntaxError ?? 0) + (report.errors.IndentationError ?? 0)).toBeGreaterThan(0);
  expect(fuzzRun({ seed: 3, ops: 600, memory: 'fake', invalidShare: 1 })).toEqual(report);
});

it('catches a JavaScript error thrown out of the interpreter', () => {
  const real = Vm.prototype.excType;
  Vm.prototype.excType = function (this: Vm, name: string) {
    if (name === 'NameError') throw new TypeError('planted');
    return real.call(this, name);
  };
  try {
    const report = fuzzRun({ seed: 1, ops: 400, memory: 'fake', invalidShare: 0 });
    expect(report.failure?.problem).toContain('planted');
  } finally {
    Vm.prototype.excType = real;
  }
});
