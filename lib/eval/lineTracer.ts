/*
 * `pymem run --lines`: the evaluation loop's 'call', 'line' and 'return'
 * events (what sys.settrace sees in CPython 3.11) fed to a LineProfile
 * (lib/tools/lineProfile.ts), measuring RSS and the heap's exact pymalloc and
 * raw bytes (HeapBytes) at each event, as memory_profiler does.
 *
 * The events follow Python/ceval.c's tracing: RESUME is a 'call' (a frame
 * starting or a generator resumed); any other instruction at or after the
 * first RESUME is a 'line' when its line is not -1 and differs from the line
 * of the instruction the frame ran before (none right after RESUME), or when
 * it jumps backwards other than into SEND (maybe_call_line_trace); a frame
 * leaving — return, yield, an exception — is a 'return'.
 *
 * What is profiled: the functions given to the `profile` builtin (as
 * `@profile`, memory_profiler's decorator) with the code nested in them;
 * when the program gives none, every code object of the program's file.
 *
 * Invariants: prevUnit holds, for each frame seen, the code unit of the last
 * instruction it ran (reset at each RESUME); a frame is in `active` from its
 * 'call' to its 'return', so every 'return' matches a 'call'.
 */
import { processMemory } from '../allocator/osMemory.js';
import { HeapBytes, LineProfile, type Measures } from '../tools/lineProfile.js';
import { id, none } from './abstract.js';
import type { CodeInfo } from './ceval.js';
import { sources } from './traceback.js';
import type { Vm } from './vm.js';

/** A frame as the loop shows it to a tracer: its _PyInterpreterFrame, decoded code, running instruction (byte offset). */
export interface TracedFrame {
  readonly f: number;
  readonly info: CodeInfo;
  readonly lasti: number;
}

/** What the evaluation loop tells a tracer (Vm.lineTracer). */
export interface LineEvents {
  /** Before each instruction the frame runs. */
  instruction(fr: TracedFrame): void;
  /** The frame leaves: it returns, yields or is unwound by an exception. */
  leave(fr: TracedFrame): void;
}

const RESUME = 151;
const SEND = 123;

/** The line tracer of one run: two profiles (decorated functions; the whole file) over one heap's counts. */
export class LineTracer implements LineEvents {
  private readonly decorated: LineProfile;
  private readonly file: LineProfile;
  private readonly prevUnit = new Map<number, number>();
  /** Frames between their 'call' and their 'return' (a frame left before its RESUME, as a new generator's, has none). */
  private readonly active = new Set<number>();
  private readonly firstTraceable = new WeakMap<CodeInfo, number>();
  private moduleCode = 0;

  /**
   * @param vm the interpreter (its `profile` builtin is installed here)
   * @param bytes the heap's counts (a HeapBytes made when the heap was built, in HeapOptions.onCreate)
   * @param filename the program's file name, as its code objects carry it
   */
  constructor(
    private readonly vm: Vm,
    bytes: HeapBytes,
    private readonly filename: string,
  ) {
    const measure = (): Measures => [processMemory().rss / 2 ** 20, bytes.pymalloc, bytes.raw];
    this.decorated = new LineProfile(measure);
    this.file = new LineProfile(measure);
    this.installProfileBuiltin();
  }

  instruction(fr: TracedFrame): void {
    const { info } = fr;
    const unit = fr.lasti >> 1;
    const first = this.firstTraceableOf(info);
    if (unit < first) return;
    const code = info.ptr;
    this.register(info);
    if (info.code[fr.lasti] === RESUME) {
      this.prevUnit.set(fr.f, unit);
      this.active.add(fr.f);
      const line = Math.max(info.lines[unit] ?? 0, 0);
      this.decorated.call(code, line);
      this.file.call(code, line);
      return;
    }
    const prev = this.prevUnit.get(fr.f) ?? -1;
    this.prevUnit.set(fr.f, unit);
    const line = info.lines[unit] ?? -1;
    const lastline = prev <= first ? -1 : (info.lines[prev] ?? -1);
    if (line !== -1 && (line !== lastline || (unit < prev && info.code[fr.lasti] !== SEND))) {
      this.decorated.line(code, line);
      this.file.line(code, line);
    }
  }

