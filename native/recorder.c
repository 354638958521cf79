/*
 * pymem_record: records every MEM- and OBJ-domain allocator call of a Python
 * program, and every pymalloc arena map/unmap, as a pymtrace v2 trace
 * (../shared/cpython/traces/FORMAT.md), plus CPython's own
 * _PyObject_DebugMallocStats at the trace's end.  `pymem record`
 * (lib/tools/record.ts) compiles it once with cc against the libpython of
 * python3 and runs it; it is not part of the addon.
 *
 *   usage: pymem_record TRACE STATS PROGRAM_NAME SCRIPT_LABEL [python-args...]
 *
 *   PROGRAM_NAME  the interpreter's own path (sys.executable of the python3
 *                 whose libpython this is linked to): the embedded
 *                 interpreter takes it as program_name and so finds the same
 *                 prefix, stdlib and site-packages as that python3
 *   python-args   what `python3` would be given: options, then the script
 *                 (or -c CMD / -m MOD) and its arguments
 *
 * How, in order (PEP 445):
 *   1. Py_PreInitializeFromBytesArgs with allocator = pymalloc (so that
 *      PYTHONMALLOC cannot swap it out from under the hooks)
 *   2. the hooks: PyMem_GetAllocator / PyMem_SetAllocator on PYMEM_DOMAIN_MEM
 *      and PYMEM_DOMAIN_OBJ (a wrapper per domain, calling the saved
 *      allocator), PyObject_GetArenaAllocator / PyObject_SetArenaAllocator;
 *      the header line
 *   3. Py_InitializeFromConfig with the arguments; an atexit callback is
 *      registered (its few allocations are in the trace, after start-up)
 *   4. Py_RunMain: the script runs; when the interpreter starts finalizing
 *      (after the script ended normally, by an exception or by SystemExit,
 *      after threading's shutdown and the program's own atexit callbacks,
 *      which run before this first-registered one), the callback turns
 *      logging off, writes the `# end` trailer and the stats file.  Nothing
 *      of the finalization is logged.
 *
 * Invariants (FORMAT.md): ids are unique among live blocks, reused LIFO,
 * the new id of a moving realloc taken before the old one is released; an
 * `A`/`U` line is written right after the line of the MEM/OBJ call during
 * which pymalloc mapped/unmapped that arena; an arena-allocator call made
 * outside any MEM/OBJ call (the frame stack's _PyObject_VirtualAlloc) is a
 * `# vmem-alloc` / `# vmem-free` comment.  All of it runs under the GIL, as
 * every MEM/OBJ call does, so no lock is taken.  The recorder's own memory
 * (the pointer table, the output buffer) comes from libc malloc, which no
 * hook sees.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Include/internal/pycore_pymem.h (not installed with every -dev package). */
PyAPI_FUNC(int) _PyObject_DebugMallocStats(FILE *out);

/* --- output ------------------------------------------------------------------ */

static FILE *traceFile;
static const char *statsPath;
static char buf[1 << 16];
static size_t bufUsed;

static void flushBuf(void) {
  if (bufUsed > 0 && fwrite(buf, 1, bufUsed, traceFile) != bufUsed) {
    perror("pymem_record: writing the trace");
    exit(70);
  }
  bufUsed = 0;
}

static void put(const char *s) {
  size_t n = strlen(s);
  if (bufUsed + n > sizeof buf) flushBuf();
  memcpy(buf + bufUsed, s, n);
  bufUsed += n;
}

static void putDec(uint64_t v) {
  char t[24];
  int i = 0;
  do {
    t[i++] = (char)('0' + v % 10);
    v /= 10;
  } while (v > 0);
  if (bufUsed + 24 > sizeof buf) flushBuf();
  while (i > 0) buf[bufUsed++] = t[--i];
}

static void putHex(uintptr_t v) {
  char t[20];
  int i = 0;
  do {
    t[i++] = "0123456789abcdef"[v & 15];
    v >>= 4;
  } while (v > 0);
  if (bufUsed + 20 > sizeof buf) flushBuf();
  while (i > 0) buf[bufUsed++] = t[--i];
}

/* --- block ids: pointer -> id (open addressing, linear probing) -------------- */

typedef struct {
  uintptr_t ptr; /* 0: empty */
  uint64_t id;
} Slot;

