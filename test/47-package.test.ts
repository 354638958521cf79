// The package as a user gets it: `npm pack`, the tarball installed into an
// empty project (its install script builds the addon, or uses prebuilds/),
// then an example run there, importing 'pymem' by name, and the command run
// through npx. The tarball ships no bench/ or tests, and every source map in
// it points at a source it also ships.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'pymem-pack-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const npm = (args: string[], cwd: string): string => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });

let files: string[] = [];
let project = '';

beforeAll(() => {
  const [packed] = JSON.parse(npm(['pack', '--json', '--pack-destination', dir], root)) as [{ filename: string; files: { path: string }[] }];
  files = packed.files.map((f) => f.path);
  project = join(dir, 'project');
  execFileSync('mkdir', ['-p', project]);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'uses-pymem', version: '1.0.0', type: 'module', private: true }));
  npm(['install', '--no-audit', '--no-fund', '--prefer-offline', join(dir, packed.filename)], project);
}, 320_000);

describe('the packed package', () => {
  it('ships the library, the command, the native sources, the README with its picture and the demo trace; no bench, tests or examples', () => {
    for (const f of ['dist/lib/index.js', 'dist/lib/index.d.ts', 'dist/bin/pymem.js', 'lib/python.ts', 'native/pymem.cc', 'binding.gyp', 'LICENSE', 'README.md', 'docs/heap.svg', 'docs/api.md', 'fixtures/traces/startup.trace.gz']) expect(files).toContain(f);
    expect(files.filter((f) => /^(bench|test|dist\/bench|examples)\//.test(f) || (f.startsWith('docs/') && !['docs/heap.svg', 'docs/api.md'].includes(f)))).toEqual([]);
  });

  it('has no source map pointing at a source it does not ship', () => {
    const maps = files.filter((f) => f.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(0);
    const missing: string[] = [];
    for (const m of maps) {
      const { sources } = JSON.parse(readFileSync(join(root, m), 'utf8')) as { sources: string[] };
      for (const s of sources) {
        const target = join(m, '..', s).replace(/\\/g, '/');
        if (!files.includes(target)) missing.push(`${m} -> ${target}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('runs an example in a project that installed the tarball', () => {
    copyFileSync(join(root, 'examples/01-refcounts.mjs'), join(project, 'refcounts.mjs'));
    const r = spawnSync(process.execPath, ['refcounts.mjs'], { cwd: project, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(readFileSync(join(root, 'examples/01-refcounts.out'), 'utf8'));
  });

  it('runs the command there: npx pymem --version and the demo', () => {
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    expect(npm(['exec', '--', 'pymem', '--version'], project)).toBe(`pymem ${version}\n`);
    const demo = spawnSync('npm', ['exec', '--', 'pymem', 'demo'], { cwd: project, encoding: 'utf8' });
    expect(demo.status).toBe(0);
    expect(demo.stdout).toContain('lines differing: 0 of ');
  });
});
