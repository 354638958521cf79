/*
 * The type attribute cache (Objects/typeobject.c, CPython 3.11): the
 * method cache that answers _PyType_Lookup without walking the MRO, and
 * the version tags it is keyed by.
 *
 * A type holds a valid version tag (tp_version_tag with
 * Py_TPFLAGS_VALID_VERSION_TAG) only while every type of its MRO holds
 * one; assign_version_tag gives tags from the bases down, PyType_Modified
 * takes them away from a type and every subclass (tp_subclasses) whenever
 * the type's namespace or bases change. An entry of the 4096-slot table
 * (MCACHE_SIZE_EXP 12, slot MCACHE_HASH(tag, name >> 3)) is a hit only
 * while its version equals the looked-up type's current tag, so a changed
 * class is never answered from the table.
 *
 * Invariants:
 * - `tags[t]` is 0 or a tag no other type has held; when it is non-zero,
 *   so is the tag of every type of t's MRO, and t is in `subclasses[b]`
 *   of each such b (PyType_Modified(b) reaches t).
 * - An entry's name is an owned reference (as CPython's `entry->name`, so
 *   a name's address cannot be reused by another str while cached); its
 *   value is borrowed from the dict of a type of the MRO, valid as long
 *   as the entry's version is a live tag.
 * - A type whose dict a program was handed (gc.get_referents,
 *   gc.get_referrers, gc.get_objects) is never given a tag again, nor are
 *   its subclasses: that dict can change behind the type's back.
 *
 * The tags live in JavaScript arrays, not in the heap's tp_version_tag
 * field (which stays 0): the hot path reads them on every attribute.
 */
import type { PyTypeObject } from '../objects/type.js';
import type { Vm } from './vm.js';

/** MCACHE_SIZE_EXP: the table has 1 << 12 entries. */
const MCACHE_SIZE_EXP = 12;
const MCACHE_MASK = (1 << MCACHE_SIZE_EXP) - 1;
/** MCACHE_MAX_ATTR_SIZE: longer names are not cached (the cache keeps them alive). */
const MCACHE_MAX_ATTR_SIZE = 100;

/** One interpreter's method cache (struct type_cache) and the version tags of its types. */
export class TypeCache {
  /** entry->version of each slot (0: empty). */
  private readonly versions = new Uint32Array(1 << MCACHE_SIZE_EXP);
  /** entry->name: an owned str, 0 for none. */
  private readonly names = new Float64Array(1 << MCACHE_SIZE_EXP);
  /** entry->value: borrowed, 0 for "not found". */
  private readonly values = new Float64Array(1 << MCACHE_SIZE_EXP);
  /** tp_version_tag by type id (0: no valid tag). */
  private tags = new Uint32Array(256);
  /** tp_subclasses: by type id, the tagged types whose MRO holds it (itself excluded). */
  private readonly subclasses: Array<Set<number> | undefined> = [];
  /** Types whose dict a program holds: never tagged. */
  private readonly uncacheable = new Set<number>();
  /** next_version_tag. */
  private nextVersionTag = 1;

  /** _PyType_Lookup(type, name): the first entry for name along t's MRO (borrowed), or 0. */
  lookup(vm: Vm, t: PyTypeObject, name: number): number {
    const tag = t.id < this.tags.length ? this.tags[t.id]! : 0;
    if (tag !== 0) {
      const h = (tag ^ (name / 8)) & MCACHE_MASK;
      if (this.versions[h] === tag && this.names[h] === name) return this.values[h]!;
    }
    const res = findNameInMro(vm, t, name);
    if (this.cacheableName(vm, name) && this.assignVersionTag(vm, t)) {
      const v = this.tags[t.id]!;
      const h = (v ^ (name / 8)) & MCACHE_MASK;
      this.versions[h] = v;
      this.values[h] = res;
      const old = this.names[h]!;
      if (old !== name) {
        vm.interp.rt.incref(name);
        this.names[h] = name;
        if (old !== 0) vm.interp.rt.decref(old);
      }
    }
    return res;
  }

