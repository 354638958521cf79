/**
 * pymem: CPython's memory manager rebuilt in TypeScript on real OS memory.
 *
 * The public API: a {@link Heap} (pymalloc with its RAW / MEM / OBJ domains),
 * the profiles, the typed errors, Python objects in real blocks ({@link Python}
 * with handles; {@link Interpreter} for the C-API level), and the tools
 * (stats, trace replay).
 *
 * @example
 * ```ts
 * import { Heap } from 'pymem';
 * using heap = new Heap({ profile: 'cpython311' });
 * const p = heap.malloc(24);
 * heap.bytes(p).set([1, 2, 3]);
 * console.log(heap.formatDebugMallocStats());
 * heap.free(p);
 * ```
 * @module
 */
export { Heap, MAX_REQUEST, type HeapOptions, type MemorySource } from './allocator/heap.js';
export { Domain, type MemAllocator } from './allocator/domains.js';
export {
  classic,
  cpython311,
  profiles,
  resolveProfile,
  type Profile,
  type ResolvedProfile,
} from './allocator/profile.js';
export { RAW_BASE, SMALL_LIMIT, isSmallPointer } from './allocator/pointer.js';
export { configureRegion, regionInfo, type RegionInfo } from './allocator/region.js';
export type { ArenaAllocator, MappedArena, RawMemory } from './allocator/osMemory.js';
export { fakeArenaAllocator, fakeRawMemory, nativeArenaAllocator, nativeRawMemory } from './allocator/osMemory.js';
export { withFaults, type FaultCounts, type FaultPlan } from './allocator/faultInjection.js';
export { MALLOC_STATS_VERSION, formatMallocStats, type MallocStats, type ReleaseStats, type SizeClassStats } from './allocator/stats.js';
export {
  CPYTHON_RELEASE,
  releasePolicyName,
  resolveReleasePolicy,
  type ReleasePolicy,
  type ResolvedReleasePolicy,
} from './allocator/releasePolicy.js';
export {
  ARENA_CHANNEL_NAME,
  POOL_CHANNEL_NAME,
  arenaChannel,
  poolChannel,
  type ArenaChannelMessage,
  type PoolChannelMessage,
  type PoolEvent,
} from './allocator/channels.js';
export type { ArenaMapCounts } from './allocator/arenaMap.js';
export { pymallocViolations } from './allocator/validate.js';
export {
  DisposedError,
  DoubleFreeError,
  InvalidArgumentError,
  InvalidPointerError,
  InvalidProfileError,
  MemoryCorruptionError,
  NativeAddonError,
  OutOfMemoryError,
  PymemError,
  UsageError,
} from './errors.js';
export { TraceFormatError } from './tools/traceReader.js';
export { BinaryTraceError } from './tools/binaryTrace.js';
export { Python, PyHandle, ReleasedHandleError, type BlockInfo, type JSValue, type MemoryUsage } from './python.js';
export { Interpreter, UnhashableError } from './objects/interpreter.js';
export { RefcountError, type Runtime } from './objects/runtime.js';
export { KeyError } from './objects/types/dict.js';
export { AttributeError, type ClassSpec } from './objects/types/instance.js';
export type { PyTypeObject } from './objects/type.js';
export * from './gc/index.js';
export { replayTrace, type LiveBlock, type ReplayOptions, type ReplayResult, type Mismatch } from './tools/replay.js';
export { heapPicture, heapView, sizeClassOf, type HeapView, type PoolView, type PoolState, type BlockState } from './tools/heapPicture.js';
export { record, RecorderSetupError, RecordingError, type RecordOptions, type RecordResult } from './tools/record.js';
export {
  DEFAULT_DOMAIN,
  Tracemalloc,
  TracemallocError,
  javascriptFrames,
  type FrameSource,
} from './tools/tracemalloc/tracemalloc.js';
export {
  DomainFilter,
  Filter,
  Frame,
  Snapshot,
  SnapshotFormatError,
  Statistic,
  StatisticDiff,
  Trace,
  Traceback,
  formatSize,
  type KeyType,
  type TraceFilter,
} from './tools/tracemalloc/snapshot.js';
export { pins, formatPins, type PinCandidate, type PinnedArena, type PinOptions } from './tools/pins.js';
export { TraceWriter, TraceWriterError, fileSink, stringSink, type TraceSink } from './tools/traceWriter.js';
export { fuzzHeap, type HeapFuzzOptions } from './tools/fuzz/heapFuzz.js';
export { type FuzzReport } from './tools/fuzz/fuzzReport.js';
export { fuzzCapi, type CapiFuzzOptions } from './tools/fuzz/capiFuzz.js';
export { fuzzHandles, type HandleFuzzOptions } from './tools/fuzz/handleFuzz.js';
export { fuzzGc, type GcFuzzOptions } from './tools/fuzz/gcFuzz.js';
export { fuzzRun, type RunFuzzOptions } from './tools/fuzz/runFuzz.js';
