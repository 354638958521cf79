/*
 * The start-up configuration of `pymem run` and `pymem repl`, read as
 * CPython reads its own (Python/preconfig.c, Python/initconfig.c): `-X dev`
 * and PYTHONDEVMODE turn on the development mode; PYTHONMALLOC picks the
 * allocator, and the development mode alone implies `debug`
 * (preconfig_init_allocator: an explicit PYTHONMALLOC wins); `--gc` picks
 * the collector's schedule (gcPolicy.ts).
 *
 * What the development mode changes in pymem, of what CPython's changes:
 * the debug hooks on every domain (debugAllocator.ts; a bad free or a
 * trampled pad is a MemoryCorruptionError with CPython's dump) and the
 * warnings filters' `default::Warning` in front, so the compiler's
 * DeprecationWarnings (an invalid escape sequence) are printed. The rest
 * (faulthandler, asyncio's debug mode, io's encoding checks) has nothing to
 * act on here.
 *
 * Invariants: an empty environment variable counts as unset, as in CPython;
 * unknown `-X` options are kept (sys._xoptions) and change nothing.
 */
import { UsageError } from '../errors.js';
import { GC_POLICIES, type GcPolicyName } from '../objects/gcPolicy.js';

/** What a run starts with. */
export interface RunConfig {
  /** sys.flags.dev_mode: `-X dev` or PYTHONDEVMODE. */
  readonly devMode: boolean;
  /** The debug hooks on every domain (PYTHONMALLOC=debug, or the development mode). */
  readonly debugMalloc: boolean;
  /** The collector's schedule (`--gc`; default 3.11). */
  readonly gcPolicy: GcPolicyName;
}

/** The environment variables a run reads. */
export type RunEnv = Readonly<Record<string, string | undefined>>;

/**
 * PYTHONMALLOC (_PyMem_GetAllocatorName): whether it asks for the debug
 * hooks, or null when it is unset. pymem is pymalloc, so the `malloc`
 * allocators are refused (a UsageError), as an unknown name is.
 */
export function debugMallocOf(value: string | undefined): boolean | null {
  if (value === undefined || value === '') return null;
  if (value === 'debug' || value === 'pymalloc_debug') return true;
  if (value === 'default' || value === 'pymalloc') return false;
  if (value === 'malloc' || value === 'malloc_debug') {
    throw new UsageError(`PYTHONMALLOC=${value}: pymem runs on pymalloc only (use pymalloc, debug or pymalloc_debug)`);
  }
  throw new UsageError(`PYTHONMALLOC: unknown allocator ${JSON.stringify(value)} (CPython: "preconfig_init_allocator: PYTHONMALLOC: unknown allocator")`);
}

/** The policy named by `--gc`; a UsageError naming the choices for anything else. */
export function gcPolicyOption(value: string): GcPolicyName {
  if (Object.hasOwn(GC_POLICIES, value)) return value as GcPolicyName;
  throw new UsageError(`--gc must be one of ${Object.keys(GC_POLICIES).join(', ')}, got ${JSON.stringify(value)}`);
}

/** The configuration of a run from its `-X` options, its `--gc` and the environment. */
export function runConfig(xoptions: readonly string[], gcPolicy: GcPolicyName, env: RunEnv): RunConfig {
  const devEnv = env['PYTHONDEVMODE'];
  const devMode = xoptions.includes('dev') || (devEnv !== undefined && devEnv !== '');
  const debugMalloc = debugMallocOf(env['PYTHONMALLOC']) ?? devMode;
  return { devMode, debugMalloc, gcPolicy };
}