static Slot *table;
static size_t tableMask; /* capacity - 1; capacity a power of two */
static size_t liveIds;
static uint64_t *freeIds; /* released ids, most recent on top */
static size_t nFree, freeCap;
static uint64_t nextId;   /* max_id + 1 */

static size_t hashPtr(uintptr_t p) { return (size_t)((p >> 4) * 0x9E3779B97F4A7C15ull); }

static void *xcalloc(size_t n, size_t size) {
  void *p = calloc(n, size);
  if (p == NULL) {
    fputs("pymem_record: out of memory for the block table\n", stderr);
    exit(71);
  }
  return p;
}

static void tableInsert(uintptr_t p, uint64_t id);

static void tableGrow(void) {
  Slot *old = table;
  size_t oldCap = table ? tableMask + 1 : 0;
  size_t cap = oldCap ? oldCap * 2 : 1 << 16;
  table = xcalloc(cap, sizeof(Slot));
  tableMask = cap - 1;
  for (size_t i = 0; i < oldCap; i++)
    if (old[i].ptr) tableInsert(old[i].ptr, old[i].id);
  free(old);
}

static void tableInsert(uintptr_t p, uint64_t id) {
  size_t i = hashPtr(p) & tableMask;
  while (table[i].ptr != 0) i = (i + 1) & tableMask;
  table[i].ptr = p;
  table[i].id = id;
}

/* The slot of p, or -1. */
static long tableFind(uintptr_t p) {
  size_t i = hashPtr(p) & tableMask;
  while (table[i].ptr != 0) {
    if (table[i].ptr == p) return (long)i;
    i = (i + 1) & tableMask;
  }
  return -1;
}

/* Removes slot i, shifting later members of its probe run back (no tombstones). */
static void tableRemoveAt(size_t i) {
  size_t j = i;
  for (;;) {
    j = (j + 1) & tableMask;
    if (table[j].ptr == 0) break;
    size_t home = hashPtr(table[j].ptr) & tableMask;
    /* j's entry may move to i iff its home is not in (i, j] cyclically */
    if ((i <= j) ? (home <= i || home > j) : (home <= i && home > j)) {
      table[i] = table[j];
      i = j;
    }
  }
  table[i].ptr = 0;
}

/* A new id for the block at p (the most recently released one, else max_id + 1). */
static uint64_t takeId(uintptr_t p) {
  if ((liveIds + 1) * 2 > tableMask + 1) tableGrow();
  uint64_t id = nFree > 0 ? freeIds[--nFree] : nextId++;
  tableInsert(p, id);
  liveIds++;
  return id;
}

/* Releases the id of the block at p; false if p was never seen. */
static int releaseId(uintptr_t p, uint64_t *id) {
  long i = tableFind(p);
  if (i < 0) return 0;
  *id = table[i].id;
  tableRemoveAt((size_t)i);
  liveIds--;
  if (nFree == freeCap) {
    freeCap = freeCap ? freeCap * 2 : 1 << 12;
    freeIds = realloc(freeIds, freeCap * sizeof *freeIds);
    if (freeIds == NULL) {
      fputs("pymem_record: out of memory for the id list\n", stderr);
      exit(71);
    }
  }
  freeIds[nFree++] = *id;
  return 1;
}

/* --- counters and the arena events of the current call ------------------------- */

static int logging;      /* between the hooks and the end */
static int depth;        /* inside a MEM/OBJ call */
static uint64_t events;  /* non-comment lines */
static uint64_t vmemComments;
static uint64_t unknownPtr;
static struct timespec started;

#define MAX_PENDING 16
static struct {
  char kind; /* 'A' or 'U' */
  uintptr_t addr;
} pending[MAX_PENDING];
static int nPending;

/* Ends the current request's line and writes the A/U lines it caused. */
static void endRequest(void) {
  put("\n");
  events++;
  for (int k = 0; k < nPending; k++) {
    put(pending[k].kind == 'A' ? "A " : "U ");
    putHex(pending[k].addr);
    put("\n");
    events++;
  }
  nPending = 0;
}

/* Writes the id of a block being freed and releases it, or ?ADDR if it was never seen. */
static void putFreedId(uintptr_t p) {
  uint64_t id;
  if (releaseId(p, &id)) {
    putDec(id);
  } else {
    put("?");
    putHex(p);
    unknownPtr++;
  }
}

/* --- the MEM/OBJ hooks (ctx: the saved allocator of the domain) ---------------- */

static PyMemAllocatorEx savedMem, savedObj;

