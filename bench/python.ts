/*
 * Running CPython 3.11 (`python3`) beside pymem in the benchmarks: whether it
 * can run, and one run of a bench script whose last stdout line is JSON.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** The CPython the benchmarks run beside pymem. */
export const PYTHON = 'python3';

/** python3's version, or why it cannot run `script`. */
export function probePython(script: string): { version: string } | { missing: string } {
  const r = spawnSync(PYTHON, ['-c', 'import sys; print(sys.version.split()[0])'], { encoding: 'utf8' });
  if (r.error !== undefined) return { missing: `${PYTHON} could not be run (${(r.error as NodeJS.ErrnoException).code ?? r.error.message})` };
  if (r.status !== 0) return { missing: `${PYTHON} exited with ${r.status ?? r.signal}: ${r.stderr.trim()}` };
  if (!existsSync(script)) return { missing: `${script} is missing` };
  return { version: r.stdout.trim() };
}

/** Runs `python3 script ...args` and parses the JSON of its last line. */
export function runPython<T>(script: string, args: readonly string[]): T {
  const r = spawnSync(PYTHON, [script, ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.error !== undefined) throw r.error;
  if (r.status !== 0) throw new Error(`${script} ${args.join(' ')} exited with ${r.status ?? r.signal}:\n${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as T;
}
