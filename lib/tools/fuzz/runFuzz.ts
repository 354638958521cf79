/*
 * The `pymem run` fuzzer: generated Python programs run on the heap, each in
 * a fresh interpreter, as `pymem run` runs them.
 *
 *   valid     a small grammar of Python 3.11 (assignments, print, if/else,
 *             for over range(k) with k < 5, functions with defaults, classes
 *             with methods, try/except, lists, dicts, tuples, comprehensions,
 *             f-strings, del, self-referencing lists, gc.collect()); every
 *             loop is bounded and a function only calls those defined before
 *             it, so every program ends
 *   invalid   the same programs mutated: a character deleted, a token
 *             inserted, a line repeated, two lines swapped, the text cut
 *             short (no digit is ever inserted, so no bound grows)
 *
 * Every outcome must be one CPython can have: a normal exit, an uncaught
 * Python exception (a traceback ending in `SomeError: …` on stderr, status
 * 1), a SyntaxError or IndentationError, or SystemExit — never a JavaScript
 * exception out of the interpreter. After each program ran (before and
 * after finalization) pymalloc's invariants and the gc lists hold. A
 * program is reproduced by the seed and the op at which it started (ops
 * count generated statements).
 */
import { pymallocViolations } from '../../allocator/validate.js';
import { gcListViolations } from '../../gc/index.js';
import { execIn, finalize, newVm } from '../../eval/run.js';
import type { MemorySource } from '../../allocator/heap.js';
import { type FuzzReport, fail, newReport, recordFailure } from './fuzzReport.js';
import { Random } from './random.js';

/** Options of one run fuzz. */
export interface RunFuzzOptions {
  seed: number;
  /** Statements to generate in all (programs of 10 to 80 statements each). */
  ops: number;
  memory?: MemorySource;
  /** Share of programs mutated (default 0.4). */
  invalidShare?: number;
  onProgress?: (done: number, total: number) => void;
}

/** The last line of a traceback: an exception's name, then its message. */
const EXCEPTION_LINE = /^([A-Za-z_][A-Za-z0-9_.]*)(: .*)?$/;
/** Inserted by the mutator: tokens and punctuation, never a digit. */
const TOKENS = ['(', ')', ':', ',', 'not ', ' + ', '[', ']', 'None', 'del ', 'lambda: ', '\n', '    ', 'x', '.', ' * ', '=', 'return ', 'yield ', 'class ', 'def ', '"', "'", '#', '\\', 'if ', 'for ', ' in ', 'global ', 'nonlocal '];
const EXCEPTIONS = ['TypeError', 'ValueError', 'KeyError', 'IndexError', 'ZeroDivisionError', 'AttributeError', 'NameError'];

/** Writes random programs of the grammar in the module comment. */
class ProgramWriter {
  private lines: string[] = [];
  private vars = 0;
  private funcs: { name: string; arity: number }[] = [];
  private classes = 0;
  statements = 0;

  constructor(private readonly rnd: Random) {}

  program(n: number): string {
    this.lines = [];
    this.vars = 0;
    this.funcs = [];
    this.classes = 0;
    this.statements = 0;
    this.line(0, 'import gc');
    this.line(0, 'v0 = 0');
    this.vars = 1;
    while (this.statements < n) {
      // Most top-level statements are guarded, so a program runs on past its errors.
      if (this.rnd.chance(0.7)) {
        this.line(0, 'try:');
        this.stmt(1, 2);
        this.line(0, 'except Exception as e:');
        this.line(1, "print('caught', type(e).__name__, e)");
      } else {
        this.stmt(0, 2);
      }
    }
    return `${this.lines.join('\n')}\n`;
  }

  private line(indent: number, text: string): void {
    this.lines.push(`${'    '.repeat(indent)}${text}`);
  }

  private varName(): string {
    return this.vars === 0 || this.rnd.chance(0.3) ? `v${this.vars++}` : `v${this.rnd.below(this.vars)}`;
  }

  private someVar(locals: readonly string[]): string {
    const pool = [...locals, ...Array.from({ length: this.vars }, (_, i) => `v${i}`)];
    return pool.length === 0 ? `${this.rnd.below(50)}` : this.rnd.pick(pool);
  }