  leave(fr: TracedFrame): void {
    if (!this.active.delete(fr.f)) return;
    this.decorated.return(fr.info.ptr);
    this.file.return(fr.info.ptr);
  }

  /** The report: the decorated functions' blocks, or the whole file's when no function was decorated. */
  format(): string {
    return (this.decorated.measured ? this.decorated : this.file).format();
  }

  /** _co_firsttraceable: the unit of the first RESUME. */
  private firstTraceableOf(info: CodeInfo): number {
    let first = this.firstTraceable.get(info);
    if (first === undefined) {
      first = 0;
      while (first * 2 < info.code.length && info.code[first * 2] !== RESUME) first++;
      this.firstTraceable.set(info, first);
    }
    return first;
  }

  /** Code of the program's file joins the whole-file profile (its module code the block, the rest nested in it). */
  private register(info: CodeInfo): void {
    if (info.co.filename !== this.filename || this.file.has(info.ptr)) return;
    if (this.moduleCode === 0) {
      const source = this.source();
      this.moduleCode = info.ptr;
      this.file.addToplevel(info.ptr, this.filename, source, 1, source.split('\n').length - (source.endsWith('\n') ? 1 : 0));
    } else this.file.addCode(info.ptr, this.moduleCode);
  }

  private source(): string {
    return (sources.get(this.vm)?.get(this.filename) ?? []).join('\n');
  }

  /** builtins.profile(func): memory_profiler's decorator — func's code (and the code nested in it) profiled; func returned. */
  private installProfileBuiltin(): void {
    const { vm } = this;
    const { interp } = vm;
    const ml = vm.cfunc.define({
      name: 'profile',
      meth: (_self, args) => {
        const func = args[0];
        if (func === undefined || !interp.function.check(func)) return func === undefined ? none(vm) : (interp.rt.incref(func), func);
        const code = interp.function.fields(func).code;
        this.addDecorated(code);
        interp.rt.incref(func);
        return func;
      },
    });
    const f = vm.cfunc.newFunction(ml, 0, 0);
    interp.dict.setItem(vm.builtins, id(vm, 'profile'), f);
    interp.rt.decref(f);
  }

  /** CodeMap.add(code): a block from co_firstlineno to the end of the function (inspect.getsourcelines), its nested code with it. */
  private addDecorated(code: number): void {
    const { vm } = this;
    const co = vm.code.value(code);
    const source = (sources.get(vm)?.get(co.filename) ?? []).join('\n');
    if (!this.decorated.addToplevel(code, co.filename, source, co.firstlineno, blockEnd(source.split('\n'), co.firstlineno))) return;
    const nest = (ptr: number): void => {
      for (const c of vm.interp.tuple.items(vm.code.consts(ptr))) {
        if (vm.code.check(c)) {
          this.decorated.addCode(c, code);
          nest(c);
        }
      }
    };
    nest(code);
  }
}

/** inspect.getblock, by indentation: the last line of the def (or class) starting at line `first` (1-based), its decorators included. */
function blockEnd(lines: readonly string[], first: number): number {
  const indent = (l: string): number => l.length - l.trimStart().length;
  const base = indent(lines[first - 1] ?? '');
  let j = first;
  while (j <= lines.length && /^\s*@/.test(lines[j - 1]!)) j++;
  let last = j;
  for (let k = j + 1; k <= lines.length; k++) {
    const l = lines[k - 1]!;
    const t = l.trim();
    if (t === '' || t.startsWith('#')) continue;
    if (indent(l) <= base) break;
    last = k;
  }
  return last;
}

