// Requests of more than 512 bytes (SMALL_REQUEST_THRESHOLD) skip pymalloc:
// they go to the C library's malloc (the RAW domain), as in CPython.
// A bytes object takes 33 bytes plus its length: 479 bytes still fit a
// 512-byte block; 480 do not.
import { Python } from 'pymem';

const py = new Python();
try {
  for (const n of [479, 480, 100_000]) {
    const before = py.memoryUsage();
    const b = py.bytes(new Uint8Array(n));
    const where = b.block();
    const after = py.memoryUsage();
    const how = where.sizeClass >= 0 ? `pymalloc, a ${where.blockSize}-byte block (class ${where.sizeClass})` : `malloc: ${after.rawBlocks - before.rawBlocks} raw block of ${after.rawBytes - before.rawBytes} bytes`;
    console.log(`bytes(${n}): sys.getsizeof ${b.sizeof} -> ${how}`);
    b.release();
  }
} finally {
  py.dispose();
}
