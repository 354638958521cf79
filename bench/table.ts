/*
 * Markdown tables and number formats shared by the benchmark sections, so
 * every table in bench/RESULTS.md reads the same way.
 */

/** A markdown table; columns after the first are right-aligned (they hold numbers). */
export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((x, c) => (c === 0 ? x.padEnd(widths[c]!) : x.padStart(widths[c]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, c) => (c === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

/** Nanoseconds with one decimal below 100, none above. */
export function fmtNs(ns: number): string {
  return ns < 100 ? ns.toFixed(1) : ns.toFixed(0);
}

/** A ratio as `1.23×`. */
export function fmtRatio(r: number): string {
  return `${r.toFixed(2)}×`;
}

/** Bytes as MiB with one decimal. */
export function fmtMiB(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1);
}
