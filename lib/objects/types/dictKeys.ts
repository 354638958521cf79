/*
 * The keys objects of dicts (Objects/dictobject.c, CPython 3.11): the hash
 * table and entries behind every dict, combined or split, the entries of
 * both kinds, and the values arrays of split tables (shared keys of
 * instance dicts). dict.ts builds the dict on them.
 *
 * PyDictKeysObject, one PyObject_Malloc block (new_keys_object): the header,
 * dk_indices (int8 / int16 / int32 by size: entry index, DKIX_EMPTY (-1) or
 * DKIX_DUMMY (-2)), then dk_entries[USABLE_FRACTION(size)] at
 * 32 + (1 << dk_log2_index_bytes), of one of two kinds:
 *
 * PyDictKeysObject, 32 bytes + the variable part:
 *    0  8    Py_ssize_t  dk_refcnt            holders; > 1 only for split keys and Py_EMPTY_KEYS
 *    8  1    uint8_t     dk_log2_size         the hash table has 2**dk_log2_size slots
 *    9  1    uint8_t     dk_log2_index_bytes  log2 of the bytes of dk_indices
 *   10  1    uint8_t     dk_kind              GENERAL 0 / UNICODE 1 / SPLIT 2
 *   11  1    padding     dk_pad               0
 *   12  4    uint32_t    dk_version           0 after any change of the keys
 *   16  8    Py_ssize_t  dk_usable            entries that may still be appended
 *   24  8    Py_ssize_t  dk_nentries          entries appended (deleted ones included)
 *   32  1*n  char        dk_indices[]         the slots (1 << dk_log2_index_bytes bytes), then dk_entries
 *
 * PyDictKeyEntry, 24 bytes:
 *    0  8  Py_hash_t   me_hash   the key's hash
 *    8  8  PyObject *  me_key    owned; NULL once deleted
 *   16  8  PyObject *  me_value  owned; NULL once deleted
 *
 * PyDictUnicodeEntry, 16 bytes:
 *   0  8  PyObject *  me_key    owned; NULL once deleted (combined)
 *   8  8  PyObject *  me_value  owned; NULL in split keys (the values array holds them)
 *
 * PyDictValues of a split table: one PyMem_Malloc block (new_values), the
 * values a PyObjectArray (layout.ts) after a byte prefix:
 *
 *   [ ... order[1] order[0] | used | prefix ][ values[0] values[1] ... ]
 *                                              ^ ma_values
 *   values[-1] = prefix bytes (size + 2 rounded up to 8), values[-2] = items
 *   in insertion order, values[-3 - i] = entry index of the i-th of them.
 *
 * Invariants: dk_usable + dk_nentries <= USABLE_FRACTION(2**dk_log2_size);
 * each entry index < dk_nentries whose key is set sits in exactly one slot;
 * tables stay below 2**31 slots, so indices are 1, 2 or 4 bytes.
 */
import { declareObjectStruct, byteAt } from '../layout.js';

