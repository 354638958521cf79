// `del` drops a reference; when the count reaches zero the object is
// deallocated at once (no collector involved) and its block goes back to
// its pool's free list, ready for the next object of that size class.
// Some types keep a few dead objects for reuse instead (floats, lists,
// tuples, dicts): sys._debugmallocstats() lists those free lists.
import { Python } from 'pymem';

const py = new Python();
try {
  const start = py.getallocatedblocks();
  const s = py.str('a string of some forty characters, or so');
  const where = s.block();
  console.log(`s = '...' takes ${py.getallocatedblocks() - start} block: ${where.blockSize} bytes (size class ${where.sizeClass}) in arena ${where.arena}`);
  s.release(); // del s
  console.log(`del s: blocks in use back to the start: ${py.getallocatedblocks() === start}`);
  const t = py.str('another string of about forty characters');
  console.log(`the next string of that size class reuses the block: ${t.block().address === where.address}`);
  t.release();

  const f = py.float(2.5);
  f.release(); // del f: float_dealloc parks it on the float free list
  console.log(`del f (a float): blocks still in use: ${py.getallocatedblocks() - start}`);
  const line = py.formatDebugMallocStats().split('\n').find((l) => l.includes('free PyFloatObjects'));
  console.log(`_debugmallocstats: ${line.trim()}`);
} finally {
  py.dispose();
}
