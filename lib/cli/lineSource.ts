/*
 * Where the interactive loop reads its lines (LineSource): a terminal,
 * through node:readline with line editing, prompts on stdout and Ctrl-C as
 * KeyboardInterrupt; or a pipe, as `python3 -i < FILE` reads one: the
 * prompts on stderr, nothing echoed, a newline on stderr at end of input.
 *
 * Invariants: after end of input every readLine resolves with null (a pipe's
 * still shows its prompt first, as python3 -i does after running what the
 * end of input completed).
 */
import { createInterface } from 'node:readline';
import { KEYBOARD_INTERRUPT, type LineSource } from '../eval/runCommand.js';

/** Lines of a terminal (stdin and stdout TTYs). */
export function terminalLines(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): LineSource & { close(): void } {
  const rl = createInterface({ input, output, terminal: true });
  let closed = false;
  let pending: ((v: string | null | typeof KEYBOARD_INTERRUPT) => void) | null = null;
  const settle = (v: string | null | typeof KEYBOARD_INTERRUPT): void => {
    const p = pending;
    pending = null;
    p?.(v);
  };
  rl.on('close', () => {
    closed = true;
    output.write('\n');
    settle(null);
  });
  rl.on('SIGINT', () => settle(KEYBOARD_INTERRUPT));
  return {
    readLine(prompt) {
      if (closed) return Promise.resolve(null);
      return new Promise((resolve) => {
        pending = resolve;
        rl.question(prompt, (line) => settle(line));
      });
    },
    close: () => rl.close(),
  };
}

/** Lines of a pipe or file, prompts written to `promptOut` (python3 -i's stderr). */
export function pipedLines(input: NodeJS.ReadableStream, promptOut: (text: string) => void): LineSource {
  const lines = createInterface({ input, terminal: false, crlfDelay: Infinity })[Symbol.asyncIterator]();
  return {
    async readLine(prompt) {
      promptOut(prompt);
      const next = await lines.next();
      if (next.done === true) {
        promptOut('\n');
        return null;
      }
      return next.value;
    },
  };
}
