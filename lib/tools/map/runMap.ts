/*
 * `pymem run --map OUT FILE.py`: the arena map of a Python program. With OUT
 * ending in .svg, the map at exit (before finalization), and at each
 * breakpoint() call, a numbered file beside it (OUT-1.svg, OUT-2.svg …); with
 * .html, a page that steps through the program line by line (the loop's
 * tracer events, Vm.lineTracer, beside --lines' own when both are on): at
 * each step the arenas, the program's names and objects
 * (objectGraph.ts) and the pools holding those objects, at most `maxSteps`
 * steps spread evenly over the run (mapSteps.ts), and the last one at exit.
 *
 * Invariants: reading the heap at a step changes nothing in it (the
 * drawings only read); the program's output is passed through unchanged.
 */
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Vm, VmIO } from '../../eval/vm.js';
import type { LineEvents, TracedFrame } from '../../eval/lineTracer.js';
import { UsageError } from '../../errors.js';
import { arenaMapFrame } from './arenaMap.js';
import { mappedArenas, poolSlots } from './arenaView.js';
import { mapPage } from './mapPage.js';
import { type ObjectGraph, objectGraph, programRoots } from './objectGraph.js';
import { renderArenaMap } from './renderArenaMap.js';
import { type MomentData, StepRecorder } from './mapSteps.js';

/** Slot states as runs, "state:count" joined by commas ("1:300,2:4,0:206"): a pool's blocks in a few characters. */
export function runLengths(slots: Uint8Array): string {
  const runs: string[] = [];
  for (let i = 0; i < slots.length; ) {
    let j = i + 1;
    while (j < slots.length && slots[j] === slots[i]) j++;
    runs.push(`${slots[i]}:${j - i}`);
    i = j;
  }
  return runs.join(',');
}

/** The blocks of each pool holding one of the graph's objects (as runLengths), by "ordinal:pool". */
export function poolsOf(vm: Vm, graph: ObjectGraph): Map<string, { blockSize: number; slots: string }> {
  const heap = vm.interp.rt.heap;
  const pm = heap.pymalloc;
  const arenas = new Map(mappedArenas(pm).map((a) => [a.ordinal, a]));
  const out = new Map<string, { blockSize: number; slots: string }>();
  for (const n of graph.nodes) {
    if (n.block === null) continue;
    const key = `${n.block.arena}:${n.block.pool}`;
    const ao = arenas.get(n.block.arena);
    if (out.has(key) || ao === undefined) continue;
    out.set(key, { blockSize: n.block.blockSize, slots: runLengths(poolSlots(pm, ao, ao.firstPool + n.block.pool * heap.profile.poolSize)) });
  }
  return out;
}

/** Records a run's arena map and writes it at the end. */
export class RunMap {
  private readonly html: boolean;
  private readonly recorder: StepRecorder;
  private output = '';
  private breakpoints = 0;
  private vm: Vm | null = null;

  /** `out` must end in .svg or .html (else a UsageError); `source` is the program's text, shown beside the steps. */
  constructor(
    readonly out: string,
    private readonly filename: string,
    private readonly source: string,
    maxSteps = 300,
  ) {
    if (!/\.(svg|html)$/.test(out)) throw new UsageError(`--map writes .svg or .html, got ${out}`);
    this.html = out.endsWith('.html');
    this.recorder = new StepRecorder(maxSteps);
  }

  /** The program's io, with stdout also kept for the page. */
  tee(io: VmIO): VmIO {
    return {
      stdout: (t) => {
        this.output += t;
        io.stdout(t);
      },
      stderr: (t) => io.stderr(t),
    };
  }

  /** Starts stepping vm (for a page) and makes the program's breakpoint() a moment of the map. */
  attach(vm: Vm): void {
    this.vm = vm;
    const { interp } = vm;
    const ml = vm.cfunc.define({
      name: 'breakpoint',
      meth: () => {
        this.breakpoint();
        interp.rt.incref(interp.singletons.None);
        return interp.singletons.None;
      },
    });
    const fn = vm.cfunc.newFunction(ml, 0, vm.modules.get('builtins')!);
    const name = interp.str.fromString('breakpoint');
    interp.dict.setItem(vm.builtins, name, fn);
    interp.rt.decref(name);
    interp.rt.decref(fn);
    if (!this.html) return;
    // A line event: a frame's first instruction of a line other than the one it ran before (a new frame starts afresh).
    const lastLine = new Map<number, number>();
    const inner = vm.lineTracer;
    const events: LineEvents = {
      instruction: (fr: TracedFrame) => {
        inner?.instruction(fr);
        if (fr.lasti === 0) lastLine.delete(fr.f);
        const line = fr.info.lines[fr.lasti >> 1]!;
        const code = fr.info.co;
        if (line <= 0 || lastLine.get(fr.f) === line || code.filename !== this.filename) return;
        lastLine.set(fr.f, line);
        if (!this.recorder.wants()) this.recorder.skip();
        else this.recorder.offer(() => this.moment(`line ${line}${code.name === '<module>' ? '' : ` (in ${code.name})`}`, line, code.name));
      },
      leave: (fr: TracedFrame) => {
        inner?.leave(fr);
        lastLine.delete(fr.f);
      },
    };
    vm.lineTracer = events;
  }

  /** breakpoint(): an SVG of the heap now (OUT-N.svg), or a step of the page. */
  breakpoint(): void {
    const vm = this.vm;
    if (vm === null) return;
    this.breakpoints++;
    if (this.html) this.recorder.offer(() => this.moment(`breakpoint() ${this.breakpoints}`), true);
    else writeFileSync(this.out.replace(/\.svg$/, `-${this.breakpoints}.svg`), renderArenaMap(arenaMapFrame(vm.interp.rt.heap), { note: `${basename(this.filename)}: at breakpoint() ${this.breakpoints}` }));
  }

  /** Writes the map (call at exit, before finalization). */
  finish(): void {
    const vm = this.vm;
    if (vm === null) return;
    if (!this.html) {
      writeFileSync(this.out, renderArenaMap(arenaMapFrame(vm.interp.rt.heap), { note: `${basename(this.filename)}: at exit, before finalization` }));
      return;
    }
    this.recorder.offer(() => this.moment('at exit (before finalization)'), true);
    writeFileSync(this.out, mapPage({ kind: 'run', title: `pymem run --map: ${basename(this.filename)}`, source: this.source, output: this.output, steps: this.recorder.result() }));
  }

  private moment(label: string, line?: number, func?: string): MomentData {
    const vm = this.vm!;
    const graph = objectGraph(vm.interp, programRoots(vm));
    return {
      label,
      frame: arenaMapFrame(vm.interp.rt.heap),
      ...(line === undefined ? {} : { line }),
      ...(func === undefined ? {} : { func }),
      out: this.output.length,
      graph,
      pools: poolsOf(vm, graph),
    };
  }
}
