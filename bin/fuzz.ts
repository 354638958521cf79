#!/usr/bin/env node
/*
 * The long fuzz: `npm run fuzz -- [--target heap|capi|handles|gc|run] --ops N --seed S
 * [--profile P] [--memory native|fake] [--debug]`. Runs one fuzz target
 * (lib/tools/fuzz/) and prints its report; exit status 1 when it found a
 * disagreement (the target, seed and operation number reproduce it), 2 on
 * bad usage. --profile and --debug apply to the heap target.
 */
import { parseArgs } from 'node:util';
import { fuzzCapi } from '../lib/tools/fuzz/capiFuzz.js';
import type { FuzzReport } from '../lib/tools/fuzz/fuzzReport.js';
import { fuzzGc } from '../lib/tools/fuzz/gcFuzz.js';
import { fuzzHandles } from '../lib/tools/fuzz/handleFuzz.js';
import { fuzzHeap } from '../lib/tools/fuzz/heapFuzz.js';
import { fuzzRun } from '../lib/tools/fuzz/runFuzz.js';
import { progressBar } from '../lib/tools/progress.js';

const USAGE = 'usage: npm run fuzz -- [--target heap|capi|handles|gc|run] [--ops N] [--seed S] [--profile P] [--memory native|fake] [--debug]';
const TARGETS = ['heap', 'capi', 'handles', 'gc', 'run'] as const;
type Target = (typeof TARGETS)[number];

function main(): number {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        target: { type: 'string', default: 'heap' },
        ops: { type: 'string', default: '1000000' },
        seed: { type: 'string', default: '1' },
        profile: { type: 'string', default: 'cpython311' },
        memory: { type: 'string', default: 'native' },
        debug: { type: 'boolean', default: false },
      },
    }));
  } catch (e) {
    process.stderr.write(`fuzz: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const ops = Number(values.ops);
  const seed = Number(values.seed);
  const target = values.target as Target;
  if (!Number.isSafeInteger(ops) || ops < 1 || !Number.isSafeInteger(seed) || (values.memory !== 'native' && values.memory !== 'fake') || !TARGETS.includes(target)) {
    process.stderr.write(`fuzz: --ops and --seed take whole numbers, --memory native or fake, --target one of ${TARGETS.join(', ')}\n${USAGE}\n`);
    return 2;
  }
  const bar = progressBar(`fuzz ${target}`);
  const memory = values.memory as 'native' | 'fake';
  const common = { seed, ops, memory, onProgress: (d: number, t: number) => bar.update(d, t) };
  const start = process.hrtime.bigint();
  const run: Record<Target, () => FuzzReport> = {
    heap: () => fuzzHeap({ ...common, profile: values.profile, debug: values.debug }),
    capi: () => fuzzCapi(common),
    handles: () => fuzzHandles(common),
    gc: () => fuzzGc(common),
    run: () => fuzzRun(common),
  };
  const report = run[target]();
  bar.done();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const config = target === 'heap' ? { profile: values.profile, memory, debug: values.debug } : { memory };
  process.stdout.write(`${JSON.stringify({ target, ...report, seconds: Number(seconds.toFixed(1)), ...config }, null, 2)}\n`);
  return report.failure === null ? 0 : 1;
}

process.exitCode = main();
