/*
 * Runs one of the benchmark's helper scripts (compiled next to this file in
 * dist/bench/) in a child process of its own, so that its RSS, its JIT and
 * V8's process-wide state are its own; returns the JSON it prints last.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Runs `node [flags] <script> [args]` and parses the last line of its stdout as JSON. */
export function runChild(script: string, args: readonly string[] = [], nodeFlags: readonly string[] = []): unknown {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const r = spawnSync(process.execPath, [...nodeFlags, path, ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.error !== undefined) throw r.error;
  if (r.status !== 0) {
    throw new Error(`${script} ${args.join(' ')} exited with ${r.status ?? r.signal}:\n${r.stderr}`);
  }
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as unknown;
}
