/*
 * A progress bar for long work, drawn on stderr only when it is a terminal
 * (never in CI logs or pipes), redrawn at most ten times a second.
 */

/** A progress bar; `update(done, total, note?)` as work advances (the note follows the bar: "1,234 events"), `done()` at the end. */
export interface Progress {
  update(done: number, total: number, note?: string): void;
  done(): void;
}

/** A bar labelled `label` on stderr, or a silent one when stderr is not a TTY (or `enabled` is false). */
export function progressBar(label: string, enabled = process.stderr.isTTY === true): Progress {
  if (!enabled) return { update() {}, done() {} };
  let last = 0;
  const start = Date.now();
  const width = 30;
  return {
    update(done, total, note) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      const f = total > 0 ? Math.min(1, done / total) : 0;
      const filled = Math.round(f * width);
      const secs = ((now - start) / 1000).toFixed(1);
      process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(f * 100).toFixed(0).padStart(3)}% ${secs}s${note ? ` ${note}` : ''}`);
    },
    done() {
      process.stderr.write('\r\x1b[2K');
    },
  };
}
