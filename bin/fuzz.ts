#!/usr/bin/env node
/*
 * The long fuzz: `npm run fuzz -- --ops N --seed S [--profile P] [--memory native|fake] [--debug]`.
 * Runs the Heap fuzzer (lib/tools/fuzz/heapFuzz.ts) and prints its report;
 * exit status 1 when it found a disagreement (the seed and operation number
 * reproduce it), 2 on bad usage.
 */
import { parseArgs } from 'node:util';
import { fuzzHeap } from '../lib/tools/fuzz/heapFuzz.js';
import { progressBar } from '../lib/tools/progress.js';

function main(): number {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        ops: { type: 'string', default: '1000000' },
        seed: { type: 'string', default: '1' },
        profile: { type: 'string', default: 'cpython311' },
        memory: { type: 'string', default: 'native' },
        debug: { type: 'boolean', default: false },
      },
    }));
  } catch (e) {
    process.stderr.write(`fuzz: ${(e as Error).message}\nusage: npm run fuzz -- [--ops N] [--seed S] [--profile P] [--memory native|fake] [--debug]\n`);
    return 2;
  }
  const ops = Number(values.ops);
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(ops) || ops < 1 || !Number.isSafeInteger(seed) || (values.memory !== 'native' && values.memory !== 'fake')) {
    process.stderr.write('fuzz: --ops and --seed take whole numbers, --memory native or fake\n');
    return 2;
  }
  const bar = progressBar('fuzz');
  const start = process.hrtime.bigint();
  const report = fuzzHeap({ seed, ops, profile: values.profile, memory: values.memory, debug: values.debug, onProgress: (d, t) => bar.update(d, t) });
  bar.done();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  process.stdout.write(`${JSON.stringify({ ...report, seconds: Number(seconds.toFixed(1)), profile: values.profile, memory: values.memory, debug: values.debug }, null, 2)}\n`);
  return report.failure === null ? 0 : 1;
}

process.exitCode = main();
