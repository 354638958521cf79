// A test container for the collector's tests: [header | ob_size | id | items…],
// made through _PyObject_GC_NewVar (no free list); its dealloc records the id
// of each node freed, so a test knows exactly which objects a collection took.
import { declareObjectStruct, obSize, PyVarObject } from '../../lib/objects/layout.js';
import type { Interpreter } from '../../lib/objects/interpreter.js';
import { Py_TPFLAGS_HAVE_GC, type PyTypeObject } from '../../lib/objects/type.js';

/** The node's struct. */
export const Node = declareObjectStruct({
  name: 'Node',
  fields: [
    { name: 'ob_base', type: PyVarObject, meaning: 'ob_size: the edges' },
    { name: 'id', type: 'i64', meaning: "the node's id" },
  ],
  tail: { name: 'items', type: 'ptr', meaning: 'the edges (0: none)', length: (op): number => obSize.get(op) },
});
export const nodeId = Node.field('id');
export const nodeItems = Node.array('items');

/** Registers the node type in `interp`; the id of every node freed is pushed on `freed`. */
export function nodeType(interp: Interpreter, freed: number[], name = 'node'): PyTypeObject {
  return interp.rt.registerType({
    name,
    basicsize: Node.size,
    layout: Node,
    itemsize: 8,
    flags: Py_TPFLAGS_HAVE_GC,
    dealloc: (rt, op) => {
      rt.gcUntrack(op);
      if (rt.trashcanBegin(op)) return;
      freed.push(nodeId.get(op));
      for (let i = obSize.get(op) - 1; i >= 0; i--) rt.xdecref(nodeItems.get(op, i));
      rt.gcDel(op);
      rt.trashcanEnd();
    },
    traverse: (_rt, op, visit) => {
      for (let i = 0; i < obSize.get(op); i++) {
        const v = nodeItems.get(op, i);
        if (v !== 0) {
          const r = visit(v);
          if (r !== 0) return r;
        }
      }
      return 0;
    },
    clear: (rt, op) => {
      for (let i = 0; i < obSize.get(op); i++) {
        const v = nodeItems.get(op, i);
        nodeItems.set(op, i, 0);
        rt.xdecref(v);
      }
    },
  });
}
