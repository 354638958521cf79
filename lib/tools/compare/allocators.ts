/**
 * The allocators `pymem compare` can put side by side, by name, and where
 * each one runs.
 *
 *   name                 runs in                          what it measures
 *   ───────────────────  ───────────────────────────────  ──────────────────────────────────────
 *   pymem                node child (childReplay.ts)      pymem, profile cpython311, through
 *   pymem-classic                                         heap.getAllocator(Domain.OBJ)
 *   pymem-retainN                                         … keeping up to N empty arenas mapped
 *   pymem+madvise[N]                                      … release policy: empty pools' pages
 *                                                         given back, in batches of N (default 1)
 *   pymem+cacheK                                          … up to K empty arenas kept (arenaRetention,
 *                                                         the arena cache measured beside madvise)
 *   pymem-…-nocheck                                       … with checkFree off
 *   addon-glibc          node child (childReplay.ts)      glibc malloc per call through the addon
 *   glibc                native/replayer.cc               glibc malloc with no JS in the loop
 *   cpython              native/replayer.cc --libpython   CPython 3.11's own obmalloc (PyObject_Malloc
 *                                                         & co. of libpython, by dlopen)
 *   jemalloc, tcmalloc,  native/replayer.cc under         the same loop under another malloc
 *   mimalloc             LD_PRELOAD (Debian's packages)
 *   NAME=PATH            native/replayer.cc under         any malloc in a shared object
 *                        LD_PRELOAD=PATH
 *
 * Invariants: a preloaded allocator is only run when its shared object
 * exists; a run whose `malloc` did not come from it (the loader ignored the
 * preload) is refused by measure.ts; `cpython` only runs with a libpython
 * that the replayer opened and found to be 3.11 (`--probe`).  Nothing here
 * fails because a library is absent: it is reported as missing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CPYTHON_RELEASE, type ResolvedReleasePolicy, resolveReleasePolicy } from '../../allocator/releasePolicy.js';
import { InvalidArgumentError } from '../../errors.js';
import { packageRoot } from '../../packageRoot.js';
import { findLibpython } from '../libpython.js';

/** How an allocator is run. */
export type AllocatorSpec =
  | {
      kind: 'pymem';
      name: string;
      profile: 'cpython311' | 'classic';
      arenaRetention: number;
      checkFree: boolean;
      /** The release policy put on the profile (releasePolicy.ts); absent: CPython's. */
      release?: ResolvedReleasePolicy;
    }
  | { kind: 'addon'; name: string }
  | { kind: 'native'; name: string; preload?: string; debianPackage?: string }
  | { kind: 'cpython'; name: string; libpython?: string };

/** Name of the reference every ratio is taken against. */
export const BASELINE = 'glibc';

/** Name of CPython's own obmalloc, the second reference (pymem ÷ cpython). */
export const CPYTHON = 'cpython';

/** The allocators run when none are named. */
export const DEFAULT_ALLOCATORS = ['glibc', 'cpython', 'jemalloc', 'tcmalloc', 'mimalloc', 'addon-glibc', 'pymem', 'pymem-classic', 'pymem-retain16'];

/** Where Debian's packages put each preloadable allocator (the first that exists is used). */
const LIB_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib'];
const PRELOADS: Record<string, { files: string[]; debianPackage: string }> = {
  jemalloc: { files: ['libjemalloc.so.2', 'libjemalloc.so'], debianPackage: 'libjemalloc2' },
  tcmalloc: { files: ['libtcmalloc_minimal.so.4', 'libtcmalloc_minimal.so', 'libtcmalloc.so.4'], debianPackage: 'libtcmalloc-minimal4' },
  mimalloc: { files: ['libmimalloc.so.2', 'libmimalloc.so.2.0', 'libmimalloc.so'], debianPackage: 'libmimalloc2.0' },
};

