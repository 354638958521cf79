/**
 * Finding CPython 3.11 on this machine: the interpreter, its shared library
 * and its headers, as `sysconfig` of a `python3` reports them.  Used by the
 * `cpython` contestant of `pymem compare` (it dlopens the library) and by
 * `pymem record` (it compiles against the headers and links the library).
 *
 *   python3 -c 'sysconfig.get_config_vars("LIBDIR", "LDLIBRARY", "INSTSONAME", "MULTIARCH", "INCLUDEPY")'
 *     └─► libpython: LIBDIR/INSTSONAME, LIBDIR/LDLIBRARY (when a .so), LIBDIR/MULTIARCH/…,
 *                    then Debian's and the usual system directories
 *
 * Invariants: nothing here throws because something is absent; it answers
 * what was found and, for what was not, why (with the Debian package that
 * brings it).  Asking the interpreter is done once per process and executable.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The Debian packages that bring each part in. */
export const DEBIAN = { python: 'python3.11', libpython: 'libpython3.11', headers: 'libpython3.11-dev (or python3.11-dev)', cc: 'gcc' } as const;

/** What a `python3` said about itself. */
export interface PythonInstall {
  /** The interpreter asked (as given, e.g. `python3`). */
  command: string;
  /** sys.executable: the interpreter's own path (an embedding program takes it as program_name to find the same stdlib). */
  executable: string;
  /** platform.python_version(), e.g. 3.11.7. */
  version: string;
  /** sysconfig's INCLUDEPY: where Python.h is. */
  includeDir: string;
  libDir: string;
  ldLibrary: string;
  instSoName: string;
  multiArch: string;
}

const asked = new Map<string, PythonInstall | string>();

/**
 * What the interpreter `command` (default `python3`) reports, or why it could
 * not be asked (not on PATH, not a CPython, …).
 */
export function pythonInstall(command = 'python3'): PythonInstall | string {
  const known = asked.get(command);
  if (known !== undefined) return known;
  const script =
    'import json, platform, sys, sysconfig\n' +
    'v = sysconfig.get_config_vars("LIBDIR", "LDLIBRARY", "INSTSONAME", "MULTIARCH", "INCLUDEPY")\n' +
    'print(json.dumps([sys.executable, platform.python_version(), platform.python_implementation()] + [x or "" for x in v]))';
  let answer: PythonInstall | string;
  try {
    const out = execFileSync(command, ['-c', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PYTHONHASHSEED: '0' } });
    const [executable, version, impl, libDir, ldLibrary, instSoName, multiArch, includeDir] = JSON.parse(out) as string[];
    answer =
      impl !== 'CPython'
        ? `${command} is ${impl} ${version}, not CPython`
        : { command, executable: executable!, version: version!, includeDir: includeDir!, libDir: libDir!, ldLibrary: ldLibrary!, instSoName: instSoName!, multiArch: multiArch! };
  } catch (e) {
    const err = e as { code?: string; stderr?: string };
    answer = err.code === 'ENOENT' ? `no ${command} on PATH (apt-get install ${DEBIAN.python})` : `${command} failed: ${(err.stderr ?? String(e)).trim().split('\n').pop()}`;
  }
  asked.set(command, answer);
  return answer;
}

/** Whether a version string is a CPython 3.11. */
export const is311 = (version: string): boolean => /^3\.11\./.test(version);

/** System directories searched for libpython3.11.so.1.0 when the interpreter does not name one. */
const SYSTEM_LIB_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib'];

/**
 * The path of a libpython3.11 shared library: `explicit` if given (it must
 * exist), else the one of `install` (default: what `python3` reports) when
 * it is a 3.11 built with a shared library, else (unless `ownOnly`: an
 * embedding program must use its interpreter's own library) the first in the
 * system directories.
 */
export function findLibpython(explicit?: string, install?: PythonInstall | string, ownOnly = false): { path: string } | { missing: string } {
  if (explicit !== undefined) return existsSync(explicit) ? { path: explicit } : { missing: `no ${explicit}` };
  const python = install ?? pythonInstall();
  const candidates: string[] = [];
  if (typeof python !== 'string' && is311(python.version)) {
    for (const dir of [python.libDir, join(python.libDir, python.multiArch)]) {
      if (python.instSoName !== '') candidates.push(join(dir, python.instSoName));
      if (python.ldLibrary.includes('.so')) candidates.push(join(dir, python.ldLibrary));
    }
  }
  if (!ownOnly) for (const dir of SYSTEM_LIB_DIRS) candidates.push(join(dir, 'libpython3.11.so.1.0'), join(dir, 'libpython3.11.so'));
  const found = candidates.find((c) => c !== '' && existsSync(c));
  if (found !== undefined) return { path: found };
  const asked = typeof python === 'string' ? python : `${python.command} is ${python.version}${is311(python.version) ? ' without a shared library' : ''}`;
  return { missing: `no libpython3.11 shared library (${asked}; apt-get install ${DEBIAN.libpython}, or --libpython PATH)` };
}
