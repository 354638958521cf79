/*
 * The type attribute cache and the inline caches of the name and attribute
 * instructions (lib/eval/typeCache.ts, lib/eval/specialize.ts) against a
 * model of uncached lookups: random sequences of mutations (class
 * attributes set and deleted directly or through the class's dict as
 * gc.get_referents hands it out, methods replaced, instance attributes set,
 * deleted and shadowing methods, globals and builtins set and deleted) and
 * lookups (instance and class attributes, method calls, LOAD_GLOBAL in a
 * function, LOAD_NAME at module level) run as one `pymem run` program whose
 * every lookup site runs many times, so the caches fill and must notice
 * each change. What it prints is what the model's MRO walk and dict
 * lookups give, and the heap's invariants hold after the run.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pymallocViolations } from '../lib/allocator/validate.js';
import { runCommand } from '../lib/eval/runCommand.js';

const CLASSES = ['A', 'B', 'C', 'D', 'E'] as const;
type Cls = (typeof CLASSES)[number];
/** class B(A), C(A), D(B, C), E(D): each one's MRO. */
const MRO: Record<Cls, readonly Cls[]> = {
  A: ['A'],
  B: ['B', 'A'],
  C: ['C', 'A'],
  D: ['D', 'B', 'C', 'A'],
  E: ['E', 'D', 'B', 'C', 'A'],
};
const ATTRS = ['x', 'y'] as const;
const NAMES = ['zz_a', 'zz_b'] as const;

type Op =
  | readonly ['setc' | 'rawc', Cls, string, number]
  | readonly ['delc', Cls, string]
  | readonly ['setm', Cls, number]
  | readonly ['seti', Cls, string, number]
  | readonly ['deli', Cls, string]
  | readonly ['shm', Cls, number]
  | readonly ['unshm', Cls]
  | readonly ['geti' | 'getc', Cls, string]
  | readonly ['call', Cls]
  | readonly ['setg' | 'setb', string, number]
  | readonly ['delg' | 'delb' | 'getg' | 'getn', string];

const cls = fc.constantFrom(...CLASSES);
const attr = fc.constantFrom(...ATTRS);
const nm = fc.constantFrom(...NAMES);
const val = fc.integer({ min: 0, max: 9 });
/** Every op but rawc, which makes the class it touches uncached for the rest of the run. */
const anOp: fc.Arbitrary<Op> = fc.oneof(
  fc.tuple(fc.constant('setc' as const), cls, attr, val),
  fc.tuple(fc.constant('delc' as const), cls, attr),
  { arbitrary: fc.tuple(fc.constant('setm' as const), cls, val), weight: 2 },
  fc.tuple(fc.constant('seti' as const), cls, attr, val),
  fc.tuple(fc.constant('deli' as const), cls, attr),
  { arbitrary: fc.tuple(fc.constant('shm' as const), cls, val), weight: 2 },
  fc.tuple(fc.constant('unshm' as const), cls),
  { arbitrary: fc.tuple(fc.constantFrom('geti' as const, 'getc' as const), cls, attr), weight: 4 },
  { arbitrary: fc.tuple(fc.constant('call' as const), cls), weight: 5 },
  fc.tuple(fc.constantFrom('setg' as const, 'setb' as const), nm, val),
  fc.tuple(fc.constantFrom('delg' as const, 'delb' as const), nm),
  { arbitrary: fc.tuple(fc.constantFrom('getg' as const, 'getn' as const), nm), weight: 3 },
);

/** Now and then a store through the class's dict as gc hands it out. */
const anOpWithRaw: fc.Arbitrary<Op> = fc.oneof({ arbitrary: anOp, weight: 30 }, fc.tuple(fc.constant('rawc' as const), cls, attr, val));

/** The program: the classes, one lookup or store site per kind, and a loop over the ops. */
function program(ops: readonly Op[]): string {
  const perAttr = (f: (a: string) => string): string => ATTRS.map(f).join('\n');
  const perName = (f: (n: string) => string): string => NAMES.map(f).join('\n');
  // One site per class and attribute: each keeps its own cache, so a later change must be noticed there.
  const sites = CLASSES.map(
    (c) => `${perAttr((a) => `def gi_${c}_${a}(o):\n    return o.${a}\ndef si_${c}_${a}(o, v):\n    o.${a} = v\ndef di_${c}_${a}(o):\n    del o.${a}\ndef sc_${c}_${a}(c, v):\n    c.${a} = v`)}\ndef call_${c}(o):\n    return o.m()`,
  ).join('\n');
  const table = (kind: string): string => `{${CLASSES.flatMap((c) => ATTRS.map((a) => `('${c}', '${a}'): ${kind}_${c}_${a}`)).join(', ')}}`;
  return `import builtins, gc
class A: pass
class B(A): pass
class C(A): pass
class D(B, C): pass
class E(D): pass
CLS = {'A': A, 'B': B, 'C': C, 'D': D, 'E': E}
OBJ = {k: v() for k, v in CLS.items()}
def mk(k):
    def m(self):
        return k
    return m
def plain(k):
    return lambda: k
def raw(c):
    return [r for r in gc.get_referents(c) if type(r) is dict][0]
${sites}
def raw_set(c, a, v):
    raw(c)[a] = v
GI = ${table('gi')}
SI = ${table('si')}
DI = ${table('di')}
SC = ${table('sc')}
CALL = {${CLASSES.map((c) => `'${c}': call_${c}`).join(', ')}}
${perName((n) => `def gg_${n}():\n    return ${n}\ndef sg_${n}(v):\n    global ${n}\n    ${n} = v\ndef dg_${n}():\n    global ${n}\n    del ${n}`)}
GG = {${NAMES.map((n) => `'${n}': gg_${n}`).join(', ')}}
SG = {${NAMES.map((n) => `'${n}': sg_${n}`).join(', ')}}
DG = {${NAMES.map((n) => `'${n}': dg_${n}`).join(', ')}}
OPS = ${JSON.stringify(ops)}
for op in OPS:
    k = op[0]
    try:
        if k == 'setc':
            SC[op[1], op[2]](CLS[op[1]], op[3])
        elif k == 'rawc':
            raw_set(CLS[op[1]], op[2], op[3])
        elif k == 'delc':
            delattr(CLS[op[1]], op[2])
        elif k == 'setm':
            CLS[op[1]].m = mk(op[2])
        elif k == 'seti':
            SI[op[1], op[2]](OBJ[op[1]], op[3])
        elif k == 'deli':
            DI[op[1], op[2]](OBJ[op[1]])
        elif k == 'shm':
            OBJ[op[1]].m = plain(op[2])
        elif k == 'unshm':
            del OBJ[op[1]].m
        elif k == 'geti':
            print(GI[op[1], op[2]](OBJ[op[1]]))
        elif k == 'getc':
            print(getattr(CLS[op[1]], op[2]), GI[op[1], op[2]](CLS[op[1]]))
        elif k == 'call':
            print(CALL[op[1]](OBJ[op[1]]))
        elif k == 'setg':
            SG[op[1]](op[2])
        elif k == 'setb':
            setattr(builtins, op[1], op[2])
        elif k == 'delg':
            DG[op[1]]()
        elif k == 'delb':
            delattr(builtins, op[1])
        elif k == 'getg':
            print(GG[op[1]]())
        elif op[1] == 'zz_a':
            print(zz_a)
        else:
            print(zz_b)
    except AttributeError:
        print('AE')
    except NameError:
        print('NE')
`;
}