/** PyDict_LOG_MINSIZE and PyDict_MINSIZE: the smallest table. */
export const PyDict_LOG_MINSIZE = 3;
export const PyDict_MINSIZE = 8;
/** Slot values besides entry indices. */
export const DKIX_EMPTY = -1;
export const DKIX_DUMMY = -2;
/** DictKeysKind. */
export const DICT_KEYS_GENERAL = 0;
export const DICT_KEYS_UNICODE = 1;
export const DICT_KEYS_SPLIT = 2;
/** PyDictKeysObject. */
export const PyDictKeysObject = declareObjectStruct({
  name: 'PyDictKeysObject',
  fields: [
    { name: 'dk_refcnt', type: 'i64', meaning: 'holders; > 1 only for split keys and Py_EMPTY_KEYS' },
    { name: 'dk_log2_size', type: 'u8', meaning: 'the hash table has 2**dk_log2_size slots' },
    { name: 'dk_log2_index_bytes', type: 'u8', meaning: 'log2 of the bytes of dk_indices' },
    { name: 'dk_kind', type: 'u8', meaning: 'GENERAL 0 / UNICODE 1 / SPLIT 2' },
    { name: 'dk_pad', type: 'u8', ctype: 'padding', meaning: '0' },
    { name: 'dk_version', type: 'u32', meaning: '0 after any change of the keys' },
    { name: 'dk_usable', type: 'i64', meaning: 'entries that may still be appended' },
    { name: 'dk_nentries', type: 'i64', meaning: 'entries appended (deleted ones included)' },
  ],
  tail: { name: 'dk_indices', type: 'u8', ctype: 'char', meaning: 'the slots (1 << dk_log2_index_bytes bytes), then dk_entries' },
});
/** PyDictKeyEntry: an entry of GENERAL keys. */
export const PyDictKeyEntry = declareObjectStruct({
  name: 'PyDictKeyEntry',
  fields: [
    { name: 'me_hash', type: 'i64', ctype: 'Py_hash_t', meaning: "the key's hash" },
    { name: 'me_key', type: 'ptr', ctype: 'PyObject *', meaning: 'owned; NULL once deleted' },
    { name: 'me_value', type: 'ptr', ctype: 'PyObject *', meaning: 'owned; NULL once deleted' },
  ],
});
/** PyDictUnicodeEntry: an entry of UNICODE and SPLIT keys (the str caches its hash). */
export const PyDictUnicodeEntry = declareObjectStruct({
  name: 'PyDictUnicodeEntry',
  fields: [
    { name: 'me_key', type: 'ptr', ctype: 'PyObject *', meaning: 'owned; NULL once deleted (combined)' },
    { name: 'me_value', type: 'ptr', ctype: 'PyObject *', meaning: 'owned; NULL in split keys (the values array holds them)' },
  ],
});
export const dkRefcnt = PyDictKeysObject.field('dk_refcnt');
export const dkLog2Size = PyDictKeysObject.field('dk_log2_size');
export const dkLog2IndexBytes = PyDictKeysObject.field('dk_log2_index_bytes');
export const dkKind = PyDictKeysObject.field('dk_kind');
export const dkPad = PyDictKeysObject.field('dk_pad');
export const dkVersion = PyDictKeysObject.field('dk_version');
export const dkUsable = PyDictKeysObject.field('dk_usable');
export const dkNentries = PyDictKeysObject.field('dk_nentries');
export const dkIndices8 = PyDictKeysObject.arrayAs('dk_indices', 'u8');
export const dkIndices16 = PyDictKeysObject.arrayAs('dk_indices', 'u16');
export const dkIndices32 = PyDictKeysObject.arrayAs('dk_indices', 'i32');
export const gHash = PyDictKeyEntry.field('me_hash');
export const gKey = PyDictKeyEntry.field('me_key');
export const gValue = PyDictKeyEntry.field('me_value');
export const uKey = PyDictUnicodeEntry.field('me_key');
export const uValue = PyDictUnicodeEntry.field('me_value');
/** The prefix bytes before a split dict's values (values[-1], values[-2], values[-3 - i]). */
export const VALUES_PREFIX_SIZE = -1;
export const VALUES_USED = -2;
export const VALUES_ORDER = -3;
/** offsetof(PyDictKeysObject, dk_indices). */
export const DK_INDICES = dkIndices8.offset;
/** sizeof(PyDictKeysObject): the header before dk_indices. */
export const SIZEOF_PYDICTKEYSOBJECT = PyDictKeysObject.size;
/** sizeof(PyDictKeyEntry) and sizeof(PyDictUnicodeEntry). */
export const SIZEOF_KEY_ENTRY = PyDictKeyEntry.size;
export const SIZEOF_UNICODE_ENTRY = PyDictUnicodeEntry.size;

/** USABLE_FRACTION(n): entries a table of n slots holds (2/3 of it). */
export function usableFraction(n: number): number {
  return Math.floor((n * 2) / 3);
}

/** calculate_log2_keysize: log2 of the smallest table of at least minsize slots (and at least 8). */
export function calculateLog2Keysize(minsize: number): number {
  return 32 - Math.clz32(((minsize | PyDict_MINSIZE) - 1) | (PyDict_MINSIZE - 1));
}

/** estimate_log2_keysize: log2 of a table that holds n entries without resizing. */
export function estimateLog2Keysize(n: number): number {
  return calculateLog2Keysize(Math.floor((n * 3 + 1) / 2));
}

/** Offset of dk_entries in a keys object (DK_ENTRIES / DK_UNICODE_ENTRIES). */
export function entriesOffset(keys: number): number {
  return DK_INDICES + (1 << dkLog2IndexBytes.get(keys));
}

/** _PyDict_KeysSize. */
export function keysSize(keys: number): number {
  const es = dkKind.get(keys) === DICT_KEYS_GENERAL ? SIZEOF_KEY_ENTRY : SIZEOF_UNICODE_ENTRY;
  return SIZEOF_PYDICTKEYSOBJECT + (1 << dkLog2IndexBytes.get(keys)) + usableFraction((1 << dkLog2Size.get(keys))) * es;
}

/** _PyDictValues_AddToInsertionOrder. */
export function addToInsertionOrder(values: number, ix: number): void {
  const size = byteAt.get(values, VALUES_USED) + 1;
  byteAt.set(values, VALUES_ORDER - (size - 1), ix);
  byteAt.set(values, VALUES_USED, size);
}

/** delete_index_from_values: removes ix from the insertion order. */
export function deleteIndexFromValues(values: number, ix: number): void {
  const size = byteAt.get(values, VALUES_USED);
  let i = 0;
  while (byteAt.get(values, VALUES_ORDER - i) !== ix) i++;
  for (; i < size - 1; i++) byteAt.set(values, VALUES_ORDER - i, byteAt.get(values, VALUES_ORDER - i - 1));
  byteAt.set(values, VALUES_USED, size - 1);
}

/** dictkeys_get_index. */
export function getIndex(keys: number, log2Size: number, i: number): number {
  if (log2Size < 8) return (dkIndices8.get(keys, i) << 24) >> 24;
  if (log2Size < 16) return (dkIndices16.get(keys, i) << 16) >> 16;
  return dkIndices32.get(keys, i);
}

/** dictkeys_set_index. */
export function setIndex(keys: number, log2Size: number, i: number, ix: number): void {
  if (log2Size < 8) dkIndices8.set(keys, i, ix & 0xff);
  else if (log2Size < 16) dkIndices16.set(keys, i, ix & 0xffff);
  else dkIndices32.set(keys, i, ix);
}
