/*
 * The parser's arena while the code it compiled runs (Python/pythonrun.c:
 * pyrun_file and PyRun_StringFlags free the arena only after run_mod has run
 * the code). The arena holds a reference to every constant object the parser
 * and the AST optimizer made: the first node of each constant value holds
 * the very object the compiler put in co_consts (merge_consts_recursive
 * keeps the first one), so a script's `x = 1000; sys.getrefcount(x)` counts
 * it (4, not 3); every later node with an equal value holds an object of its
 * own, memory the run keeps too. Keyword constants (None, True, False, ...)
 * are taken without a reference, as the parser does.
 *
 * Invariant: every reference taken is released once, by the function
 * holdAstConstants returns.
 */
import { Ellipsis, type ConstantValue, type ModNode } from '../frontend/ast.js';
import { constCacheKey, type ConstObjects } from '../objects/types/code.js';
import type { Vm } from './vm.js';

/** Every Constant node's value in the tree, in tree order. */
function constantValues(node: unknown, out: ConstantValue[]): ConstantValue[] {
  if (Array.isArray(node)) {
    for (const x of node) constantValues(x, out);
  } else if (node !== null && typeof node === 'object') {
    const n = node as { _type?: string; value?: ConstantValue };
    if (n._type === 'Constant') {
      out.push(n.value!);
      return out;
    }
    for (const v of Object.values(node)) if (v !== null && typeof v === 'object') constantValues(v, out);
  }
  return out;
}

/**
 * Takes the arena's references for the constants of `mod` (the tree the
 * code was compiled from; `objects` what the code objects were made with);
 * returns the function that releases them (_PyArena_Free).
 */
export function holdAstConstants(vm: Vm, mod: ModNode, objects: ConstObjects): () => void {
  const { interp } = vm;
  const held: number[] = [];
  const seen = new Set<unknown>();
  const hold = (v: ConstantValue): void => {
    if (v === null || typeof v === 'boolean' || v === Ellipsis) return;
    const key = constCacheKey(v);
    const shared = objects.get(key);
    if (shared !== undefined && !seen.has(key)) {
      seen.add(key);
      interp.rt.incref(shared);
      held.push(shared);
      // A folded tuple's items were nodes of the tree before folding.
      if (Array.isArray(v)) for (const x of v) hold(x);
      return;
    }
    const own = ownObject(vm, v);
    if (own !== 0) held.push(own);
  };
  for (const v of constantValues(mod, [])) hold(v);
  return () => {
    for (const op of held) interp.rt.decref(op);
    held.length = 0;
  };
}

/** The object the parser made for a later node of an already-seen value (0 for a folded tuple: not modelled). New reference. */
function ownObject(vm: Vm, v: ConstantValue): number {
  const { interp } = vm;
  if (typeof v === 'bigint') return interp.long.fromBigInt(v);
  if (typeof v === 'number') return interp.float.fromNumber(v);
  if (typeof v === 'string') return interp.str.fromString(v);
  if (Array.isArray(v)) return 0;
  if (v !== null && typeof v === 'object' && v.kind === 'bytes') return interp.bytes.fromBytes(v.value);
  if (v !== null && typeof v === 'object' && v.kind === 'complex') return interp.complex.fromParts(v.real, v.imag);
  return 0;
}
