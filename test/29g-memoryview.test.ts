// memoryview and its managed buffer (lib/objects/types/memoryobject.ts) at
// the C-API level: the sizes and references CPython 3.11 has (a 184-byte
// view after a 128-byte managed buffer; the managed buffer holds the
// exporter, a view borrows it), bytes read-only and bytearray writable,
// slices sharing the managed buffer, release, a bytearray that cannot be
// resized while exported, struct validation — and a property test of
// views, slices, releases and drops against a model of who holds what.
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PyException } from '../lib/objects/text/pyException.js';
import { Interpreter } from '../lib/objects/interpreter.js';

let py: Interpreter;
beforeEach(() => {
  py = new Interpreter({ profile: 'cpython311' });
});
afterEach(() => py.dispose());

/** The Python exception type and message a call raises. */
function pyError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof PyException) return `${e.type}: ${e.message}`;
    throw e;
  }
  return 'no error';
}

describe('memoryview of bytes', () => {
  it('is 184 bytes as getsizeof counts it (144 + 3 * 8, its PyGC_Head), after a managed buffer, both tracked', () => {
    const b = py.bytes.fromBytes(new Uint8Array([97, 98]));
    const blocks = py.rt.heap.debugMallocStats().classes.reduce((n, c) => n + c.blocksInUse, 0);
    const mv = py.memoryview.fromObject(b);
    expect(py.getsizeof(mv)).toBe(184);
    expect(py.sizeofObject(mv)).toBe(168);
    expect(py.rt.heap.debugMallocStats().classes.reduce((n, c) => n + c.blocksInUse, 0)).toBe(blocks + 2);
    expect(py.rt.validateObject(mv)).toEqual([]);
    py.rt.decref(mv);
    py.rt.decref(b);
  });
  it('holds one reference to the bytes (the managed buffer), read-only', () => {
    const b = py.bytes.fromBytes(new Uint8Array([1, 2, 3]));
    const mv = py.memoryview.fromObject(b);
    expect(py.rt.refcnt(b)).toBe(2);
    const mv2 = py.memoryview.fromObject(mv);
    expect(py.rt.refcnt(b)).toBe(2);
    expect(py.memoryview.info(mv2)).toMatchObject({ obj: b, length: 3, stride: 1, readonly: true });
    expect(py.memoryview.getItem(mv2, -1)).toBe(3);
    expect(pyError(() => py.memoryview.setItem(mv, 0, 5))).toBe('TypeError: cannot modify read-only memory');
    expect(pyError(() => py.memoryview.getItem(mv, 3))).toBe('IndexError: index out of bounds on dimension 1');
    py.rt.decref(mv);
    expect(py.rt.refcnt(b)).toBe(2);
    py.rt.decref(mv2);
    expect(py.rt.refcnt(b)).toBe(1);
    py.rt.decref(b);
  });
  it('a released view raises ValueError; the buffer goes with the last view', () => {
    const b = py.bytes.fromBytes(new Uint8Array([1, 2, 3]));
    const mv = py.memoryview.fromObject(b);
    const s = py.memoryview.slice(mv, 0, 2, 2);
    expect([...py.memoryview.toBytes(s)]).toEqual([1, 3]);
    py.memoryview.release(mv);
    expect(pyError(() => py.memoryview.toBytes(mv))).toBe('ValueError: operation forbidden on released memoryview object');
    expect(py.rt.refcnt(b)).toBe(2);
    py.memoryview.release(s);
    expect(py.rt.refcnt(b)).toBe(1);
    expect(py.memoryview.isReleased(s)).toBe(true);
    py.rt.decref(s);
    py.rt.decref(mv);
    py.rt.decref(b);
  });
  it('anything else is a TypeError naming its type', () => {
    const l = py.list.new(0);
    expect(pyError(() => py.memoryview.fromObject(l))).toBe("TypeError: memoryview: a bytes-like object is required, not 'list'");
    py.rt.decref(l);
  });
});

