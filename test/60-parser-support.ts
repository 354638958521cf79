/*
 * The JSON shape record.py writes for CPython's ast (see its docstring), made
 * from pymem's AST, so the two compare with toEqual.
 */

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as ast from '../lib/frontend/ast.js';

export const PARSER_FIXTURES = join(import.meta.dirname, 'fixtures/frontend/parser');

/** Python's repr of a float: the shortest round-trip digits, in exponent form below 1e-4 and from 1e16. */
export function floatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mant, e] = x.toExponential().split('e');
  const exp = Number(e);
  const sign = mant.startsWith('-') ? '-' : '';
  const digits = mant.replace('-', '').replace('.', '');
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const int = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1);
  return `${sign}${int}.${frac === '' ? '0' : frac}`;
}

function constJson(v: ast.ConstantValue): unknown {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'bigint') return { int: v.toString() };
  if (typeof v === 'number') return { float: floatRepr(v) };
  if (Array.isArray(v)) return v.map(constJson);
  if (v === ast.Ellipsis) return { ellipsis: true };
  if (v.kind === 'bytes') return { bytes: Array.from(v.value) };
  if (v.kind === 'complex') return { complex: [floatRepr(v.real), floatRepr(v.imag)] };
  throw new Error('unknown constant');
}

/** pymem's AST in record.py's JSON shape. */
export function toJson(n: unknown): unknown {
  if (Array.isArray(n)) return n.map(toJson);
  if (n === null || typeof n !== 'object') return n;
  const node = n as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    out[k] = k === 'value' && (node._type === 'Constant' || node._type === 'MatchSingleton') ? constJson(v as ast.ConstantValue) : toJson(v);
  }
  return out;
}

/** The sources of a fixture directory, by file name. */
export function readSources(dir: string): [string, string][] {
  const d = join(PARSER_FIXTURES, dir);
  return readdirSync(d)
    .filter((f) => f.endsWith('.py'))
    .sort()
    .map((f) => [f, readFileSync(join(d, f), 'utf8')]);
}
