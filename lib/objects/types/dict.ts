/*
 * STUB — to be written (issue 3). dict (Objects/dictobject.c, 3.11): compact dict, PyDictKeysObject with indices and entries (unicode-keys variant with 16-byte
 * entries, general with 24), Py_EMPTY_KEYS, resize/growth as 3.11 (GROWTH_RATE used*3), deletion with DKIX_DUMMY, shared-key tables for
 * instance dicts (used by instance.ts), free lists of dicts (80) and keys objects (80, log2 size 3).
 * Expected API: type; new(): number; setItem(d, k, v) (increfs both); getItem(d, k): borrowed or 0; delItem(d, k); size(d);
 * keys(d)/values(d)/items iteration helpers; plus whatever instance.ts needs for shared keys (newPresized, splitKeys…).
 */
import type { Interpreter } from '../interpreter.js';

export class DictModule {
  constructor(readonly interp: Interpreter) {}
}
