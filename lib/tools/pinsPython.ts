/*
 * Pins of Python objects: pins.ts over every live block of the heap's arenas
 * (found from the pool headers, so no hook is needed), each block of a
 * reported arena named by the object in it — type, value, refcount,
 * sys.getsizeof — and the shortest path to it from a root (objectGraph.ts):
 * for a program (`pymem run --pins`), __main__'s globals, the running
 * functions' locals, then the other modules; for an object space driven
 * from JavaScript, the handles the caller names. A block with no live object
 * is said to be a dead one on its type's free list (a float, a list, a dict …)
 * or a buffer (an item array, a dict's table); an object reached from no root
 * is said to be so.
 *
 * Invariants: it only reads the heap; the blocks and numbers are pins.ts's
 * (one piece of code for traces and objects), only the labels are made here.
 */
import type { Interpreter } from '../objects/interpreter.js';
import { preHeaderBytes } from '../objects/type.js';
import type { Vm } from '../eval/vm.js';
import type { PyHandle, Python } from '../python.js';
import { liveSmallBlocks } from './map/arenaView.js';
import { type RootName, formatPath, programRoots, referrerPaths, scalarRepr } from './map/objectGraph.js';
import { type PinCandidate, type PinOptions, type PinnedArena, pins } from './pins.js';

/** Where an object may start in its block: no pre-header, PyGC_Head, PyGC_Head + managed-dict pre-header. */
const OBJECT_OFFSETS = [0, 16, 32];

/** The live object whose block starts at `block`, or 0 (no live object: a free-list entry, a buffer). */
export function objectInBlock(interp: Interpreter, block: number): number {
  const rt = interp.rt;
  for (const off of OBJECT_OFFSETS) {
    const op = block + off;
    const t = rt.typeOrNull(op);
    if (t !== null && preHeaderBytes(t) === off && rt.refcnt(op) > 0) return op;
  }
  return 0;
}

/**
 * The arenas of interp's heap held by few blocks, each block labelled by its
 * object and its path from one of `roots`; every block of each (unless
 * options.maxBlocks), the largest first, equal labels together.
 */
export function objectPins(interp: Interpreter, roots: RootName[], options: PinOptions = {}): PinnedArena<PinCandidate>[] {
  const heap = interp.rt.heap;
  const found = pins(heap, liveSmallBlocks(heap), { maxBlocks: Infinity, ...options });
  const objects = new Map<number, number>();
  for (const a of found) for (const b of a.blocks) objects.set(b.ptr, objectInBlock(interp, b.ptr));
  const deadFloats = new Set(interp.float.freeListEntries());
  const paths = referrerPaths(interp, roots, [...objects.values()].filter((op) => op !== 0));
  const bySizeThenLabel = (x: PinCandidate, y: PinCandidate): number => y.size - x.size || (x.label < y.label ? -1 : x.label > y.label ? 1 : 0);
  return found.map((a) => ({
    ...a,
    blocks: a.blocks.map((b): PinCandidate => {
      const op = objects.get(b.ptr)!;
      if (op === 0) return { ...b, label: deadFloats.has(b.ptr) ? "a dead float on float's free list (kept for reuse: up to 100)" : deadObject(interp, b.ptr) };
      const value = scalarRepr(interp, op);
      const path = paths.get(op);
      // Reached only through a module other than the program's: the interpreter's own, grouped by type and module.
      if (path !== undefined && path.root.scope === 'modules') return { ...b, label: `${interp.rt.typeOf(op).name}: the interpreter's (from module ${path.root.name})` };
      const held = path === undefined ? 'reachable from no root (held by the interpreter or from JavaScript, or leaked)' : `← ${formatPath(interp, path)}`;
      return { ...b, label: `${interp.rt.typeOf(op).name}${value === undefined ? '' : ` ${value}`} (refcount ${interp.rt.refcnt(op)}, getsizeof ${interp.getsizeof(op)})  ${held}` };
    }).sort(bySizeThenLabel),
  }));
}

/** What a block holding no live object holds: a dead object parked on its type's free list, or a buffer. */
function deadObject(interp: Interpreter, block: number): string {
  const rt = interp.rt;
  for (const off of OBJECT_OFFSETS) {
    const t = rt.typeOrNull(block + off);
    if (t !== null && preHeaderBytes(t) === off) return `a dead ${t.name} on ${t.name}'s free list (kept for reuse)`;
  }
  return "no object: a container's item array or table (a list's items, a dict's keys or values), or another buffer";
}

/** The roots of a program's pins: its names (programRoots), then each other module. */
export function pinRoots(vm: Vm): RootName[] {
  const roots = programRoots(vm);
  for (const [name, mod] of vm.modules) if (name !== '__main__') roots.push({ scope: 'modules', name, id: mod });
  return roots;
}

/** The pins of a running program (`pymem run --pins`), paths from its names. */
export function programPins(vm: Vm, options: PinOptions = {}): PinnedArena<PinCandidate>[] {
  return objectPins(vm.interp, pinRoots(vm), options);
}

/**
 * The pins of an object space driven from JavaScript, paths from the handles
 * named in `roots` (`{ cache: handle }` reads `cache[3]` in the report).
 */
export function pythonPins(py: Python, roots: Record<string, PyHandle>, options: PinOptions = {}): PinnedArena<PinCandidate>[] {
  return objectPins(py.interp, Object.entries(roots).map(([name, h]) => ({ scope: 'handles', name, id: h.block().pointer })), options);
}
