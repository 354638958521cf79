/*
 * The descriptor objects a class body makes (CPython 3.11): property
 * (Objects/descrobject.c), classmethod and staticmethod
 * (Objects/funcobject.c), mappingproxy (descrobject.c), the read-only
 * view `C.__dict__` gives of a class's namespace, member_descriptor (a
 * __slots__ name) and getset_descriptor (a class's __dict__ and
 * __weakref__). Each is a GC object of
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
 * classmethod and staticmethod share this layout (staticmethod's fields
 * are sm_callable, sm_dict):
 * classmethod, 32 bytes:
 *    0  16  PyObject    ob_base      the object header
 *   16  8   PyObject *  cm_callable  the wrapped callable; owned, never NULL
 *   24  8   PyObject *  cm_dict      __dict__ or NULL; owned
 *
 * mappingproxyobject, 24 bytes:
 *    0  16  PyObject    ob_base  the object header
 *   16  8   PyObject *  mapping  the mapping it shows; owned, never NULL
 *
 * member_descriptor, a __slots__ name in its class's dict:
 * PyMemberDescrObject, 48 bytes:
 *    0  16  PyObject       ob_base     the object header
 *   16  8   PyObject *     d_type      the class; owned
 *   24  8   PyObject *     d_name      the member name, a str; owned
 *   32  8   PyObject *     d_qualname  NULL (made on demand)
 *   40  8   PyMemberDef *  d_member    the member's offset in the instance (a PyMemberDef's offset)
 *
 * getset_descriptor, a class's __dict__ and __weakref__:
 * PyGetSetDescrObject, 48 bytes:
 *    0  16  PyObject       ob_base     the object header
 *   16  8   PyObject *     d_type      the class; owned
 *   24  8   PyObject *     d_name      '__dict__' or '__weakref__'; owned
 *   32  8   PyObject *     d_qualname  NULL (made on demand)
 *   40  8   PyGetSetDef *  d_getset    0 (the getter is chosen by d_name)
 *
 * Invariants: every object field holds one reference or is NULL; the
 * objects are tracked from birth and untracked before their fields are
 * let go.
 */
import { fillBytes } from '../../allocator/access.js';
import type { Interpreter } from '../interpreter.js';
import { declareObjectStruct, PyObject } from '../layout.js';
import type { Runtime } from '../runtime.js';
import { Py_TPFLAGS_BASETYPE, Py_TPFLAGS_HAVE_GC, type PyTypeObject, visitFields } from '../type.js';

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

/** PyMemberDescrObject (PyDescr_COMMON + d_member): what a __slots__ name is in its class's dict. */
export const MemberDescrObject = declareObjectStruct({
  name: 'PyMemberDescrObject',
  fields: [
    { name: 'ob_base', type: PyObject, meaning: 'the object header' },
    obj('d_type', 'the class; owned'),
    obj('d_name', 'the member name, a str; owned'),
    obj('d_qualname', 'NULL (made on demand)'),
    { name: 'd_member', type: 'ptr', ctype: 'PyMemberDef *', unchecked: true, meaning: "the member's offset in the instance (a PyMemberDef's offset)" },
  ],
  size: 48,
});

/** PyGetSetDescrObject (PyDescr_COMMON + d_getset): a class's __dict__ and __weakref__ attributes. */
export const GetSetDescrObject = declareObjectStruct({
  name: 'PyGetSetDescrObject',
  fields: [
    { name: 'ob_base', type: PyObject, meaning: 'the object header' },
    obj('d_type', 'the class; owned'),
    obj('d_name', "'__dict__' or '__weakref__'; owned"),
    obj('d_qualname', 'NULL (made on demand)'),
    { name: 'd_getset', type: 'ptr', ctype: 'PyGetSetDef *', unchecked: true, meaning: '0 (the getter is chosen by d_name)' },
  ],
  size: 48,
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
const dType = MemberDescrObject.field('d_type');
const dName = MemberDescrObject.field('d_name');
const dQualname = MemberDescrObject.field('d_qualname');
const dMember = MemberDescrObject.field('d_member');

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
  /** PyMemberDescr_Type. */
  readonly member: PyTypeObject;
  /** PyGetSetDescr_Type. */
  readonly getset: PyTypeObject;
  private readonly rt: Runtime;

  constructor(readonly interp: Interpreter) {
    this.rt = interp.rt;
    // owned: the fields dealloc releases; visited: those tp_traverse visits (descr_traverse visits d_type alone).
    const fieldsType = (name: string, layout: typeof PropertyObject, owned: readonly (typeof cmDict)[], flags: number, visited = owned): PyTypeObject =>
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
        traverse: (_r, op, visit) => visitFields(op, visited, visit),
        clear: (_r, op) => this.clearFields(op, owned),
      });
    this.property = fieldsType('property', PropertyObject, PROPERTY_OWNED, Py_TPFLAGS_BASETYPE);
    this.classmethod = fieldsType('classmethod', ClassMethodObject, CM_OWNED, Py_TPFLAGS_BASETYPE);
    this.staticmethod = fieldsType('staticmethod', ClassMethodObject, CM_OWNED, Py_TPFLAGS_BASETYPE);
    this.mappingproxy = fieldsType('mappingproxy', MappingProxyObject, [mpMapping], 0);
    this.member = fieldsType('member_descriptor', MemberDescrObject, [dType, dName, dQualname], 0, [dType]);
    this.getset = fieldsType('getset_descriptor', GetSetDescrObject, [dType, dName, dQualname], 0, [dType]);
  }

  /** PyDescr_NewGetSet(type, getset) for __dict__ / __weakref__: cls and name borrowed. New reference. */
  newGetset(cls: number, name: number): number {
    const op = this.rt.gcNew(this.getset);
    this.rt.incref(cls);
    dType.set(op, cls);
    this.rt.incref(name);
    dName.set(op, name);
    dQualname.set(op, 0);
    dMember.set(op, 0);
    this.rt.gcTrack(op);
    return op;
  }

  /** PyDescr_NewMember(type, member): cls and name borrowed. New reference. */
  newMember(cls: number, name: number, offset: number): number {
    const op = this.rt.gcNew(this.member);
    this.rt.incref(cls);
    dType.set(op, cls);
    this.rt.incref(name);
    dName.set(op, name);
    dQualname.set(op, 0);
    dMember.set(op, offset);
    this.rt.gcTrack(op);
    return op;
  }

  /** d_type and d_name of a member or getset descriptor (borrowed; the two layouts agree on them). */
  memberParts(op: number): { readonly cls: number; readonly name: number } {
    return { cls: dType.get(op), name: dName.get(op) };
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
