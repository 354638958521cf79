/**
 * The gc layer: CPython 3.11's cyclic garbage collector over an
 * interpreter's objects, and the Python `gc` module.
 *
 * @example
 * ```ts
 * const interp = new Interpreter();
 * const gc = installGc(interp);
 * const l = interp.list.new(0);
 * interp.list.append(l, l);   // l = []; l.append(l)
 * interp.rt.decref(l);        // del l
 * gc.collect();               // 1
 * ```
 * @module
 */
export {
  DEBUG_COLLECTABLE,
  DEBUG_LEAK,
  DEBUG_SAVEALL,
  DEBUG_STATS,
  DEBUG_UNCOLLECTABLE,
  GcModule,
  installGc,
  type GcCallback,
  type GcCallbackInfo,
} from './gcModule.js';
export { type CollectionResult } from './collector.js';
export { GC_CHANNEL_NAME, gcChannel, type GcChannelMessage } from './diagnostics.js';
export { gcListViolations } from './validate.js';
export { GC_POLICIES, gcPolicyOf, type GcPolicy, type GcPolicyName } from '../objects/gcPolicy.js';
