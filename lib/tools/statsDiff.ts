/*
 * Line-by-line comparison of two _debugmallocstats texts (pymem's and the one
 * CPython printed), for the replay report and `npm start`. Lines are paired by
 * position; a line is different when its text differs in any character.
 */

/** One paired line of the two texts. */
export interface DiffLine {
  ours: string;
  theirs: string;
  same: boolean;
}

/** Pairs the lines of two texts (trailing newline ignored). */
export function diffLines(ours: string, theirs: string): DiffLine[] {
  const a = ours.replace(/\n$/, '').split('\n');
  const b = theirs.replace(/\n$/, '').split('\n');
  const n = Math.max(a.length, b.length);
  const out: DiffLine[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[i] ?? '';
    const y = b[i] ?? '';
    out.push({ ours: x, theirs: y, same: x === y });
  }
  return out;
}

/** The two texts side by side with a marker column: ' ' equal, '≠' different. */
export function sideBySide(lines: DiffLine[], left: string, right: string): string {
  const w = Math.max(left.length, ...lines.map((l) => l.ours.length));
  let out = `${left.padEnd(w)}   ${right}\n${'-'.repeat(w)}   ${'-'.repeat(right.length)}\n`;
  for (const l of lines) out += `${l.ours.padEnd(w)} ${l.same ? ' ' : '≠'} ${l.theirs}\n`;
  return out;
}