  expr(depth: number, locals: readonly string[] = []): string {
    const r = this.rnd;
    if (depth <= 0 || r.chance(0.35)) {
      switch (r.below(7)) {
        case 0:
          return `${r.below(50)}`;
        case 1:
          return `'${r.pick(['abc', 'x', '', 'hello world', 'é'])}'`;
        case 2:
          return r.pick(['None', 'True', 'False', '1.5', '-2', '0.25']);
        default:
          return this.someVar(locals);
      }
    }
    const e = (): string => this.expr(depth - 1, locals);
    switch (r.below(14)) {
      case 0:
      case 1:
        return `(${e()} ${r.pick(['+', '-', '*', '//', '%', '==', '<', 'and', 'or', '!='])} ${e()})`;
      case 2:
        return `[${e()}, ${e()}]`;
      case 3:
        return `{${e()}: ${e()}}`;
      case 4:
        return `${r.pick(['len', 'str', 'repr', 'bool', 'abs', 'sorted', 'list', 'tuple', 'type'])}(${e()})`;
      case 5: {
        if (this.funcs.length === 0) return e();
        const f = r.pick(this.funcs);
        return `${f.name}(${Array.from({ length: f.arity }, e).join(', ')})`;
      }
      case 6:
        return `[x * ${r.below(5)} for x in range(${r.below(5)})]`;
      case 7:
        return `${e()}[${r.below(3) - 1}]`;
      case 8:
        return `(${e()}, ${e()})`;
      case 9:
        return `(-${e()})`;
      case 10:
        return `f"{${this.someVar(locals)}}-{${this.someVar(locals)}!r:>4}"`;
      case 11:
        return `(${e()} if ${e()} else ${e()})`;
      case 12:
        return this.classes === 0 ? e() : `C${r.below(this.classes)}(${r.below(9)}).m(${e()})`;
      default:
        return `{${e()}, ${e()}}`;
    }
  }

  private block(indent: number, depth: number, locals: readonly string[]): void {
    const n = this.rnd.between(1, 3);
    for (let i = 0; i < n; i++) this.stmt(indent, depth, locals);
  }

  stmt(indent: number, depth: number, locals: readonly string[] = []): void {
    const r = this.rnd;
    this.statements++;
    const e = (): string => this.expr(2, locals);
    const k = depth <= 0 ? r.below(6) : r.below(13);
    switch (k) {
      case 0:
        this.line(indent, `${this.varName()} = ${e()}`);
        return;
      case 1:
      case 2:
        this.line(indent, `print(${e()}${r.chance(0.3) ? `, ${e()}` : ''})`);
        return;
      case 3: {
        const v = this.someVar(locals);
        this.line(indent, r.pick([`${v} = [${e()}]`, `${v}.append(${e()})`, `${v} = {}`, `${v}[${e()}] = ${e()}`]));
        return;
      }
      case 4:
        this.line(indent, r.pick(['gc.collect()', `del ${this.someVar([])}`, `assert ${e()}`, `${this.varName()} = []; v0 = [v0]`]));
        return;
      case 5:
        this.line(indent, `${this.varName()} = [${e()}]; v${this.vars - 1}.append(v${this.vars - 1})`);
        return;
      case 6:
        this.line(indent, `if ${e()}:`);
        this.block(indent + 1, depth - 1, locals);
        if (r.chance(0.5)) {
          this.line(indent, 'else:');
          this.block(indent + 1, depth - 1, locals);
        }
        return;
      case 7: {
        const i = `i${indent}`;
        this.line(indent, `for ${i} in range(${r.below(5)}):`);
        this.block(indent + 1, depth - 1, [...locals, i]);
        return;
      }
      case 8: {
        if (indent > 1) return this.stmt(indent, 0, locals);
        const name = `f${this.funcs.length}`;
        const arity = r.below(3);
        const params = ['a', 'b'].slice(0, arity);
        this.line(indent, `def ${name}(${params.join(', ')}${arity > 0 ? ', c=' : 'c='}${r.below(9)}):`);
        this.block(indent + 1, depth - 1, [...params, 'c']);
        this.line(indent + 1, `return ${this.expr(2, [...params, 'c'])}`);
        this.funcs.push({ name, arity });
        return;
      }
      case 9: {
        if (indent > 1) return this.stmt(indent, 0, locals);
        const name = `C${this.classes++}`;
        this.line(indent, `class ${name}:`);
        this.line(indent + 1, `x = ${e()}`);
        this.line(indent + 1, 'def __init__(self, y):');
        this.line(indent + 2, `self.y = y`);
        this.line(indent + 1, 'def m(self, z):');
        this.line(indent + 2, `return ${r.pick(['self.x', 'self.y', 'z', '[self.x, self.y, z]', '(self.y + z)', 'self'])}`);
        return;
      }
      case 10:
        this.line(indent, 'try:');
        this.block(indent + 1, depth - 1, locals);
        this.line(indent, `except (${r.pick(EXCEPTIONS)}, ${r.pick(EXCEPTIONS)}) as e:`);
        this.line(indent + 1, 'print(type(e).__name__)');
        return;
      case 11:
        this.line(indent, `raise ${r.pick(EXCEPTIONS)}(${e()})`);
        return;
      default:
        this.line(indent, `${this.varName()} = ${r.pick(['len', 'str', 'sorted', 'print'])}(${e()})`);
    }
  }
}

