// A list over-allocates as it grows (list_resize): appends fill spare slots
// and only sometimes move the item array to a bigger block, which is why
// sys.getsizeof jumps in steps.
//
//   lst = []; print(sys.getsizeof(lst))        # 56
//   lst.append(1); print(sys.getsizeof(lst))   # 88
//   for i in range(64): lst.append(i); sizes.append(sys.getsizeof(lst))
import { Python } from 'pymem';

const py = new Python();
try {
  const lst = py.list([]);
  console.log(lst.sizeof);
  py.append(lst, 1);
  console.log(lst.sizeof);
  const sizes = [];
  for (let i = 0; i < 64; i++) {
    py.append(lst, i);
    sizes.push(lst.sizeof);
  }
  console.log(`[${sizes.join(', ')}]`);
  lst.release();
} finally {
  py.dispose();
}