/** Python's semantics without caches: dicts and an MRO walk. The lines the program prints. */
function model(ops: readonly Op[]): string[] {
  type Value = number | { readonly method: number };
  const classDict = new Map<Cls, Map<string, Value>>(CLASSES.map((c) => [c, new Map()]));
  const instDict = new Map<Cls, Map<string, Value>>(CLASSES.map((c) => [c, new Map()]));
  const globals = new Map<string, number>();
  const builtins = new Map<string, number>();
  const out: string[] = [];
  const lookupClass = (c: Cls, a: string): Value | undefined => {
    for (const b of MRO[c]) {
      const v = classDict.get(b)!.get(a);
      if (v !== undefined) return v;
    }
    return undefined;
  };
  const del = <K, V>(m: Map<K, V>, k: K, err: string): void => {
    if (!m.delete(k)) out.push(err);
  };
  for (const op of ops) {
    switch (op[0]) {
      case 'setc':
      case 'rawc':
        classDict.get(op[1])!.set(op[2], op[3]);
        break;
      case 'delc':
        del(classDict.get(op[1])!, op[2], 'AE');
        break;
      case 'setm':
        classDict.get(op[1])!.set('m', { method: op[2] });
        break;
      case 'seti':
        instDict.get(op[1])!.set(op[2], op[3]);
        break;
      case 'deli':
        del(instDict.get(op[1])!, op[2], 'AE');
        break;
      case 'shm':
        instDict.get(op[1])!.set('m', op[2]);
        break;
      case 'unshm':
        del(instDict.get(op[1])!, 'm', 'AE');
        break;
      case 'geti': {
        const v = instDict.get(op[1])!.get(op[2]) ?? lookupClass(op[1], op[2]);
        out.push(v === undefined ? 'AE' : String(v));
        break;
      }
      case 'getc': {
        const v = lookupClass(op[1], op[2]);
        out.push(v === undefined ? 'AE' : `${String(v)} ${String(v)}`);
        break;
      }
      case 'call': {
        const own = instDict.get(op[1])!.get('m');
        const m = own ?? lookupClass(op[1], 'm');
        out.push(m === undefined ? 'AE' : String(typeof m === 'number' ? m : m.method));
        break;
      }
      case 'setg':
        globals.set(op[1], op[2]);
        break;
      case 'setb':
        builtins.set(op[1], op[2]);
        break;
      case 'delg':
        del(globals, op[1], 'NE');
        break;
      case 'delb':
        del(builtins, op[1], 'AE');
        break;
      case 'getg':
      case 'getn': {
        const v = globals.get(op[1]) ?? builtins.get(op[1]);
        out.push(v === undefined ? 'NE' : String(v));
        break;
      }
    }
  }
  return out;
}

/** Runs the ops' program under pymem run: stdout and stderr are the model's, the heap is consistent. */
function check(ops: readonly Op[]): void {
  let out = '';
  let err = '';
  let violations: string[] = [];
  const status = runCommand(['-c', program(ops)], { stdout: (t) => (out += t), stderr: (t) => (err += t) }, {
    inspect: (vm) => {
      violations = pymallocViolations(vm.interp.rt.heap.pymalloc);
    },
  });
  expect(err).toBe('');
  expect(status).toBe(0);
  expect(out.split('\n').slice(0, -1)).toEqual(model(ops));
  expect(violations).toEqual([]);
}

describe('attribute and name caches against uncached lookups', () => {
  it('every lookup after any mutation of classes, bases, instances, globals and builtins is the model\'s', () => {
    fc.assert(fc.property(fc.array(anOp, { minLength: 10, maxLength: 80, size: 'max' }), check), { numRuns: 40 });
  });

  it('a class changed through the dict gc.get_referents handed out is never answered from the cache', () => {
    fc.assert(fc.property(fc.array(anOpWithRaw, { minLength: 10, maxLength: 80, size: 'max' }), check), { numRuns: 20 });
  });
});