/** Reads an allocator name (see the module note); throws RangeError naming what is accepted. */
export function parseAllocator(name: string): AllocatorSpec {
  const eq = name.indexOf('=');
  if (eq > 0) return { kind: 'native', name: name.slice(0, eq), preload: name.slice(eq + 1) };
  if (name === 'glibc') return { kind: 'native', name };
  if (name === 'addon-glibc') return { kind: 'addon', name };
  if (name === CPYTHON) return { kind: 'cpython', name };
  const lib = PRELOADS[name];
  if (lib !== undefined) {
    const dir = LIB_DIRS.find((d) => lib.files.some((f) => existsSync(join(d, f))));
    const file = dir === undefined ? join(LIB_DIRS[0]!, lib.files[0]!) : join(dir, lib.files.find((f) => existsSync(join(dir, f)))!);
    return { kind: 'native', name, preload: file, debianPackage: lib.debianPackage };
  }
  const m = /^pymem(-classic|-cpython311)?(?:-retain(\d+))?(\+madvise(\d*))?(?:\+cache(\d+))?(-nocheck)?$/.exec(name);
  if (m !== null) {
    const release = resolveReleasePolicy({ releasePoolsAt: m[3] === undefined ? 0 : m[4] === '' ? 1 : Number(m[4]) });
    return {
      kind: 'pymem',
      name,
      profile: m[1] === '-classic' ? 'classic' : 'cpython311',
      arenaRetention: m[2] !== undefined ? Number(m[2]) : m[5] !== undefined ? Number(m[5]) : 0,
      checkFree: m[6] === undefined,
      ...(release !== CPYTHON_RELEASE ? { release } : {}),
    };
  }
  throw new InvalidArgumentError(
    `unknown allocator ${JSON.stringify(name)}: expected glibc, cpython, jemalloc, tcmalloc, mimalloc, addon-glibc, ` +
      'pymem[-classic][-retainN][+madvise[N]][+cacheK][-nocheck], or NAME=/path/to/libmalloc.so',
  );
}

/** The native replayer executable (override: PYMEM_REPLAYER). */
export function replayerPath(): string {
  const override = process.env['PYMEM_REPLAYER'];
  if (override !== undefined && override !== '') return override;
  return join(packageRoot(), 'build', 'Release', 'pymem_replay');
}

/** An allocator that cannot run here, and why. */
export interface MissingAllocator {
  name: string;
  why: string;
}

/**
 * Opens `libpython` in the native replayer (`--probe`): null if it is a
 * CPython 3.11 the replayer can drive, else why not.
 */
export function probeLibpython(libpython: string): string | null {
  try {
    const out = execFileSync(replayerPath(), ['--libpython', libpython, '--probe'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return (JSON.parse(out) as { python?: string }).python !== undefined ? null : `the replayer could not read ${libpython}`;
  } catch (e) {
    const stderr = ((e as { stderr?: string }).stderr ?? '').trim();
    return stderr.replace(/^pymem_replay: /, '') || String(e);
  }
}

/** Options of {@link checkAvailable}. */
export interface AvailabilityOptions {
  /** The libpython the `cpython` contestant opens (default: found through python3's sysconfig). */
  libpython?: string;
}

/**
 * Splits `specs` into those that can run here and those that cannot (with
 * the reason, and the fix where known).  A `cpython` spec that can run comes
 * back with its `libpython` path filled in.
 */
export function checkAvailable(specs: AllocatorSpec[], opts: AvailabilityOptions = {}): { available: AllocatorSpec[]; missing: MissingAllocator[] } {
  const available: AllocatorSpec[] = [];
  const missing: MissingAllocator[] = [];
  const replayer = replayerPath();
  for (const s of specs) {
    if (s.kind === 'cpython') {
      if (!existsSync(replayer)) {
        missing.push({ name: s.name, why: `the native replayer ${replayer} is not built (npm run build:native)` });
        continue;
      }
      const lib = findLibpython(s.libpython ?? opts.libpython);
      const why = 'path' in lib ? probeLibpython(lib.path) : lib.missing;
      if (why === null && 'path' in lib) available.push({ ...s, libpython: lib.path });
      else missing.push({ name: s.name, why: why ?? 'no libpython' });
    } else if (s.kind === 'native' && !existsSync(replayer)) {
      missing.push({ name: s.name, why: `the native replayer ${replayer} is not built (npm run build:native)` });
    } else if (s.kind === 'native' && s.preload !== undefined && !existsSync(s.preload)) {
      const fix = s.debianPackage ? ` (apt-get install ${s.debianPackage})` : '';
      missing.push({ name: s.name, why: `no ${s.preload}${fix}` });
    } else {
      available.push(s);
    }
  }
  return { available, missing };
}
