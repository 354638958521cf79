// The Python gc module (lib/gc/gcModule.ts) as CPython 3.11's: thresholds
// and their bad values, enable/disable, get_count, get_objects by
// generation, get_referrers / get_referents, is_tracked / is_finalized,
// freeze / unfreeze / get_freeze_count, gc.callbacks with their info dicts
// (and callbacks that throw), DEBUG_STATS / DEBUG_COLLECTABLE /
// DEBUG_UNCOLLECTABLE output in CPython's wording, DEBUG_SAVEALL into
// gc.garbage, get_stats deltas, and the 'pymem:gc' diagnostics channel.
import diagnosticsChannel from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../lib/errors.js';
import {
  DEBUG_COLLECTABLE,
  DEBUG_LEAK,
  DEBUG_SAVEALL,
  DEBUG_STATS,
  DEBUG_UNCOLLECTABLE,
  GC_CHANNEL_NAME,
  GcModule,
  gcListViolations,
  installGc,
  type GcChannelMessage,
} from '../lib/gc/index.js';
import { Interpreter } from '../lib/objects/interpreter.js';
import { declareObjectStruct, PyObject } from '../lib/objects/layout.js';
import { Py_TPFLAGS_HAVE_GC, type PyTypeObject, type TypeSlots } from '../lib/objects/type.js';

let open: Interpreter[] = [];
function setup(): { interp: Interpreter; gc: GcModule } {
  const interp = new Interpreter({ memory: 'fake' });
  open.push(interp);
  const gc = installGc(interp);
  gc.collect();
  return { interp, gc };
}
afterEach(() => {
  for (const i of open) {
    expect(gcListViolations(i.rt)).toEqual([]);
    i.dispose();
  }
  open = [];
});

/** A self-referencing list, dropped: one unreachable object. */
function selfCycle(interp: Interpreter): number {
  const l = interp.list.new(0);
  interp.list.append(l, l);
  interp.rt.decref(l);
  return l;
}

/** A GC object with one owned slot. */
const LegacyObject = declareObjectStruct({
  name: 'Legacy',
  fields: [
    { name: 'ob_base', type: PyObject, meaning: 'the object header' },
    { name: 'slot', type: 'ptr', meaning: 'an owned reference, or NULL' },
  ],
});
const legacySlot = LegacyObject.field('slot');

/** A one-slot GC type with tp_del (a legacy finalizer). */
function legacyType(interp: Interpreter): PyTypeObject {
  const slots: TypeSlots = {
    name: 'Legacy',
    basicsize: LegacyObject.size,
    itemsize: 0,
    flags: Py_TPFLAGS_HAVE_GC,
    dealloc: (rt, op) => {
      rt.gcUntrack(op);
      rt.xdecref(legacySlot.get(op));
      rt.gcDel(op);
    },
    traverse: (_rt, op, visit) => {
      const v = legacySlot.get(op);
      return v !== 0 ? visit(v) : 0;
    },
    del: () => {},
  };
  return interp.rt.registerType(slots);
}

