// Each struct of the object layer is declared once, in the module that owns
// it: the layout table in that module's opening comment is formatLayout of
// the declaration (so the comment cannot drift from the code), and no module
// of the object layer or the collector reads memory except through the
// declared accessors (no Memory, no offset arithmetic of its own).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StructDecl, formatLayout } from '../lib/struct.js';

const root = join(import.meta.dirname, '..');
const dirs = ['lib/objects', 'lib/objects/types', 'lib/gc'];
const files = dirs.flatMap((d) =>
  readdirSync(join(root, d))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => `${d}/${f}`),
);

/** The module's opening comment, without the ` * ` of each line. */
function openingComment(source: string): string {
  const m = /^\/\*([\s\S]*?)\*\//.exec(source);
  if (m === null) return '';
  return m[1]!
    .split('\n')
    .map((l) => l.replace(/^ \* ?/, '').trimEnd())
    .join('\n');
}

describe('declared struct layouts', () => {
  const declared: [string, StructDecl][] = [];

  it.each(files)('%s: every exported struct has its layout table in the opening comment', async (file) => {
    const mod = (await import(join(root, file))) as Record<string, unknown>;
    const comment = openingComment(readFileSync(join(root, file), 'utf8'));
    for (const [name, value] of Object.entries(mod)) {
      if (!(value instanceof StructDecl)) continue;
      declared.push([file, value]);
      const table = formatLayout(value);
      expect(comment.includes(table), `${file}: the comment should carry ${name}'s table:\n${table}`).toBe(true);
    }
  });

  it('declares every struct once', () => {
    const names = declared.map(([, s]) => s.name);
    expect(names.length).toBeGreaterThan(20);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(files)('%s reads memory only through declared structs', (file) => {
    const source = readFileSync(join(root, file), 'utf8');
    expect(source).not.toMatch(/allocator\/memory\.js|\bmem\.\w+\(/);
    // layout.ts hands access.ts's loads to the declarations (heapAccess) and keeps the two accessors whose offset is data.
    if (file !== 'lib/objects/layout.ts') {
      expect(source).not.toMatch(/\bload(?:U8|U16|U32|I32|I64|F64|Ptr)\(|\bstore(?:U8|U16|U32|I32|I64|F64|Ptr)\(/);
    }
  });
});