static void *hookMalloc(void *ctx, size_t size) {
  PyMemAllocatorEx *a = ctx;
  depth++;
  void *p = a->malloc(a->ctx, size);
  depth--;
  if (!logging) return p;
  if (p != NULL) {
    put("m ");
    putDec(takeId((uintptr_t)p));
    put(" ");
    putDec(size);
    put(" ");
    putHex((uintptr_t)p);
  } else {
    put("m - ");
    putDec(size);
  }
  endRequest();
  return p;
}

static void *hookCalloc(void *ctx, size_t nelem, size_t elsize) {
  PyMemAllocatorEx *a = ctx;
  depth++;
  void *p = a->calloc(a->ctx, nelem, elsize);
  depth--;
  if (!logging) return p;
  if (p != NULL) {
    put("c ");
    putDec(takeId((uintptr_t)p));
  } else {
    put("c -");
  }
  put(" ");
  putDec(nelem);
  put(" ");
  putDec(elsize);
  if (p != NULL) {
    put(" ");
    putHex((uintptr_t)p);
  }
  endRequest();
  return p;
}

static void *hookRealloc(void *ctx, void *old, size_t size) {
  PyMemAllocatorEx *a = ctx;
  depth++;
  void *p = a->realloc(a->ctx, old, size);
  depth--;
  if (!logging) return p;
  put("r ");
  if (old == NULL) {
    put("- ");
    if (p != NULL) putDec(takeId((uintptr_t)p));
    else put("-");
  } else {
    long i = tableFind((uintptr_t)old);
    uint64_t oldId = i >= 0 ? table[i].id : 0;
    if (i >= 0) {
      putDec(oldId);
    } else {
      put("?");
      putHex((uintptr_t)old);
      unknownPtr++;
    }
    put(" ");
    if (p == NULL) {
      put("-"); /* failed: the old block stays live */
    } else if (i >= 0 && p == old) {
      putDec(oldId); /* in place */
    } else {
      uint64_t newId = takeId((uintptr_t)p); /* before the old id is released */
      uint64_t released;
      if (i >= 0) releaseId((uintptr_t)old, &released);
      putDec(newId);
    }
  }
  put(" ");
  putDec(size);
  if (p != NULL) {
    put(" ");
    putHex((uintptr_t)p);
  }
  endRequest();
  return p;
}

static void hookFree(void *ctx, void *ptr) {
  PyMemAllocatorEx *a = ctx;
  depth++;
  a->free(a->ctx, ptr);
  depth--;
  if (!logging) return;
  if (ptr == NULL) {
    put("f -");
  } else {
    put("f ");
    putFreedId((uintptr_t)ptr);
  }
  endRequest();
}

/* --- the arena allocator hooks ------------------------------------------------- */

static PyObjectArenaAllocator savedArena;

static void arenaEvent(char kind, void *p, size_t size) {
  if (depth > 0) {
    if (nPending == MAX_PENDING) {
      fputs("pymem_record: more arena events in one call than expected\n", stderr);
      exit(72);
    }
    pending[nPending].kind = kind;
    pending[nPending].addr = (uintptr_t)p;
    nPending++;
  } else {
    put(kind == 'A' ? "# vmem-alloc " : "# vmem-free ");
    putHex((uintptr_t)p);
    put(" ");
    putDec(size);
    put("\n");
    vmemComments++;
  }
}

static void *hookArenaAlloc(void *ctx, size_t size) {
  (void)ctx;
  void *p = savedArena.alloc(savedArena.ctx, size);
  if (logging && p != NULL) arenaEvent('A', p, size);
  return p;
}

static void hookArenaFree(void *ctx, void *p, size_t size) {
  (void)ctx;
  savedArena.free(savedArena.ctx, p, size);
  if (logging) arenaEvent('U', p, size);
}

/* --- start and end ------------------------------------------------------------- */

static void installHooks(void) {
  PyMem_GetAllocator(PYMEM_DOMAIN_MEM, &savedMem);
  PyMem_GetAllocator(PYMEM_DOMAIN_OBJ, &savedObj);
  PyMemAllocatorEx mem = {&savedMem, hookMalloc, hookCalloc, hookRealloc, hookFree};
  PyMemAllocatorEx obj = {&savedObj, hookMalloc, hookCalloc, hookRealloc, hookFree};
  PyMem_SetAllocator(PYMEM_DOMAIN_MEM, &mem);
  PyMem_SetAllocator(PYMEM_DOMAIN_OBJ, &obj);
  PyObject_GetArenaAllocator(&savedArena);
  PyObjectArenaAllocator arena = {NULL, hookArenaAlloc, hookArenaFree};
  PyObject_SetArenaAllocator(&arena);
}