  /** The version tag of t (0: none valid): what a specialised instruction records and checks. */
  versionTag(t: PyTypeObject): number {
    return t.id < this.tags.length ? this.tags[t.id]! : 0;
  }

  /**
   * assign_version_tag: gives t (and first every type of its MRO) a valid
   * tag; false when one of them may not have one.
   */
  assignVersionTag(vm: Vm, t: PyTypeObject): boolean {
    if (this.versionTag(t) !== 0) return true;
    if (this.uncacheable.has(t.id) || this.nextVersionTag === 0) return false;
    const mro = vm.mroOf(t);
    for (let i = 1; i < mro.length; i++) {
      if (!this.assignVersionTag(vm, vm.interp.rt.types[mro[i]!]!)) return false;
    }
    for (let i = 1; i < mro.length; i++) {
      let s = this.subclasses[mro[i]!];
      if (s === undefined) this.subclasses[mro[i]!] = s = new Set();
      s.add(t.id);
    }
    if (t.id >= this.tags.length) {
      const grown = new Uint32Array(Math.max(t.id + 1, this.tags.length * 2));
      grown.set(this.tags);
      this.tags = grown;
    }
    this.tags[t.id] = this.nextVersionTag;
    // An unsigned int wraps to 0: then no more tags (as CPython, which stops caching).
    this.nextVersionTag = (this.nextVersionTag + 1) >>> 0;
    return true;
  }

  /**
   * PyType_Modified: t's namespace, bases or MRO changed; t and every
   * subclass lose their tags, so no entry answers for them again.
   */
  modified(t: PyTypeObject): void {
    this.modifiedId(t.id);
  }

  private modifiedId(id: number): void {
    if (id >= this.tags.length || this.tags[id] === 0) return;
    this.tags[id] = 0;
    const subs = this.subclasses[id];
    if (subs === undefined) return;
    this.subclasses[id] = undefined;
    for (const s of subs) this.modifiedId(s);
  }

  /**
   * A program was handed the dicts among `objs` (gc's lists): each one that
   * is a type's namespace makes that type uncached from now on.
   */
  exposeTypeDicts(vm: Vm, objs: readonly number[]): void {
    const dicts = new Set(objs.filter((o) => o !== 0 && vm.interp.dict.check(o)));
    if (dicts.size === 0) return;
    for (const t of vm.interp.rt.types) {
      const op = vm.typeobj.objectOf(t);
      if (op !== 0 && dicts.has(vm.typeobj.dict(op))) {
        this.uncacheable.add(t.id);
        this.modified(t);
      }
    }
  }

  /** type_cache_clear (at _PyType_Fini): every entry emptied, its name released. */
  clear(vm: Vm): void {
    for (let h = 0; h <= MCACHE_MASK; h++) {
      const name = this.names[h]!;
      this.versions[h] = 0;
      this.values[h] = 0;
      this.names[h] = 0;
      if (name !== 0) vm.interp.rt.decref(name);
    }
  }

  /** MCACHE_CACHEABLE_NAME: an exact str of at most MCACHE_MAX_ATTR_SIZE characters. */
  private cacheableName(vm: Vm, name: number): boolean {
    const { str } = vm.interp;
    return str.checkExact(name) && str.length(name) <= MCACHE_MAX_ATTR_SIZE;
  }
}

/** find_name_in_mro: the first entry for name in the dicts of t's MRO (borrowed), or 0; no cache. */
export function findNameInMro(vm: Vm, t: PyTypeObject, name: number): number {
  const { interp } = vm;
  for (const id of vm.mroOf(t)) {
    const obj = vm.typeObject(interp.rt.types[id]!);
    const v = interp.dict.getItem(vm.typeobj.dict(obj), name);
    if (v !== 0) return v;
  }
  return 0;
}
