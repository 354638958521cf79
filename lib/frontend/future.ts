/*
 * `from __future__ import ...` as CPython 3.11 checks it (Python/future.c:
 * future_parse, future_check_features). Future statements may only follow
 * the docstring and each other; the features of Python 2 times are accepted
 * and change nothing; `braces` and unknown names are SyntaxErrors. The two
 * features that change compilation, `annotations` (annotations kept as
 * strings) and `barry_as_FLUFL` (the `<>` operator), are refused by the
 * compiler as unsupported.
 */

import type * as ast from './ast.js';
import { PySyntaxError } from './syntaxError.js';

const NO_EFFECT = new Set(['nested_scopes', 'generators', 'division', 'absolute_import', 'with_statement', 'print_function', 'unicode_literals', 'generator_stop']);

/** What future_parse finds: the line of the last future statement (-1: none) and the features that matter. */
export interface FutureFeatures {
  lineno: number;
  /** The imported features that change compilation ('annotations', 'barry_as_FLUFL'). */
  features: Set<string>;
}

/** PyErr_SyntaxLocationObject: a SyntaxError at a line and (1-based) column. */
function syntaxError(msg: string, lineno: number, offset: number, filename: string, lines: string[]): never {
  throw new PySyntaxError(msg, 'SyntaxError', filename, lineno, offset, lineno, -1, lines[lineno - 1] ?? null);
}

/** future_check_features. */
function checkFeatures(ff: FutureFeatures, s: ast.ImportFrom, filename: string, lines: string[]): void {
  for (const alias of s.names) {
    const feature = alias.name;
    if (NO_EFFECT.has(feature)) continue;
    if (feature === 'annotations' || feature === 'barry_as_FLUFL') ff.features.add(feature);
    else if (feature === 'braces') syntaxError('not a chance', s.lineno, s.col_offset + 1, filename, lines);
    else syntaxError(`future feature ${feature} is not defined`, s.lineno, s.col_offset + 1, filename, lines);
  }
}

/** future_parse: the future statements at the top of a module. */
export function futureParse(mod: ast.ModNode, filename: string, lines: string[]): FutureFeatures {
  const ff: FutureFeatures = { lineno: -1, features: new Set() };
  if (mod._type !== 'Module' && mod._type !== 'Interactive') return ff;
  const body = mod.body;
  let i = 0;
  const first = body[0];
  if (first && first._type === 'Expr' && first.value._type === 'Constant' && typeof first.value.value === 'string') i++;
  let done = false;
  let prevLine = 0;
  for (; i < body.length; i++) {
    const s = body[i]!;
    if (done && s.lineno > prevLine) return ff;
    prevLine = s.lineno;
    if (s._type === 'ImportFrom' && s.module === '__future__') {
      if (done) syntaxError('from __future__ imports must occur at the beginning of the file', s.lineno, s.col_offset, filename, lines);
      checkFeatures(ff, s, filename, lines);
      ff.lineno = s.lineno;
    } else {
      done = true;
    }
  }
  return ff;
}
