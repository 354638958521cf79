/*
 * validate_list (Modules/gcmodule.c, GC_DEBUG builds) for pymem: walks the
 * three generation lists and the permanent one and says what is wrong, as
 * sentences (an empty array: consistent). For tests and property runs; it
 * touches every tracked object, so it stays off the collector's path.
 *
 * Between collections, for every list with head H:
 *   - H's words carry no flag bits;
 *   - for each object head g on it: next(prev(g)) == g, no COLLECTING bit,
 *     no NEXT_MASK_UNREACHABLE bit;
 *   - the object is of a GC type and has ob_refcnt >= 1;
 *   - the walk returns to H (within `limit` steps: no stray loop);
 *   - no object is on two lists.
 */
import { fromGc, obRefcnt } from '../objects/layout.js';
import type { Runtime } from '../objects/runtime.js';
import { isGcType } from '../objects/type.js';
import { GcList } from './gcList.js';

/** Every broken invariant of rt's gc lists (at most `max` of them). */
export function gcListViolations(rt: Runtime, limit = 50_000_000, max = 20): string[] {
  const out: string[] = [];
  const lists = new GcList();
  const seen = new Set<number>();
  const heads = [...rt.gc.generations.map((g, i) => [`generation ${i}`, g.head] as const), ['permanent generation', rt.gc.permanentGeneration.head] as const];
  for (const [name, head] of heads) {
    if ((lists.nextWord(head) & 3) !== 0 || (lists.prevWord(head) & 3) !== 0) out.push(`${name}: its head carries flag bits`);
    let prev = head;
    let steps = 0;
    for (let g = lists.nextWord(head); g !== head && out.length < max; g = lists.nextWord(g)) {
      if (++steps > limit) {
        out.push(`${name}: no way back to the head after ${limit} objects`);
        break;
      }
      if ((g & 1) !== 0) {
        out.push(`${name}: a _gc_next word carries NEXT_MASK_UNREACHABLE (${g})`);
        break;
      }
      const op = fromGc(g);
      if ((lists.prevWord(g) & 2) !== 0) out.push(`${name}: object ${op} carries PREV_MASK_COLLECTING`);
      if (lists.prev(g) !== prev) out.push(`${name}: object ${op}'s _gc_prev is ${lists.prev(g)}, not ${prev}`);
      const type = rt.typeOrNull(op);
      if (type === null || !isGcType(type)) out.push(`${name}: object ${op} is not of a GC type`);
      else if (obRefcnt.get(op) < 1) out.push(`${name}: object ${op} (${type.name}) is tracked with ob_refcnt 0`);
      if (seen.has(g)) out.push(`${name}: object ${op} is on two lists`);
      seen.add(g);
      prev = g;
    }
    if (out.length < max && lists.prev(head) !== prev) out.push(`${name}: the head's _gc_prev is ${lists.prev(head)}, not the last object ${prev}`);
  }
  return out;
}
