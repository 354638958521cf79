/*
 * Reading a V8 CPU profile (the .cpuprofile JSON `node --cpu-prof` writes):
 * where the samples taken under one function went, by function, as self
 * time (the function was on top of the stack) and as total time (it was
 * anywhere on the stack). Shares are of those samples, so the setup a
 * benchmark child does around the measured call does not dilute them.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

/** The parts of a .cpuprofile this reads. */
interface CpuProfile {
  readonly nodes: ReadonlyArray<{
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
    readonly children?: readonly number[];
  }>;
  /** The node on top of the stack at each sample. */
  readonly samples: readonly number[];
}

/** One function's share of the samples under the root function. */
export interface HotSpot {
  /** `name (file.js:line)`, line 1-based. */
  readonly where: string;
  readonly name: string;
  /** Share of the samples with this function on top of the stack. */
  readonly self: number;
  /** Share of the samples with this function anywhere on the stack. */
  readonly total: number;
}

/** The samples under the root function, and its functions by self time. */
export interface ProfileSummary {
  /** Samples in the whole profile. */
  readonly samples: number;
  /** Samples with the root function on the stack. */
  readonly rootSamples: number;
  /** Every function seen under the root, most self time first. */
  readonly spots: HotSpot[];
}

/**
 * Summarises the profile at `path` over the samples whose stack holds a
 * frame of the function `root` defined in a file named `rootFile` (the
 * compiled .js, e.g. 'gcModule.js').
 */
export function summarizeProfile(path: string, root: string, rootFile: string): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const parent = new Map<number, number>();
  const byId = new Map<number, CpuProfile['nodes'][number]>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const where = (id: number): { key: string; name: string } => {
    const f = byId.get(id)!.callFrame;
    const name = f.functionName || '(anonymous)';
    return { key: f.url === '' ? name : `${name} (${basename(f.url)}:${f.lineNumber + 1})`, name };
  };
  const isRoot = (id: number): boolean => {
    const f = byId.get(id)!.callFrame;
    return f.functionName === root && basename(f.url) === rootFile;
  };

  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const names = new Map<string, string>();
  let rootSamples = 0;
  for (const leaf of profile.samples) {
    const stack: number[] = [];
    for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id)) stack.push(id);
    if (!stack.some(isRoot)) continue;
    rootSamples++;
    const top = where(leaf);
    self.set(top.key, (self.get(top.key) ?? 0) + 1);
    const seen = new Set<string>();
    for (const id of stack) {
      const w = where(id);
      names.set(w.key, w.name);
      if (!seen.has(w.key)) {
        seen.add(w.key);
        total.set(w.key, (total.get(w.key) ?? 0) + 1);
      }
    }
  }
  const share = (k: number): number => (rootSamples === 0 ? 0 : k / rootSamples);
  const spots = [...total.keys()]
    .map((key) => ({ where: key, name: names.get(key)!, self: share(self.get(key) ?? 0), total: share(total.get(key)!) }))
    .sort((a, b) => b.self - a.self || b.total - a.total);
  return { samples: profile.samples.length, rootSamples, spots };
}
