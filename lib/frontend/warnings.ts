/*
 * How a warning reaches stderr (Lib/warnings.py: formatwarning and
 * linecache): `FILE:LINE: Category: message`, then the source line stripped
 * of blanks when the file's lines are known (never for a `<string>`-style
 * name, which linecache does not read). The compiler's SyntaxWarnings are
 * shown this way, once each, before the code runs.
 */
import type { CompileWarning } from './compile.js';

/** warnings.formatwarning(message, category, filename, lineno, line) with the line from `lines` (1-based lineno). */
export function formatWarning(w: CompileWarning, lines: readonly string[] | null): string {
  const pseudo = w.filename.startsWith('<') && w.filename.endsWith('>');
  const line = pseudo || lines === null ? '' : (lines[w.lineno - 1] ?? '').trim();
  return `${w.filename}:${w.lineno}: ${w.category}: ${w.message}\n${line !== '' ? `  ${line}\n` : ''}`;
}
