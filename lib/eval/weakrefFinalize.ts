/*
 * weakref.finalize, which CPython 3.11 writes in Python (Lib/weakref.py):
 * the same class, compiled and run by pymem into the weakref module when
 * a program first imports weakref (as `import weakref` runs weakref.py),
 * so its objects — the class, the _Info slots objects, the registry dict,
 * the ref whose callback is the finalize object — are real heap objects.
 * Differences from weakref.py: itertools.count is a generator here, and an
 * error in a callback at exit is printed by the traceback printer.
 *
 * Invariants: the class is made once per interpreter; the registry holds
 * every live finalizer, which is what keeps it alive (as in CPython).
 */
import { compile } from '../frontend/compile.js';
import { id } from './abstract.js';
import { evalCode } from './ceval.js';
import type { Vm } from './vm.js';

/** Lib/weakref.py's finalize (3.11), with its helpers. */
const FINALIZE_SOURCE = `
def _count():
    i = 0
    while True:
        yield i
        i += 1

class finalize:
    """Class for finalization of weakrefable objects"""

    __slots__ = ()
    _registry = {}
    _shutdown = False
    _index_iter = _count()
    _dirty = False
    _registered_with_atexit = False

    class _Info:
        __slots__ = ("weakref", "func", "args", "kwargs", "atexit", "index")

    def __init__(self, obj, func, /, *args, **kwargs):
        if not self._registered_with_atexit:
            import atexit
            atexit.register(self._exitfunc)
            finalize._registered_with_atexit = True
        info = self._Info()
        info.weakref = ref(obj, self)
        info.func = func
        info.args = args
        info.kwargs = kwargs or None
        info.atexit = True
        info.index = next(self._index_iter)
        self._registry[self] = info
        finalize._dirty = True

    def __call__(self, _=None):
        """If alive then mark as dead and return func(*args, **kwargs);
        otherwise return None"""
        info = self._registry.pop(self, None)
        if info and not self._shutdown:
            return info.func(*info.args, **(info.kwargs or {}))

    def detach(self):
        """If alive then mark as dead and return (obj, func, args, kwargs);
        otherwise return None"""
        info = self._registry.get(self)
        obj = info and info.weakref()
        if obj is not None and self._registry.pop(self, None):
            return (obj, info.func, info.args, info.kwargs or {})

    def peek(self):
        """If alive then return (obj, func, args, kwargs);
        otherwise return None"""
        info = self._registry.get(self)
        obj = info and info.weakref()
        if obj is not None:
            return (obj, info.func, info.args, info.kwargs or {})

    @property
    def alive(self):
        """Whether finalizer is alive"""
        return self in self._registry

    @property
    def atexit(self):
        """Whether finalizer should be called at exit"""
        info = self._registry.get(self)
        return bool(info) and info.atexit

    @atexit.setter
    def atexit(self, value):
        info = self._registry.get(self)
        if info:
            info.atexit = bool(value)

    def __repr__(self):
        info = self._registry.get(self)
        obj = info and info.weakref()
        if obj is None:
            return '<%s object at %#x; dead>' % (type(self).__name__, id(self))
        else:
            return '<%s object at %#x; for %r at %#x>' % \\
                (type(self).__name__, id(self), type(obj).__name__, id(obj))

    @classmethod
    def _select_for_exit(cls):
        # Return live finalizers marked for exit, oldest first
        L = [(f,i) for (f,i) in cls._registry.items() if i.atexit]
        L.sort(key=lambda item:item[1].index)
        return [f for (f,i) in L]

    @classmethod
    def _exitfunc(cls):
        # At shutdown invoke finalizers for which atexit is true.
        # This is called once all other non-daemonic threads have been
        # joined.
        reenable_gc = False
        try:
            if cls._registry:
                import gc
                if gc.isenabled():
                    reenable_gc = True
                    gc.disable()
                pending = None
                while True:
                    if pending is None or finalize._dirty:
                        pending = cls._select_for_exit()
                        finalize._dirty = False
                    if not pending:
                        break
                    f = pending.pop()
                    f()
                    assert f not in cls._registry
        finally:
            # prevent any more finalizers from executing during shutdown
            finalize._shutdown = True
            if reenable_gc:
                gc.enable()
`;

const installed = new WeakSet<Vm>();

/** Runs weakref.py's finalize into the weakref module, once per interpreter (at its first import). */
export function ensureFinalize(vm: Vm, weakrefModule: number): void {
  if (installed.has(vm)) return;
  installed.add(vm);
  const { interp } = vm;
  const globals = vm.module.dict(weakrefModule);
  if (!interp.dict.contains(globals, id(vm, '__builtins__'))) interp.dict.setItem(globals, id(vm, '__builtins__'), vm.modules.get('builtins')!);
  const code = vm.code.fromValue(compile(FINALIZE_SOURCE, '/usr/lib/python3.11/weakref.py', 'exec'));
  try {
    interp.rt.decref(evalCode(vm, code, globals, globals));
  } finally {
    interp.rt.decref(code);
  }
}
