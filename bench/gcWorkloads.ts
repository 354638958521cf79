/*
 * The list workloads of the collector's benchmarks, at pymem's C-API level,
 * shared by gcChild.ts (gc against CPython) and gcPoliciesChild.ts (the
 * policies side by side). Each mirrors a line of Python; references follow
 * CPython's rules (setItem steals, append does not).
 */
import type { Interpreter } from '../lib/index.js';

/** The int every list of `live` holds, beyond the small-int cache as CPython's `a = 1000`. */
export const A = 1000;
/** Lists per ring in `rings`. */
export const RING = 10;

/** `[[a] for _ in repeat(None, n)]`: a new reference to the outer list. */
export function buildLive(interp: Interpreter, n: number): number {
  const { rt, list } = interp;
  const a = interp.long.fromNumber(A);
  const xs = list.new(0);
  for (let i = 0; i < n; i++) {
    const l = list.new(1);
    rt.incref(a);
    list.setItem(l, 0, a);
    list.append(xs, l);
    rt.decref(l);
  }
  rt.decref(a);
  return xs;
}

/**
 * k rings of RING lists, all dropped: per ring `head = [None]`, RING - 1
 * times `x = [x]`, then `head[0] = x` (setItem steals each reference).
 */
export function buildRings(interp: Interpreter, k: number): void {
  const { rt, list } = interp;
  const none = interp.singletons.None;
  for (let r = 0; r < k; r++) {
    const head = list.new(1);
    rt.incref(none);
    list.setItem(head, 0, none);
    rt.incref(head);
    let x = head;
    for (let i = 1; i < RING; i++) {
      const y = list.new(1);
      list.setItem(y, 0, x);
      x = y;
    }
    list.setItem(head, 0, x);
    rt.decref(head);
  }
}

/** k times `a = []; b = [a]; a.append(b)`, each pair dropped at once: k garbage cycles. */
export function churn(interp: Interpreter, k: number): void {
  const { rt, list } = interp;
  for (let i = 0; i < k; i++) {
    const a = list.new(0);
    const b = list.new(1);
    rt.incref(a);
    list.setItem(b, 0, a);
    list.append(a, b);
    rt.decref(a);
    rt.decref(b);
  }
}