/** A program changed by 1 or 2 random edits (see the module comment). */
function mutate(rnd: Random, src: string): string {
  let s = src;
  for (let n = rnd.between(1, 2); n > 0; n--) {
    const at = rnd.below(s.length + 1);
    const lines = s.split('\n');
    switch (rnd.below(5)) {
      case 0:
        s = s.slice(0, at) + s.slice(at + 1);
        break;
      case 1:
        s = s.slice(0, at) + rnd.pick(TOKENS) + s.slice(at);
        break;
      case 2: {
        const i = rnd.below(lines.length);
        lines.splice(i, 0, lines[i]!);
        s = lines.join('\n');
        break;
      }
      case 3: {
        const i = rnd.below(lines.length);
        const j = rnd.below(lines.length);
        [lines[i], lines[j]] = [lines[j]!, lines[i]!];
        s = lines.join('\n');
        break;
      }
      default:
        s = s.slice(0, at);
    }
  }
  return s;
}

/** The kind of an outcome: 'exit 0', 'exit N', or the exception's name (SyntaxError, TypeError …). */
function outcomeOf(status: number, stderr: string): string | null {
  if (status === 0) return stderr === '' ? 'exit 0' : null;
  const last = stderr.trimEnd().split('\n').pop() ?? '';
  const m = EXCEPTION_LINE.exec(last);
  if (m !== null && status === 1) return m[1]!;
  return stderr === '' ? `exit ${status}` : null;
}

/** Runs generated programs until `ops` statements ran; see the module comment. */
export function fuzzRun(options: RunFuzzOptions): FuzzReport {
  const rnd = new Random(options.seed);
  const writer = new ProgramWriter(rnd);
  const report = newReport(options.seed);
  const invalidShare = options.invalidShare ?? 0.4;
  let call = '';
  let done = 0;
  try {
    while (done < options.ops) {
      const start = done;
      let src = writer.program(Math.min(rnd.between(10, 80), options.ops - done));
      done += writer.statements;
      report.ops = start + 1;
      const mutated = rnd.chance(invalidShare);
      if (mutated) {
        src = mutate(rnd, src);
        report.invalid++;
      }
      call = `program at op ${start + 1}${mutated ? ' (mutated)' : ''}:\n${src}`;
      let stderr = '';
      const vm = newVm({ filename: 'fuzz.py', memory: options.memory ?? 'native', io: { stdout: () => undefined, stderr: (t) => void (stderr += t) } });
      try {
        const status = execIn(vm, src, 'fuzz.py');
        const kind = outcomeOf(status, stderr);
        if (kind === null) fail(`status ${status} with stderr ${JSON.stringify(stderr.slice(-300))}`);
        report.errors[kind] = (report.errors[kind] ?? 0) + 1;
        const check = (when: string): void => {
          const v = [...pymallocViolations(vm.interp.rt.heap.pymalloc), ...gcListViolations(vm.interp.rt)];
          if (v.length > 0) fail(`heap invariants ${when}: ${v.slice(0, 3).join('; ')}`);
        };
        check('after the run');
        const blocks = vm.interp.rt.heap.debugMallocStats().classes.reduce((n, c) => n + c.blocksInUse, 0);
        report.peakLive = Math.max(report.peakLive, blocks);
        finalize(vm);
        check('after finalization');
      } finally {
        vm.interp.dispose();
      }
      options.onProgress?.(Math.min(done, options.ops), options.ops);
    }
    report.ops = options.ops;
  } catch (e) {
    recordFailure(report, call, e);
  }
  return report;
}