/* The atexit callback: the end of the trace (see the note at the top). */
static PyObject *endTrace(PyObject *self, PyObject *unused) {
  (void)self;
  (void)unused;
  if (!logging) Py_RETURN_NONE;
  logging = 0;
  /* _PyObject_DebugMallocStats prints nothing unless the OBJ allocator is
     pymalloc itself (_PyMem_PymallocEnabled), so the hooks step aside: they
     only forwarded to these, so every live block stays valid. */
  PyMem_SetAllocator(PYMEM_DOMAIN_MEM, &savedMem);
  PyMem_SetAllocator(PYMEM_DOMAIN_OBJ, &savedObj);
  PyObject_SetArenaAllocator(&savedArena);
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  double seconds = (double)(now.tv_sec - started.tv_sec) + (double)(now.tv_nsec - started.tv_nsec) / 1e9;
  char tail[256];
  snprintf(tail, sizeof tail, "# end events=%llu vmem_comments=%llu unknown_ptr=%llu live_ids=%llu max_id=%lld seconds=%.3f\n",
           (unsigned long long)events, (unsigned long long)vmemComments, (unsigned long long)unknownPtr,
           (unsigned long long)liveIds, (long long)nextId - 1, seconds);
  put(tail);
  flushBuf();
  if (fclose(traceFile) != 0) perror("pymem_record: closing the trace");
  FILE *stats = fopen(statsPath, "w");
  if (stats == NULL) {
    perror("pymem_record: writing the stats file");
  } else {
    _PyObject_DebugMallocStats(stats);
    fclose(stats);
  }
  Py_RETURN_NONE;
}

static PyMethodDef endTraceDef = {"_pymem_record_end", endTrace, METH_NOARGS, NULL};

static void registerEnd(void) {
  PyObject *atexit = PyImport_ImportModule("atexit");
  PyObject *fn = PyCFunction_New(&endTraceDef, NULL);
  PyObject *r = atexit && fn ? PyObject_CallMethod(atexit, "register", "O", fn) : NULL;
  if (r == NULL) {
    PyErr_Print();
    fputs("pymem_record: cannot register the end of the trace with atexit\n", stderr);
    exit(73);
  }
  Py_DECREF(r);
  Py_DECREF(fn);
  Py_DECREF(atexit);
}

static void exitOnError(PyStatus status) {
  if (PyStatus_Exception(status)) Py_ExitStatusException(status);
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fputs("usage: pymem_record TRACE STATS PROGRAM_NAME SCRIPT_LABEL [python-args...]\n", stderr);
    return 64;
  }
  traceFile = fopen(argv[1], "w");
  if (traceFile == NULL) {
    perror(argv[1]);
    return 66;
  }
  statsPath = argv[2];
  /* The interpreter's argv: the program name, then the python arguments. */
  const char *label = argv[4];
  argv[4] = argv[3];
  char **pyArgv = argv + 4;
  int pyArgc = argc - 4;

  PyPreConfig pre;
  PyPreConfig_InitPythonConfig(&pre);
  pre.allocator = PYMEM_ALLOCATOR_PYMALLOC;
  exitOnError(Py_PreInitializeFromBytesArgs(&pre, pyArgc, pyArgv));

  installHooks();
  clock_gettime(CLOCK_MONOTONIC, &started);
  const char *version = Py_GetVersion();
  put("# pymtrace v2 python=");
  char v[32];
  size_t n = strcspn(version, " ");
  snprintf(v, sizeof v, "%.*s", (int)(n < 31 ? n : 31), version);
  put(v);
  put(" script=");
  put(label);
  put("\n");
  logging = 1;

  PyConfig config;
  PyConfig_InitPythonConfig(&config);
  exitOnError(PyConfig_SetBytesString(&config, &config.program_name, pyArgv[0]));
  exitOnError(PyConfig_SetBytesArgv(&config, pyArgc, pyArgv));
  PyStatus status = Py_InitializeFromConfig(&config);
  PyConfig_Clear(&config);
  exitOnError(status);
  registerEnd();
  return Py_RunMain();
}