describe('the gc module', () => {
  it('installs once per interpreter; constants as CPython 3.11', () => {
    const { interp, gc } = setup();
    expect(installGc(interp)).toBe(gc);
    expect([DEBUG_STATS, DEBUG_COLLECTABLE, DEBUG_UNCOLLECTABLE, DEBUG_SAVEALL, DEBUG_LEAK]).toEqual([1, 2, 4, 32, 38]);
    expect(GcModule.DEBUG_LEAK).toBe(38);
    expect(interp.rt.gc.collectGenerations).not.toBeNull();
    expect([gc.isEnabled(), gc.getDebug(), interp.list.size(gc.garbage)]).toEqual([true, 0, 0]);
  });

  it('get_threshold / set_threshold: C ints, omitted ones kept, bad values refused with nothing changed', () => {
    const { gc } = setup();
    expect(gc.getThreshold()).toEqual([700, 10, 10]);
    gc.setThreshold(100);
    expect(gc.getThreshold()).toEqual([100, 10, 10]);
    gc.setThreshold(5, 6, 7);
    expect(gc.getThreshold()).toEqual([5, 6, 7]);
    gc.setThreshold(-5, 3); // PyArg_ParseTuple("i") takes negative ints, as CPython does
    expect(gc.getThreshold()).toEqual([-5, 3, 7]);
    const bad: Array<[unknown[], RegExp]> = [
      [[], /at least 1 argument \(0 given\)/],
      [[1, 2, 3, 4], /at most 3 arguments \(4 given\)/],
      [[1.5], /TypeError: threshold0 must be an integer/],
      [[1, '2'], /TypeError: threshold1 must be an integer/],
      [[NaN], /TypeError/],
      [[2 ** 31], /OverflowError/],
      [[1, 2, -(2 ** 31) - 1], /OverflowError: threshold2/],
    ];
    for (const [args, message] of bad) {
      expect(() => gc.setThreshold(...(args as number[]))).toThrow(InvalidArgumentError);
      expect(() => gc.setThreshold(...(args as number[]))).toThrow(message);
      expect(gc.getThreshold()).toEqual([-5, 3, 7]);
    }
    gc.setThreshold(700, 10, 10);
  });

  it('enable / disable / isenabled, set_debug / get_debug, and collect() argument checks', () => {
    const { gc } = setup();
    gc.disable();
    expect(gc.isEnabled()).toBe(false);
    gc.enable();
    expect(gc.isEnabled()).toBe(true);
    gc.setDebug(DEBUG_LEAK);
    expect(gc.getDebug()).toBe(38);
    gc.setDebug(0);
    expect(() => gc.setDebug(0.5)).toThrow(InvalidArgumentError);
    expect(() => gc.collect(3)).toThrow(/ValueError: invalid generation/);
    expect(() => gc.collect(-1)).toThrow(/ValueError: invalid generation/);
    expect(() => gc.collect(1.5)).toThrow(/TypeError/);
  });

  it('get_objects by generation (not the permanent one), with CPython\'s errors', () => {
    const { interp, gc } = setup();
    gc.disable();
    const [a, b] = [interp.list.new(0), interp.list.new(0)];
    expect(gc.getObjects(0)).toEqual([a, b]);
    gc.collect(0);
    expect([gc.getObjects(0), gc.getObjects(1)]).toEqual([[], [a, b]]);
    expect(gc.getObjects()).toEqual([...gc.getObjects(0), ...gc.getObjects(1), ...gc.getObjects(2)]);
    expect(gc.getObjects(-1)).toEqual(gc.getObjects(null));
    expect(() => gc.getObjects(3)).toThrow('ValueError: generation parameter must be less than the number of available generations (3)');
    expect(() => gc.getObjects(-2)).toThrow('ValueError: generation parameter cannot be negative');
    interp.rt.decref(a);
    interp.rt.decref(b);
  });

  it('get_referents (what tp_traverse visits) and get_referrers (who visits them)', () => {
    const { interp, gc } = setup();
    const { list, tuple, long, rt } = interp;
    gc.disable();
    const big = long.fromNumber(10 ** 12);
    const l = list.new(0);
    const inner = list.new(0);
    list.append(l, big);
    list.append(l, inner);
    const t = tuple.pack([inner, big]);
    expect(gc.getReferents(l)).toEqual([big, inner]);
    expect(gc.getReferents(l, t, big)).toEqual([big, inner, inner, big]); // ints are not GC objects: nothing
    expect(gc.getReferrers(inner).sort()).toEqual([l, t].sort());
    expect(gc.getReferrers(big, inner).sort()).toEqual([l, t].sort());
    expect(gc.getReferrers(l)).toEqual([]);
    // Untracked objects are not searched (t holds only atoms once untracked).
    const atoms = tuple.pack([big]);
    gc.collect();
    expect(gc.isTracked(atoms)).toBe(false);
    expect(gc.getReferrers(big).sort()).toEqual([l, t].sort());
    expect(() => gc.getReferents(0)).toThrow(InvalidArgumentError);
    for (const o of [atoms, t, inner, l, big]) rt.decref(o);
  });

  it('is_tracked and is_finalized', () => {
    const { interp, gc } = setup();
    const { list, long, str, instance, rt } = interp;
    gc.disable();
    const n = long.fromNumber(2 ** 40);
    const s = str.fromString('abc');
    const l = list.new(0);
    expect([gc.isTracked(n), gc.isTracked(s), gc.isTracked(l), gc.isTracked(interp.tuple.empty)]).toEqual([false, false, true, false]);
    const F = instance.defineClass({ name: 'F', del: () => {} });
    const f = instance.new(F);
    instance.setAttr(f, 'self', f);
    expect([gc.isFinalized(f), gc.isFinalized(l), gc.isFinalized(n)]).toEqual([false, false, false]);
    rt.decref(f);
    gc.setDebug(DEBUG_SAVEALL); // keep f around to look at it
    expect(gc.collect()).toBe(1);
    expect(gc.isFinalized(f)).toBe(true);
    gc.setDebug(0);
    interp.list.clear(gc.garbage);
    expect(gc.collect()).toBe(1);
    for (const o of [n, s, l]) rt.decref(o);
  });

  it('freeze / unfreeze / get_freeze_count: frozen objects are out of every collection', () => {
    const { interp, gc } = setup();
    gc.disable();
    const l = selfCycle(interp);
    const tracked = gc.getObjects().length;
    gc.freeze();
    expect([gc.getFreezeCount(), gc.getObjects(), gc.getCount()[0]]).toEqual([tracked, [], 0]);
    expect(gc.collect()).toBe(0);
    expect(gc.getReferrers(l)).toEqual([]);
    gc.unfreeze();
    expect([gc.getFreezeCount(), gc.getObjects(2).length]).toEqual([0, tracked]);
    expect(gc.collect()).toBe(1);
  });

  it('gc.callbacks: "start" and "stop" with the info dict, in order, around manual and automatic collections', () => {
    const { interp, gc } = setup();
    const seen: Array<[string, object]> = [];
    gc.callbacks.push((phase, info) => seen.push([phase, { ...info }]));
    gc.callbacks.push((phase) => seen.push([`second ${phase}`, {}]));
    selfCycle(interp);
    expect(gc.collect(1)).toBe(1);
    expect(seen).toEqual([
      ['start', { generation: 1, collected: 0, uncollectable: 0 }],
      ['second start', {}],
      ['stop', { generation: 1, collected: 1, uncollectable: 0 }],
      ['second stop', {}],
    ]);
    seen.length = 0;
    gc.callbacks.pop();
    gc.setThreshold(2);
    // The first list comes from the free list (the collected one): not counted.
    const keep = [interp.list.new(0), interp.list.new(0), interp.list.new(0)];
    expect(seen).toEqual([]);
    keep.push(interp.list.new(0));
    expect(seen).toEqual([
      ['start', { generation: 0, collected: 0, uncollectable: 0 }],
      ['stop', { generation: 0, collected: 0, uncollectable: 0 }],
    ]);
    gc.setThreshold(700);
    for (const o of keep) interp.rt.decref(o);
  });

  it('a callback that throws is reported as unraisable and the others still run; collect() inside a collection is 0', () => {
    const { interp, gc } = setup();
    const nested: number[] = [];
    const ran: string[] = [];
    gc.callbacks.push(function failing() {
      throw new Error('callback failed');
    });
    gc.callbacks.push((phase) => {
      ran.push(phase);
      nested.push(gc.collect());
    });
    selfCycle(interp);
    expect(gc.collect()).toBe(1);
    expect([ran, nested]).toEqual([['start', 'stop'], [0, 0]]);
    expect(gc.unraisable.map((u) => [(u.error as Error).message, u.objectRepr])).toEqual([
      ['callback failed', '<gc callback failing>'],
      ['callback failed', '<gc callback failing>'],
    ]);
    expect(gc.unraisable).toBe(interp.rt.unraisable);
  });

  it('DEBUG_STATS, DEBUG_COLLECTABLE and DEBUG_UNCOLLECTABLE print what CPython prints', () => {
    const { interp, gc } = setup();
    const { rt } = interp;
    gc.disable();
    let out = '';
    gc.stderr = (text) => {
      out += text;
    };
    const keep = interp.list.new(0);
    const l = selfCycle(interp);
    const Legacy = legacyType(interp);
    const x = rt.gcNew(Legacy);
    legacySlot.set(x, 0);
    rt.gcTrack(x);
    const y = interp.list.new(0);
    interp.list.append(y, x);
    legacySlot.set(x, y); // x takes over our reference to y
    rt.decref(x);
    gc.setDebug(DEBUG_STATS | DEBUG_COLLECTABLE | DEBUG_UNCOLLECTABLE);
    expect(gc.collect()).toBe(3);
    const hex = (op: number) => `0x${op.toString(16)}`;
    const lines = out.split('\n');
    expect(lines.slice(0, 3)).toEqual([
      'gc: collecting generation 2...',
      `gc: objects in each generation: 4 0 1`,
      'gc: objects in permanent generation: 0',
    ]);
    expect(lines.slice(3, 6)).toEqual([`gc: collectable <list ${hex(l)}>`, `gc: uncollectable <Legacy ${hex(x)}>`, `gc: uncollectable <list ${hex(y)}>`]);
    expect(lines[6]).toMatch(/^gc: done, 3 unreachable, 2 uncollectable, \d+\.\d{4}s elapsed$/);
    expect(lines.slice(7)).toEqual(['']);
    // The stats lines come alone under DEBUG_STATS.
    out = '';
    gc.setDebug(DEBUG_STATS);
    gc.collect(0);
    expect(out).toMatch(/^gc: collecting generation 0\.\.\.\ngc: objects in each generation: 0 0 4\ngc: objects in permanent generation: 0\ngc: done, 0 unreachable, 0 uncollectable, \d+\.\d{4}s elapsed\n$/);
    gc.setDebug(0);
    interp.list.clear(gc.garbage);
    // Break the uncollectable cycle by hand: both go.
    legacySlot.set(x, 0);
    rt.decref(y);
    expect(gc.getObjects().length).toBe(2);
    rt.decref(keep);
    expect(() => {
      gc.stderr = 'no' as unknown as (text: string) => void;
    }).toThrow(InvalidArgumentError);
  });

  it('DEBUG_SAVEALL: every unreachable object goes to gc.garbage instead of being cleared', () => {
    const { interp, gc } = setup();
    const { list, tuple, rt } = interp;
    gc.disable();
    gc.setDebug(DEBUG_SAVEALL);
    const l = list.new(0);
    const t = tuple.pack([l]);
    list.append(l, t);
    rt.decref(l);
    rt.decref(t);
    expect(gc.collect()).toBe(2);
    expect(gc.garbageItems().sort()).toEqual([l, t].sort());
    expect([list.size(l), rt.refcnt(l), rt.refcnt(t)]).toEqual([1, 2, 2]);
    expect(gc.collect()).toBe(0);
    gc.setDebug(0);
    list.clear(gc.garbage);
    expect(gc.collect()).toBe(2);
  });

  it('get_stats: per-generation collections, collected and uncollectable, as deltas', () => {
    const { interp, gc } = setup();
    gc.disable();
    const before = gc.getStats();
    for (let i = 0; i < 10; i++) selfCycle(interp);
    gc.collect(0);
    gc.collect(1);
    gc.collect(1);
    const after = gc.getStats();
    const delta = after.map((s, g) => ({
      collections: s.collections - before[g]!.collections,
      collected: s.collected - before[g]!.collected,
      uncollectable: s.uncollectable - before[g]!.uncollectable,
    }));
    expect(delta).toEqual([
      { collections: 1, collected: 10, uncollectable: 0 },
      { collections: 2, collected: 0, uncollectable: 0 },
      { collections: 0, collected: 0, uncollectable: 0 },
    ]);
    after[0]!.collections = -1;
    expect(gc.getStats()[0]!.collections).not.toBe(-1);
  });

  it("publishes 'start' and 'stop' on the 'pymem:gc' diagnostics channel", () => {
    const { interp, gc } = setup();
    const got: GcChannelMessage[] = [];
    const listener = (message: unknown) => {
      if ((message as GcChannelMessage).source === gc) got.push(message as GcChannelMessage);
    };
    diagnosticsChannel.subscribe(GC_CHANNEL_NAME, listener);
    try {
      selfCycle(interp);
      gc.collect();
      gc.setThreshold(1);
      const keep = [interp.list.new(0), interp.list.new(0), interp.list.new(0)];
      gc.setThreshold(700);
      for (const o of keep) interp.rt.decref(o);
    } finally {
      diagnosticsChannel.unsubscribe(GC_CHANNEL_NAME, listener);
    }
    expect(got.map((m) => [m.phase, m.generation, m.collected, m.uncollectable, m.automatic])).toEqual([
      ['start', 2, 0, 0, false],
      ['stop', 2, 1, 0, false],
      ['start', 0, 0, 0, true],
      ['stop', 0, 0, 0, true],
    ]);
    expect(got[1]!.counts).toEqual([0, 0, 0]);
    expect(got[1]!.durationMs).toBeGreaterThanOrEqual(0);
  });
});
