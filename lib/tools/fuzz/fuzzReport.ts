/*
 * What every fuzz target reports, and the pieces they share: the
 * disagreement that stops a run, the check that an invalid call was refused
 * properly, and how a value reads in a call. A run is reproduced by its
 * seed and operation number alone.
 */
import { PymemError } from '../../errors.js';

/** What a run did and, if it found one, the first disagreement. */
export interface FuzzReport {
  seed: number;
  ops: number;
  invalid: number;
  /** Errors thrown by invalid calls, by class name (for `run`: outcomes of programs, by kind). */
  errors: Record<string, number>;
  /** Most blocks (objects, handles) live at once. */
  peakLive: number;
  failure: { op: number; call: string; problem: string } | null;
}

/** A fresh report for a run of `seed`. */
export function newReport(seed: number): FuzzReport {
  return { seed, ops: 0, invalid: 0, errors: {}, peakLive: 0, failure: null };
}

/** What the model and the thing under test disagree on; the first one stops a run. */
export class Disagreement extends Error {}

/** Throws a Disagreement. */
export function fail(problem: string): never {
  throw new Disagreement(problem);
}

/**
 * Checks what an invalid call threw: a PymemError (never another error, never
 * nothing) whose message names what was passed (no "undefined undefined" or
 * "[object Object]"); counts it by class name in the report.
 */
export function checkRefusal(report: FuzzReport, threw: unknown): void {
  report.invalid++;
  if (threw === null) fail('accepted without an error');
  if (!(threw instanceof PymemError)) fail(`threw ${(threw as Error)?.name ?? typeof threw} instead of a PymemError: ${String((threw as Error)?.message ?? threw)}`);
  if (/undefined undefined|\[object Object\]/.test(threw.message)) fail(`unclear message: ${threw.message}`);
  report.errors[threw.name] = (report.errors[threw.name] ?? 0) + 1;
}

/** Runs f and returns what it threw (null: nothing). */
export function thrownBy(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return null;
}

/** Records a run's end in the report: a Disagreement as found, anything else as a valid call that threw. */
export function recordFailure(report: FuzzReport, call: string, e: unknown): void {
  if (e instanceof Disagreement) report.failure = { op: report.ops, call, problem: e.message };
  else report.failure = { op: report.ops, call, problem: `valid call threw ${(e as Error)?.name}: ${(e as Error)?.message}` };
}

/** A value as it reads in a call, for the report. */
export function show(v: unknown): string {
  if (typeof v === 'symbol') return v.toString();
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'function') return 'function';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'object' && v !== null) return Array.isArray(v) ? '[]' : '{}';
  return String(v);
}
