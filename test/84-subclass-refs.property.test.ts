/*
 * Instances of classes deriving from list and dict, holding one another
 * through list items, dict items and instance attributes, against a model
 * of their references: after random programs of appends, item and
 * attribute stores and dels, sys.getrefcount of each named instance is the
 * model's count (names + references held by live objects + the argument),
 * and gc.collect() finds exactly what refcounting could not free — the
 * instances left in cycles, plus the __dict__ of each that has attributes
 * (a built-in base's tp_new leaves the values NULL, so the first attribute
 * makes a real dict). The heap's pymalloc and GC-list invariants hold
 * after every run.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { pymallocViolations } from '../lib/allocator/validate.js';
import { runCommand } from '../lib/eval/runCommand.js';
import { gcListViolations } from '../lib/gc/validate.js';

type Op =
  | { kind: 'new'; cls: 'L' | 'D' }
  | { kind: 'append' | 'item' | 'attr'; from: number; to: number }
  | { kind: 'del'; v: number };

interface Node {
  cls: 'L' | 'D';
  out: number[];
  attrs: number;
}

/** The program and the output the model predicts for it. */
function programOf(ops: readonly Op[]): { source: string; expected: string } {
  const nodes: Node[] = [];
  const names = new Map<number, number>();
  const lines = ['import sys, gc', 'gc.disable()', 'class L(list): pass', 'class D(dict): pass'];
  let key = 0;
  for (const op of ops) {
    if (op.kind === 'new') {
      const v = nodes.length;
      nodes.push({ cls: op.cls, out: [], attrs: 0 });
      names.set(v, v);
      lines.push(`v${v} = ${op.cls}()`);
      continue;
    }
    const live = [...names.keys()];
    if (live.length === 0) continue;
    if (op.kind === 'del') {
      const v = live[op.v % live.length]!;
      names.delete(v);
      lines.push(`del v${v}`);
      continue;
    }
    const from = live[op.from % live.length]!;
    const to = live[op.to % live.length]!;
    const n = nodes[from]!;
    if (op.kind === 'append' && n.cls === 'L') lines.push(`v${from}.append(v${to})`);
    else if (op.kind === 'item' && n.cls === 'D') lines.push(`v${from}['k${key++}'] = v${to}`);
    else {
      lines.push(`v${from}.a${key++} = v${to}`);
      n.attrs++;
    }
    n.out.push(to);
  }
  // Refcounting frees whatever no name and no surviving object holds; what is left unnamed is cyclic garbage.
  const alive = new Set(nodes.keys());
  for (let changed = true; changed; ) {
    changed = false;
    const held = new Set<number>(names.keys());
    for (const v of alive) for (const w of nodes[v]!.out) held.add(w);
    for (const v of [...alive]) {
      if (!held.has(v)) {
        alive.delete(v);
        changed = true;
      }
    }
  }
  const reachable = new Set<number>();
  const stack = [...names.keys()];
  while (stack.length > 0) {
    const v = stack.pop()!;
    if (reachable.has(v)) continue;
    reachable.add(v);
    stack.push(...nodes[v]!.out);
  }
  const out: string[] = [];
  for (const v of [...names.keys()].sort((a, b) => a - b)) {
    let refs = 1;
    for (const w of alive) refs += nodes[w]!.out.filter((x) => x === v).length;
    lines.push(`print(sys.getrefcount(v${v}))`);
    out.push(String(refs + 1));
  }
  const garbage = [...alive].filter((v) => !reachable.has(v));
  lines.push('print(gc.collect())');
  out.push(String(garbage.length + garbage.filter((v) => nodes[v]!.attrs > 0).length));
  return { source: `${lines.join('\n')}\n`, expected: `${out.join('\n')}\n` };
}

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('new' as const), cls: fc.constantFrom('L' as const, 'D' as const) }),
  fc.record({ kind: fc.constantFrom('append' as const, 'item' as const, 'attr' as const), from: fc.nat(20), to: fc.nat(20) }),
  fc.record({ kind: fc.constant('del' as const), v: fc.nat(20) }),
);

it('refcounts and gc.collect() of list and dict subclass instances match the model', () => {
  fc.assert(
    fc.property(fc.array(op, { minLength: 1, maxLength: 30 }), (ops) => {
      const { source, expected } = programOf(ops);
      let out = '';
      let err = '';
      let violations: string[] = [];
      const status = runCommand(['-c', source], { stdout: (t) => (out += t), stderr: (t) => (err += t) }, {
        inspect: (vm) => {
          violations = [...pymallocViolations(vm.interp.rt.heap.pymalloc), ...gcListViolations(vm.interp.rt)];
        },
      });
      expect({ status, err }).toEqual({ status: 0, err: '' });
      expect(out).toBe(expected);
      expect(violations).toEqual([]);
    }),
    { numRuns: 40, seed: 84 },
  );
});
