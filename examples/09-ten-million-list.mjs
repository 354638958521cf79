// A 10-million-item list: [0] * 10**7 is one list object and one array of
// 10 million pointers (80 MB from malloc, not pymalloc); every slot points
// at the same cached 0. The process's RSS grows by about the array, and
// shrinks again when the list is deleted and malloc returns the memory.
//
//   large_list = [0] * 10**7
//   print(sys.getsizeof(large_list))                          # 80000056
//   print(len(large_list), large_list[0], large_list[-1])     # 10000000 0 0
//   del large_list
//   small = [0] * 10; print(sys.getsizeof(small))             # 136
import { Python } from 'pymem';

const mib = (n) => `${(n / 2 ** 20).toFixed(0)} MiB`;
const py = new Python();
try {
  const before = py.memoryUsage();
  const zero = py.list([0]);
  const largeList = py.repeat(zero, 10 ** 7);
  zero.release();
  console.log(largeList.sizeof);
  const first = py.getitem(largeList, 0);
  const last = py.getitem(largeList, -1);
  console.log(py.len(largeList), first.toJS(), last.toJS());
  first.release();
  last.release();
  const during = py.memoryUsage();
  console.log(`raw bytes: +${during.rawBytes - before.rawBytes} (the item array)`);
  console.log(`RSS: +${mib(during.rss - before.rss)} while the list lives`);
  largeList.release();
  const after = py.memoryUsage();
  console.log(`after del: RSS ${after.rss < during.rss ? 'shrank' : 'did not shrink'} by ${mib(during.rss - after.rss)}`);
  const tiny = py.list([0]);
  const small = py.repeat(tiny, 10);
  console.log(small.sizeof);
  tiny.release();
  small.release();
} finally {
  py.dispose();
}
