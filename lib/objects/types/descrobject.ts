/*
 * The descriptor objects a class body makes (CPython 3.11): property
 * (Objects/descrobject.c), classmethod and staticmethod
 * (Objects/funcobject.c), and mappingproxy (descrobject.c), the read-only
 * view `C.__dict__` gives of a class's namespace. Each is a GC object of
 * its own layout; what they do when an attribute is looked up is
 * lib/eval/descriptors.ts's.
 *
 * propertyobject, 64 bytes:
 *    0  16  PyObject    ob_base     the object header
 *   16  8   PyObject *  prop_get    fget or NULL; owned
 *   24  8   PyObject *  prop_set    fset or NULL; owned
 *   32  8   PyObject *  prop_del    fdel or NULL; owned
 *   40  8   PyObject *  prop_doc    __doc__ or NULL; owned
 *   48  8   PyObject *  prop_name   the name __set_name__ gave, or NULL; owned
 *   56  4   int         getter_doc  1 when __doc__ came from fget
 *
 * classmethod / staticmethod, 32 bytes:
 *    0  16  PyObject    ob_base      the object header
 *   16  8   PyObject *  cm_callable  the wrapped callable; owned, never NULL
 *   24  8   PyObject *  cm_dict      __dict__ or NULL; owned
 *
 * mappingproxyobject, 24 bytes:
 *    0  16  PyObject    ob_base  the object header
 *   16  8   PyObject *  mapping  the mapping it shows; owned, never NULL
 *
 * Invariants: every object field holds one reference or is NULL; the
 * objects are tracked from birth and untracked before their fields are
 * let go.
 */
import { fillBytes } from '../../allocator/access.js';
import type { Interpreter } from '../interpreter.js';
import { declareObjectStruct, PyObject } from '../layout.js';
import type { Runtime } from '../runtime.js';
import { Py_TPFLAGS_BASETYPE, Py_TPFLAGS_HAVE_GC, type PyTypeObject, type Visit } from '../type.js';

const obj = (name: string, meaning: string) => ({ name, type: 'ptr' as const, ctype: 'PyObject *', meaning });

/** propertyobject (3.11). */
export const PropertyObject = declareObjectStruct({
  name: 'propertyobject',
  fields: [
    { name: 'ob_base', type: PyObject, meaning: 'the object header' },
    obj('prop_get', 'fget or NULL; owned'),
    obj('prop_set', 'fset or NULL; owned'),
    obj('prop_del', 'fdel or NULL; owned'),
    obj('prop_doc', '__doc__ or NULL; owned'),
    obj('prop_name', 'the name __set_name__ gave, or NULL; owned'),
    { name: 'getter_doc', type: 'u32', ctype: 'int', meaning: '1 when __doc__ came from fget' },
  ],
  size: 64,
});

/** classmethod and staticmethod (3.11's cm / sm objects share this layout). */
export const ClassMethodObject = declareObjectStruct({
  name: 'classmethod',
  fields: [
    { name: 'ob_base', type: PyObject, meaning: 'the object header' },
    obj('cm_callable', 'the wrapped callable; owned, never NULL'),
    obj('cm_dict', '__dict__ or NULL; owned'),
  ],
  size: 32,
});

/** mappingproxyobject. */
export const MappingProxyObject = declareObjectStruct({
  name: 'mappingproxyobject',
  fields: [
    { name: 'ob_base', type: PyObject, meaning: 'the object header' },
    obj('mapping', 'the mapping it shows; owned, never NULL'),
  ],
  size: 24,
});

/** The parts of a property. */
export interface PropertyParts {
  readonly fget: number;
  readonly fset: number;
  readonly fdel: number;
  readonly doc: number;
  readonly name: number;
}
type PropertyField = keyof PropertyParts;
const PROPERTY_FIELDS = {
  fget: PropertyObject.field('prop_get'),
  fset: PropertyObject.field('prop_set'),
  fdel: PropertyObject.field('prop_del'),
  doc: PropertyObject.field('prop_doc'),
  name: PropertyObject.field('prop_name'),
};
const PROPERTY_OWNED = Object.values(PROPERTY_FIELDS);
const cmCallable = ClassMethodObject.field('cm_callable');
const cmDict = ClassMethodObject.field('cm_dict');
const CM_OWNED = [cmCallable, cmDict];
const mpMapping = MappingProxyObject.field('mapping');

/** property, classmethod, staticmethod and mappingproxy: their types and constructors. */
export class DescrObjectModule {
  /** PyProperty_Type. */
  readonly property: PyTypeObject;
  /** PyClassMethod_Type. */
  readonly classmethod: PyTypeObject;
  /** PyStaticMethod_Type. */
  readonly staticmethod: PyTypeObject;
  /** PyDictProxy_Type. */
  readonly mappingproxy: PyTypeObject;
  private readonly rt: Runtime;

