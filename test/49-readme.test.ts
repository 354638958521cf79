// The README's TypeScript blocks type-check against the library as it is
// (so an API change that breaks them fails here): each ```ts block is a
// module of its own, `pymem` resolving to lib/index.ts; a block without an
// import line gets `import { Domain, Heap, Python } from 'pymem'`. And
// docs/api.md lists every public member of Python, PyHandle and Heap.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { Heap } from '../lib/allocator/heap.js';
import { PyHandle, Python } from '../lib/python.js';

const root = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'pymem-readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('every TypeScript block of README.md type-checks', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
  expect(blocks.length).toBeGreaterThanOrEqual(7);
  const files = blocks.map((b, i) => {
    const f = join(dir, `block${i}.ts`);
    writeFileSync(f, `${/^import /m.test(b) ? '' : "import { Domain, Heap, Python } from 'pymem';\n"}${b}export {};\n`);
    return f;
  });
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        lib: ['ES2022', 'ESNext.Disposable'],
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: ['node'],
        typeRoots: [join(root, 'node_modules/@types')],
        paths: { pymem: [join(root, 'lib/index.ts')] },
      },
      files,
    }),
  );
  const r = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8' });
  expect(r.stdout + r.stderr).toBe('');
  expect(r.status).toBe(0);
});

it('docs/api.md names every public member of Python, PyHandle and Heap', () => {
  const api = readFileSync(join(root, 'docs/api.md'), 'utf8');
  const unlisted: string[] = [];
  for (const [cls, dts] of [
    [Python, 'lib/python.ts'],
    [PyHandle, 'lib/python.ts'],
    [Heap, 'lib/allocator/heap.ts'],
  ] as const) {
    const source = readFileSync(join(root, dts), 'utf8');
    const isPrivate = (name: string): boolean => new RegExp(`^  private (readonly )?${name}\\b`, 'm').test(source);
    for (const name of Object.getOwnPropertyNames(cls.prototype)) {
      if (name === 'constructor' || isPrivate(name)) continue;
      if (!new RegExp(`\`${name}[(\`]`).test(api)) unlisted.push(`${cls.name}.${name}`);
    }
  }
  expect(unlisted).toEqual([]);
});
