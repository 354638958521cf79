/*
 * Pins of a running Python program (`pymem run --pins`): pins.ts over every
 * live block of the heap's arenas (found from the pool headers, so no hook
 * is needed), each block of a reported arena named by the object in it —
 * type, value, refcount, sys.getsizeof — and the shortest path to it from
 * one of the program's names (objectGraph.ts: __main__'s globals, running
 * functions' locals, then the other modules), or said to be no object (a
 * type's free list entry, a container's buffer) or reachable from no name.
 *
 * Invariants: it only reads the heap; the blocks and numbers are pins.ts's
 * (one piece of code for traces and programs), only the labels are made here.
 */
import { preHeaderBytes } from '../objects/type.js';
import type { Vm } from '../eval/vm.js';
import { liveSmallBlocks } from './map/arenaView.js';
import { type RootName, formatPath, programRoots, referrerPaths } from './map/objectGraph.js';
import { type PinCandidate, type PinOptions, type PinnedArena, pins } from './pins.js';
import { repr } from '../eval/abstract.js';

/** Where an object may start in its block: no pre-header, PyGC_Head, PyGC_Head + managed-dict pre-header. */
const OBJECT_OFFSETS = [0, 16, 32];

/** The live object whose block starts at `block`, or 0 (no live object: a free-list entry, a buffer). */
export function objectInBlock(vm: Vm, block: number): number {
  const rt = vm.interp.rt;
  for (const off of OBJECT_OFFSETS) {
    const op = block + off;
    const t = rt.typeOrNull(op);
    if (t !== null && preHeaderBytes(t) === off && rt.refcnt(op) > 0) return op;
  }
  return 0;
}

/** The names a program's pins are traced from: the program's (programRoots), then each other module's globals. */
export function pinRoots(vm: Vm): RootName[] {
  const roots = programRoots(vm);
  for (const [name, mod] of vm.modules) if (name !== '__main__') roots.push({ scope: 'modules', name: `sys.modules['${name}']`, id: mod });
  return roots;
}

/** The arenas of the program's heap held by few blocks, each block labelled by its object and the path to it. */
export function programPins(vm: Vm, options: PinOptions = {}): PinnedArena<PinCandidate>[] {
  const heap = vm.interp.rt.heap;
  const found = pins(heap, liveSmallBlocks(heap), options);
  const objects = new Map<number, number>();
  for (const a of found) for (const b of a.blocks) objects.set(b.ptr, objectInBlock(vm, b.ptr));
  const paths = referrerPaths(vm, pinRoots(vm), [...objects.values()].filter((op) => op !== 0));
  return found.map((a) => ({
    ...a,
    blocks: a.blocks.map((b): PinCandidate => {
      const op = objects.get(b.ptr)!;
      if (op === 0) return { ...b, label: 'no live object (a free-list entry, or an item array or table of a container)' };
      const t = vm.interp.rt.typeOf(op);
      const value = ['int', 'float', 'str', 'bool', 'complex'].includes(t.name) ? ` ${clip(repr(vm, op))}` : '';
      const path = paths.get(op);
      const held = path === undefined ? 'reachable from no name (held from outside the program, or a leak)' : `← ${formatPath(vm, path)}`;
      return { ...b, label: `${t.name}${value} (refcount ${vm.interp.rt.refcnt(op)}, getsizeof ${vm.interp.getsizeof(op)})  ${held}` };
    }),
  }));
}

const clip = (s: string): string => (s.length > 40 ? `${s.slice(0, 39)}…` : s);