  constructor(readonly interp: Interpreter) {
    this.rt = interp.rt;
    const fieldsType = (name: string, layout: typeof PropertyObject, owned: readonly (typeof cmDict)[], flags: number): PyTypeObject =>
      this.rt.registerType({
        name,
        basicsize: layout.size,
        itemsize: 0,
        flags: Py_TPFLAGS_HAVE_GC | flags,
        layout,
        dealloc: (r, op) => {
          r.gcUntrack(op);
          this.clearFields(op, owned);
          r.gcDel(op);
        },
        traverse: (_r, op, visit) => traverseFields(op, owned, visit),
        clear: (_r, op) => this.clearFields(op, owned),
      });
    this.property = fieldsType('property', PropertyObject, PROPERTY_OWNED, Py_TPFLAGS_BASETYPE);
    this.classmethod = fieldsType('classmethod', ClassMethodObject, CM_OWNED, Py_TPFLAGS_BASETYPE);
    this.staticmethod = fieldsType('staticmethod', ClassMethodObject, CM_OWNED, Py_TPFLAGS_BASETYPE);
    this.mappingproxy = fieldsType('mappingproxy', MappingProxyObject, [mpMapping], 0);
  }

  /** property(fget, fset, fdel, doc): the parts borrowed (0: NULL). New reference. */
  newProperty(parts: PropertyParts, getterDoc: boolean): number {
    const op = this.rt.gcNew(this.property);
    fillBytes(op + 16, PropertyObject.size - 16, 0);
    for (const k of Object.keys(PROPERTY_FIELDS) as PropertyField[]) {
      this.rt.xincref(parts[k]);
      PROPERTY_FIELDS[k].set(op, parts[k]);
    }
    PropertyObject.field('getter_doc').set(op, getterDoc ? 1 : 0);
    this.rt.gcTrack(op);
    return op;
  }

  /** The parts of a property (borrowed; 0 for NULL). */
  propertyParts(op: number): PropertyParts {
    return { fget: PROPERTY_FIELDS.fget.get(op), fset: PROPERTY_FIELDS.fset.get(op), fdel: PROPERTY_FIELDS.fdel.get(op), doc: PROPERTY_FIELDS.doc.get(op), name: PROPERTY_FIELDS.name.get(op) };
  }

  /** getter_doc. */
  getterDoc(op: number): boolean {
    return PropertyObject.field('getter_doc').get(op) !== 0;
  }

  /** Sets prop_name (borrowed), as property.__set_name__ does. */
  setPropertyName(op: number, name: number): void {
    const old = PROPERTY_FIELDS.name.get(op);
    this.rt.incref(name);
    PROPERTY_FIELDS.name.set(op, name);
    this.rt.xdecref(old);
  }

  /** classmethod(callable) or staticmethod(callable): callable borrowed. New reference. */
  newWrapper(type: PyTypeObject, callable: number): number {
    const op = this.rt.gcNew(type);
    this.rt.incref(callable);
    cmCallable.set(op, callable);
    cmDict.set(op, 0);
    this.rt.gcTrack(op);
    return op;
  }

  /** cm_dict / sm_dict (borrowed; 0 for NULL). */
  wrapperDict(op: number): number {
    return cmDict.get(op);
  }

  /** Sets cm_dict / sm_dict (borrowed) of a wrapper that has none yet. */
  setWrapperDict(op: number, dict: number): void {
    this.rt.incref(dict);
    cmDict.set(op, dict);
  }

  /** cm_callable / sm_callable (borrowed). */
  wrapped(op: number): number {
    return cmCallable.get(op);
  }

  /** PyDictProxy_New(mapping): mapping borrowed. New reference. */
  newMappingProxy(mapping: number): number {
    const op = this.rt.gcNew(this.mappingproxy);
    this.rt.incref(mapping);
    mpMapping.set(op, mapping);
    this.rt.gcTrack(op);
    return op;
  }

  /** The mapping of a mappingproxy (borrowed). */
  mapping(op: number): number {
    return mpMapping.get(op);
  }

  private clearFields(op: number, owned: readonly (typeof cmDict)[]): void {
    for (const f of owned) {
      const v = f.get(op);
      if (v !== 0) {
        f.set(op, 0);
        this.rt.decref(v);
      }
    }
  }
}

/** The tp_traverse of these objects: their object fields in layout order. */
function traverseFields(op: number, owned: readonly (typeof cmDict)[], visit: Visit): number {
  for (const f of owned) {
    const v = f.get(op);
    if (v !== 0) {
      const r = visit(v);
      if (r !== 0) return r;
    }
  }
  return 0;
}
