/*
 * Child of gcPolicies.ts: `node dist/bench/gcPoliciesChild.js <policy> <workload> <n>`
 * runs one workload with the collector on one policy's schedule (automatic
 * collections on, as a program runs) in a fresh process, and prints one JSON
 * line (PolicyReport): every collection's generation, start and duration (a
 * gc.callbacks entry), the objects the collector examined, the heap's peak
 * arena bytes, and the workload's own time.
 *
 *   live     n lists of one int built and kept (`[[a] for _ in range(n)]`),
 *            then dropped; the collections the building sets off
 *   rings    n lists in rings of 10 (each holds the next), each ring dropped
 *            once built: garbage only a collection frees
 *   churn    n / 2 two-list cycles (`a = []; b = [a]; a.append(b)`), each
 *            dropped at once (generation-0 churn)
 *   records  an allocation-heavy object workload: n records, each a dict
 *            {'id': int, 'tags': [str, str], 'prev': the previous record of
 *            its group of 10 (None for the first)}; the last of a group goes
 *            into the first's tags, closing the group into a cycle;
 *            the newest 10,000 are kept in a window (a ring of references)
 *
 * A warm-up of n / 10 runs first under the same policy in another
 * interpreter, for V8's JIT; it is not reported.
 */
import { GC_POLICIES, type GcPolicyName } from '../lib/gc/index.js';
import { type GcModule, Interpreter, installGc } from '../lib/index.js';
import { RING, buildLive, buildRings, churn as churnPairs } from './gcWorkloads.js';
import { nowNs } from './timing.js';

/** The workloads, in table order. */
export const POLICY_WORKLOADS = ['live', 'rings', 'churn', 'records'] as const;
export type PolicyWorkload = (typeof POLICY_WORKLOADS)[number];

/** What the child prints. */
export interface PolicyReport {
  readonly policy: GcPolicyName;
  readonly workload: PolicyWorkload;
  readonly n: number;
  /** ns of the whole workload, collections included. */
  readonly totalNs: number;
  /** Per collection: generation, start (ns since the workload began) and duration (ns). */
  readonly collections: { generation: number; startNs: number; ns: number }[];
  /** Objects the collections examined (update_refs over each collection's objects). */
  readonly examined: number;
  /** Objects found unreachable by the collections. */
  readonly found: number;
  /** arenas_highwater × arena size: the heap's peak in arena bytes. */
  readonly peakArenaBytes: number;
}

const WINDOW = 10_000;

/** The kept lists, built and then dropped. */
function live(interp: Interpreter, n: number): void {
  interp.rt.decref(buildLive(interp, n));
}

/** n lists in rings of RING, each ring dropped once built. */
function rings(interp: Interpreter, n: number): void {
  buildRings(interp, n / RING);
}

/** n / 2 two-list cycles, each dropped at once. */
function churn(interp: Interpreter, n: number): void {
  churnPairs(interp, n / 2);
}

function records(interp: Interpreter, n: number): void {
  const { rt, list, dict } = interp;
  const kId = interp.str.fromString('id');
  const kTags = interp.str.fromString('tags');
  const kPrev = interp.str.fromString('prev');
  const tagA = interp.str.fromString('alpha');
  const tagB = interp.str.fromString('beta');
  const window = new Array<number>(WINDOW).fill(0);
  /** The records of the current group (borrowed: the window holds them). */
  const ring: number[] = [];
  /** The first record's tags list (borrowed). */
  let firstTags = 0;
  const none = interp.singletons.None;
  let prev = 0;
  for (let i = 0; i < n; i++) {
    if (ring.length === 0) {
      rt.xdecref(prev);
      prev = none;
      rt.incref(prev);
    }
    const rec = dict.new();
    const id = interp.long.fromNumber(i + 1000);
    dict.setItem(rec, kId, id);
    rt.decref(id);
    const tags = list.new(0);
    list.append(tags, tagA);
    list.append(tags, tagB);
    dict.setItem(rec, kTags, tags);
    rt.decref(tags);
    dict.setItem(rec, kPrev, prev);
    rt.decref(prev);
    if (ring.length === 0) firstTags = tags;
    ring.push(rec);
    if (ring.length === RING) {
      // The 10th record closes the group: the first's tags reach it, it reaches the first through 'prev'.
      list.append(firstTags, rec);
      ring.length = 0;
    }
    rt.xdecref(window[i % WINDOW]!);
    rt.incref(rec);
    window[i % WINDOW] = rec;
    prev = rec;
  }
  rt.decref(prev);
  for (const r of window) rt.xdecref(r);
  for (const k of [kId, kTags, kPrev, tagA, tagB]) rt.decref(k);
}

const WORKLOADS: Record<PolicyWorkload, (interp: Interpreter, n: number) => void> = { live, rings, churn, records };

/** Runs one workload in a new interpreter of the policy; collections timed by a gc.callbacks entry. */
function runOnce(policy: GcPolicyName, workload: PolicyWorkload, n: number): PolicyReport {
  const interp = new Interpreter({ profile: 'cpython311', gcPolicy: policy });
  try {
    const gc: GcModule = installGc(interp);
    const collections: PolicyReport['collections'] = [];
    let t0 = 0;
    let start = 0;
    let found = 0;
    gc.callbacks.push((phase, info) => {
      if (phase === 'start') {
        start = nowNs();
      } else {
        const end = nowNs();
        collections.push({ generation: info.generation, startNs: start - t0, ns: end - start });
        found += info.collected + info.uncollectable;
      }
    });
    const examined0 = gc.candidates;
    t0 = nowNs();
    WORKLOADS[workload](interp, n);
    const totalNs = nowNs() - t0;
    const s = interp.rt.heap.debugMallocStats();
    return {
      policy,
      workload,
      n,
      totalNs,
      collections,
      examined: gc.candidates - examined0,
      found,
      peakArenaBytes: s.arenasHighwater * s.arenaSize,
    };
  } finally {
    interp.dispose();
  }
}

function main(): void {
  const [policy, workload, nArg] = process.argv.slice(2);
  if (!policy || !(policy in GC_POLICIES) || !POLICY_WORKLOADS.includes(workload as PolicyWorkload)) {
    throw new Error(`usage: gcPoliciesChild.js <${Object.keys(GC_POLICIES).join('|')}> <${POLICY_WORKLOADS.join('|')}> <n>`);
  }
  const n = Number(nArg);
  runOnce(policy as GcPolicyName, workload as PolicyWorkload, Math.max(RING, Math.floor(n / 10)));
  process.stdout.write(`${JSON.stringify(runOnce(policy as GcPolicyName, workload as PolicyWorkload, n))}\n`);
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) main();