describe('memoryview of bytearray', () => {
  it('writes through to the bytearray, slices with a step included', () => {
    const ba = py.bytearray.fromStringAndSize(new Uint8Array([0, 1, 2, 3, 4, 5]), 6);
    const mv = py.memoryview.fromObject(ba);
    py.memoryview.setItem(mv, 0, 255);
    const odd = py.memoryview.slice(mv, 1, 2, 3);
    py.memoryview.setSlice(odd, 0, 1, 3, new Uint8Array([7, 8, 9]));
    expect([...py.bytearray.data(ba)]).toEqual([255, 7, 2, 8, 4, 9]);
    expect(py.memoryview.contiguous(odd)).toBe(false);
    expect(pyError(() => py.memoryview.setItem(mv, 1, 256))).toBe("ValueError: memoryview: invalid value for format 'B'");
    expect(pyError(() => py.memoryview.setSlice(odd, 0, 1, 3, new Uint8Array(2)))).toBe(
      'ValueError: memoryview assignment: lvalue and rvalue have different structures',
    );
    py.rt.decref(odd);
    py.rt.decref(mv);
    py.rt.decref(ba);
  });
  it('cannot be resized while a view holds its buffer (BufferError), and can once released', () => {
    const ba = py.bytearray.fromStringAndSize(new Uint8Array([1, 2]), 2);
    const mv = py.memoryview.fromObject(ba);
    expect(pyError(() => py.bytearray.append(ba, 3))).toBe('BufferError: Existing exports of data: object cannot be re-sized');
    expect(pyError(() => py.bytearray.setSlice(ba, 0, 1, null))).toBe('BufferError: Existing exports of data: object cannot be re-sized');
    expect([...py.bytearray.data(ba)]).toEqual([1, 2]);
    py.memoryview.release(mv);
    py.bytearray.append(ba, 3);
    expect([...py.bytearray.data(ba)]).toEqual([1, 2, 3]);
    py.rt.decref(mv);
    py.rt.decref(ba);
  });
});

/** One step on a pool of views over one bytearray. */
type Op = { kind: 'view' | 'slice' | 'release' | 'drop' | 'append'; pick: number; start: number; step: number };

describe('a model of views and releases', () => {
  it('ob_exports counts the unreleased managed buffers; the bytearray is held by each live managed buffer; everything is freed at the end', () => {
    const op = fc.record({
      kind: fc.constantFrom('view', 'slice', 'release', 'drop', 'append') as fc.Arbitrary<Op['kind']>,
      pick: fc.nat(),
      start: fc.nat(7),
      step: fc.integer({ min: 1, max: 3 }),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const interp = new Interpreter({ profile: 'cpython311' });
        try {
          const M = interp.memoryview;
          const ba = interp.bytearray.fromStringAndSize(new Uint8Array(8).map((_, i) => i), 8);
          let length = 8;
          // Model: each live view, its managed buffer's id, whether released; each buffer's views not released.
          const views: { mv: number; buf: number; released: boolean }[] = [];
          const pending = new Map<number, number>();
          let nextBuf = 0;
          for (const o of ops) {
            const v = views.length > 0 ? views[o.pick % views.length]! : null;
            if (o.kind === 'view') {
              if (v !== null && !v.released) {
                views.push({ mv: M.fromObject(v.mv), buf: v.buf, released: false });
                pending.set(v.buf, pending.get(v.buf)! + 1);
              } else {
                const buf = nextBuf++;
                views.push({ mv: M.fromObject(ba), buf, released: false });
                pending.set(buf, 1);
              }
            } else if (o.kind === 'slice' && v !== null && !v.released) {
              const n = M.info(v.mv).length;
              const start = Math.min(o.start, n);
              const len = start >= n ? 0 : Math.ceil((n - start) / o.step);
              views.push({ mv: M.slice(v.mv, start, o.step, len), buf: v.buf, released: false });
              pending.set(v.buf, pending.get(v.buf)! + 1);
            } else if ((o.kind === 'release' || o.kind === 'drop') && v !== null) {
              if (!v.released) pending.set(v.buf, pending.get(v.buf)! - 1);
              if (o.kind === 'release') {
                M.release(v.mv);
                v.released = true;
              } else {
                interp.rt.decref(v.mv);
                views.splice(views.indexOf(v), 1);
              }
            } else if (o.kind === 'append') {
              const exported = [...pending.values()].some((n) => n > 0);
              const err = pyErrorOf(() => interp.bytearray.append(ba, 1));
              expect(err).toBe(exported ? 'BufferError' : null);
              if (!exported) length++;
            }
            const live = [...pending.values()].filter((n) => n > 0).length;
            expect(Number(interp.bytearray.allocated(ba) >= length)).toBe(1);
            expect(interp.bytearray.size(ba)).toBe(length);
            expect(interp.rt.refcnt(ba)).toBe(1 + live);
            for (const w of views) {
              expect(M.isReleased(w.mv)).toBe(w.released || pending.get(w.buf) === 0);
              expect(interp.rt.validateObject(w.mv)).toEqual([]);
            }
          }
          for (const w of views) interp.rt.decref(w.mv);
          expect(interp.rt.refcnt(ba)).toBe(1);
          interp.bytearray.append(ba, 1);
          interp.rt.decref(ba);
        } finally {
          interp.dispose();
        }
      }),
      { numRuns: 150 },
    );
  });
});

function pyErrorOf(f: () => void): string | null {
  try {
    f();
    return null;
  } catch (e) {
    if (e instanceof PyException) return e.type;
    throw e;
  }
}
