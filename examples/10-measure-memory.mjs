// Measuring memory before and after: what 100,000 floats in a list cost.
// Each float is a 24-byte object in a 32-byte block (cpython311); the list's
// item array of 100,000 pointers comes from malloc. RSS sees all of it, and
// more: the arenas are mapped whole (1 MiB each).
import { Python } from 'pymem';

const bytes = (n) => `${n.toLocaleString('en-US')} bytes`;
const py = new Python();
try {
  const before = py.memoryUsage();
  const values = [];
  for (let i = 0; i < 100_000; i++) values.push(i + 0.5);
  const floats = py.list(values);
  const after = py.memoryUsage();
  console.log(`blocks in use:  +${bytes(after.blockBytes - before.blockBytes)} (100,000 floats * 32 bytes + the list object's 64)`);
  console.log(`raw (malloc):   +${bytes(after.rawBytes - before.rawBytes)} (the item array: 100,000 * 8 bytes)`);
  console.log(`arenas mapped:  +${(after.arenaBytes - before.arenaBytes) / 2 ** 20} MiB`);
  console.log(`process RSS:    ${((after.rss - before.rss) / 2 ** 20).toFixed(1)} MiB more (includes what V8 and the conversion used)`);
  floats.release();
} finally {
  py.dispose();
}
