// Comparing allocators: the same program's allocations (CPython 3.11's own
// start-up, recorded as a trace) replayed under the two pymalloc profiles.
// Bigger arenas and pools with 16-byte classes (cpython311) against 256 KiB
// arenas, 4 KiB pools and 8-byte classes (classic): how many arenas, and
// how many bytes lost to rounding and headers. `npx pymem compare` puts
// pymem beside glibc, jemalloc, tcmalloc and mimalloc the same way.
import { fileURLToPath } from 'node:url';
import { replayTrace } from 'pymem';

const trace = fileURLToPath(new URL('../fixtures/traces/startup.trace.gz', import.meta.url));
for (const profile of ['cpython311', 'classic']) {
  const r = await replayTrace(trace, { profile, memory: 'fake' });
  const s = r.stats;
  console.log(`${profile.padEnd(10)} ${r.events} calls: ${s.arenasAllocatedCurrent} arenas of ${s.arenaSize / 1024} KiB, ` +
    `${s.bytesInAllocatedBlocks} bytes in blocks, lost: ${s.bytesLostToQuantization} to rounding, ${s.bytesLostToPoolHeaders} to pool headers`);
}
