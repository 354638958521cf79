// __slots__ vs __dict__: an ordinary instance keeps its attributes in a
// (lazily made) dict; a class with __slots__ gives each attribute a fixed
// slot in the object itself and no __dict__ at all.
//
//   class WithDict:  def __init__(self, v): self.value = v
//   class WithSlots: __slots__ = ('value',) ...
//   print(sys.getsizeof(d), sys.getsizeof(s))               # 56 40
//   print(hasattr(d, '__dict__'), hasattr(s, '__dict__'))   # True False
//   print(sys.getsizeof(d.__dict__))                        # 296
import { AttributeError, Python } from 'pymem';

const py = new Python();
try {
  const WithDict = py.defineClass({ name: 'WithDict' });
  const WithSlots = py.defineClass({ name: 'WithSlots', slots: ['value'] });
  const d = py.instance(WithDict, { value: 1 });
  const s = py.instance(WithSlots, { value: 1 });
  console.log(d.sizeof, s.sizeof);
  console.log(py.hasattr(d, '__dict__') ? 'True' : 'False', py.hasattr(s, '__dict__') ? 'True' : 'False');
  const dd = py.getattr(d, '__dict__');
  console.log(dd.sizeof);
  dd.release();
  py.setattr(s, 'value', 2);
  const v = py.getattr(s, 'value');
  console.log(v.toJS());
  v.release();
  try {
    py.setattr(s, 'other', 3);
  } catch (e) {
    if (!(e instanceof AttributeError)) throw e;
    console.log('AttributeError:', e.message);
  }
  d.release();
  s.release();
} finally {
  py.dispose();
}
