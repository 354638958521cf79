// pymem_replay: the native floor of `pymem compare`.
//
// Replays a binary trace (lib/tools/binaryTrace.ts: a pymtrace trace parsed
// once into fixed records) with plain malloc/calloc/realloc/free in one C++
// loop, no JavaScript anywhere, and prints what it measured as one JSON
// object on stdout. It links against nothing but libc and libdl, so the
// allocator under test is whatever `malloc` resolves to: glibc's, or one
// swapped in with LD_PRELOAD (jemalloc, tcmalloc, mimalloc) — one fresh
// process per run, the mimalloc-bench method. It reports which shared object
// `malloc` came from, so a preload the loader ignored is caught, not timed.
//
// With --libpython PATH it replays through CPython's own obmalloc instead:
// PyObject_Malloc / PyObject_Calloc / PyObject_Realloc / PyObject_Free of a
// libpython3.11 opened with dlopen (prototypes declared here, no headers).
// In 3.11 the object allocator and all of obmalloc's state are static data
// of libpython (`_PyObject`, `usedpools`, `arenas`: Objects/obmalloc.c), not
// part of the runtime that Py_Initialize sets up, so no interpreter is
// started: the replay begins on a pristine obmalloc, as the recorded process
// did, with no start-up allocations of its own.
//
//   usage: pymem_replay TRACE.pymbt [--timeline N] [--touch MAX]
//                       [--libpython PATH [--placement FILE.pympl] [--stats-out FILE]]
//          pymem_replay --libpython PATH --probe      (prints {"python": VERSION})
//
// --placement (the check run, never timed): an arena allocator is installed
// with PyObject_SetArenaAllocator that maps each arena at the same address
// modulo the 16 KiB pool size as the recorded arena (so an arena CPython got
// unaligned loses its first partial pool here too), and every block's
// (arena ordinal, offset in the arena) and every arena map/unmap point is
// compared with the recording (lib/tools/compare/placement.ts writes the
// file). --stats-out writes CPython's _PyObject_DebugMallocStats at the end.
//
// Phases, in order:
//   1. load      read the whole file; check magic, sizes and length; size
//                the pointer table (idSlots entries, all NULL)
//   2. baseline  VmRSS, then reset VmHWM to it (write "5" to
//                /proc/self/clear_refs), so the peak is the replay's own
//   3. replay    the timed loop: one call per record, CPython's raw-allocator
//                rule for 0 bytes (malloc(0) is malloc(1), calloc with a zero
//                factor is calloc(1, 1), realloc to 0 is realloc to 1), as
//                _PyMem_RawMalloc & co. do (obmalloc applies it itself, so
//                its sizes go through as they are); with --timeline N, VmRSS every N
//                records; with --touch MAX, one byte written per 4 KiB page of
//                each new block of 1..MAX bytes (what the program would write)
//   4. report    VmRSS and VmHWM at the end, minor page faults of the loop,
//                counts of calls made, the placement check, JSON
//
// The record layout (little-endian, 24 bytes) and header offsets are those
// of binaryTrace.ts: keep the two in step.

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

namespace {

constexpr size_t kHeaderBytes = 160;
constexpr size_t kRecordBytes = 24;
constexpr uint32_t kNoId = 0xffffffffu;
constexpr size_t kPage = 4096;

enum OpKind : uint8_t { kMalloc = 0, kCalloc = 1, kRealloc = 2, kFree = 3 };

// One record as it lies in the file.
struct Record {
  uint8_t kind;
  uint8_t pad[3];
  uint32_t id;     // malloc/calloc: new slot; realloc: old slot or kNoId; free: slot or kNoId
  uint32_t newId;  // realloc: new slot; calloc: nelem
  uint32_t elsize; // calloc: elsize
  double size;     // malloc/realloc: size; calloc: nelem * elsize
};
static_assert(sizeof(Record) == kRecordBytes, "record layout must match binaryTrace.ts");

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "pymem_replay: %s\n", what.c_str());
  std::exit(2);
}

double NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return double(ts.tv_sec) * 1e9 + double(ts.tv_nsec);
}

// VmRSS and VmHWM from /proc/self/status, in bytes. Read with read(2) into a
// stack buffer: no stdio buffer, no allocation, so sampling during the
// replay does not call the allocator being measured.
struct Rss {
  double rss = 0;
  double hwm = 0;
};

double Field(const char* text, const char* name) {
  const char* at = std::strstr(text, name);
  if (at == nullptr) return -1;
  at += std::strlen(name);
  while (*at == ' ' || *at == '\t') at++;
  double kb = 0;
  while (*at >= '0' && *at <= '9') kb = kb * 10 + (*at++ - '0');
  return kb * 1024;
}

Rss ReadRss() {
  char buf[4096];
  int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
  if (fd < 0) Die("cannot open /proc/self/status");
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) Die("cannot read /proc/self/status");
  buf[n] = '\0';
  Rss r;
  r.rss = Field(buf, "VmRSS:");
  r.hwm = Field(buf, "VmHWM:");
  if (r.rss < 0 || r.hwm < 0) Die("VmRSS/VmHWM missing from /proc/self/status");
  return r;
}

// Minor page faults of this process so far (first touches of fresh pages).
double MinorFaults() {
  rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return double(ru.ru_minflt);
}

// Resets VmHWM to the current RSS (Linux >= 4.0); false if not permitted.
bool ResetPeak() {
  int fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = write(fd, "5", 1) == 1;
  close(fd);
  return ok;
}

// The shared object `malloc` resolves to in this process.
std::string MallocLibrary() {
  void* sym = dlsym(RTLD_DEFAULT, "malloc");
  Dl_info info;
  if (sym == nullptr || dladdr(sym, &info) == 0 || info.dli_fname == nullptr) return "?";
  return info.dli_fname;
}

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    out += c;
  }
  return out + "\"";
}

inline void Touch(void* p, size_t size) {
  volatile char* b = static_cast<volatile char*>(p);
  for (size_t off = 0; off < size; off += kPage) b[off] = 1;
}

// --- the allocators under test ---------------------------------------------------

// The C library's malloc & co. (or the one LD_PRELOAD put first), with
// CPython's raw-allocator rule for 0 bytes.
struct LibcAllocator {
  static void* Malloc(size_t n) { return std::malloc(n == 0 ? 1 : n); }
  static void* Calloc(size_t k, size_t e) {
    if (k == 0 || e == 0) k = e = 1;
    return std::calloc(k, e);
  }
  static void* Realloc(void* p, size_t n) { return std::realloc(p, n == 0 ? 1 : n); }
  static void Free(void* p) { std::free(p); }
};

// PyObjectArenaAllocator, as Include/cpython/objimpl.h of 3.11 declares it.
struct PyObjectArenaAllocator {
  void* ctx;
  void* (*alloc)(void* ctx, size_t size);
  void (*free)(void* ctx, void* ptr, size_t size);
};

// The entry points of libpython this replayer calls, found with dlsym.
struct Libpython {
  void* (*malloc)(size_t) = nullptr;                          // PyObject_Malloc
  void* (*calloc)(size_t, size_t) = nullptr;                  // PyObject_Calloc
  void* (*realloc)(void*, size_t) = nullptr;                  // PyObject_Realloc
  void (*free)(void*) = nullptr;                              // PyObject_Free
  void (*setArenaAllocator)(PyObjectArenaAllocator*) = nullptr;  // PyObject_SetArenaAllocator
  int (*debugMallocStats)(FILE*) = nullptr;                   // _PyObject_DebugMallocStats
  std::string version;                                        // Py_GetVersion()
};
Libpython gPy;

// Exit status of a libpython that cannot be used (absent, not 3.11, a symbol missing).
constexpr int kNoLibpython = 3;

[[noreturn]] void DieNoLibpython(const std::string& what) {
  std::fprintf(stderr, "pymem_replay: %s\n", what.c_str());
  std::exit(kNoLibpython);
}

template <class F>
void Resolve(void* lib, const char* name, F& slot) {
  void* sym = dlsym(lib, name);
  if (sym == nullptr) DieNoLibpython(std::string("libpython has no ") + name);
  slot = reinterpret_cast<F>(sym);
}

// Opens libpython at `path` and resolves the allocator; refuses any Python but 3.11.
void LoadLibpython(const char* path) {
  void* lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) DieNoLibpython(std::string("cannot open ") + path + ": " + dlerror());
  const char* (*getVersion)() = nullptr;
  Resolve(lib, "Py_GetVersion", getVersion);
  gPy.version = getVersion();
  gPy.version = gPy.version.substr(0, gPy.version.find(' '));
  if (gPy.version.rfind("3.11.", 0) != 0) DieNoLibpython(std::string(path) + " is Python " + gPy.version + ", not 3.11");
  Resolve(lib, "PyObject_Malloc", gPy.malloc);
  Resolve(lib, "PyObject_Calloc", gPy.calloc);
  Resolve(lib, "PyObject_Realloc", gPy.realloc);
  Resolve(lib, "PyObject_Free", gPy.free);
  Resolve(lib, "PyObject_SetArenaAllocator", gPy.setArenaAllocator);
  Resolve(lib, "_PyObject_DebugMallocStats", gPy.debugMallocStats);
}

// CPython's obmalloc: sizes go through as they are (it sends 0 and > 512 to
// PyMem_RawMalloc, which applies the 0-is-1 rule itself).
struct CPythonAllocator {
  static void* Malloc(size_t n) { return gPy.malloc(n); }
  static void* Calloc(size_t k, size_t e) { return gPy.calloc(k, e); }
  static void* Realloc(void* p, size_t n) { return gPy.realloc(p, n); }
  static void Free(void* p) { gPy.free(p); }
};

// --- the placement check ---------------------------------------------------------
//
// The file (lib/tools/compare/placement.ts writes it; little-endian):
//   0   u8[8] magic "PYMBPL01"     8  u32 header bytes (32)   12 u32 record bytes (12)
//   16  f64   records (== the binary trace's)                  24 u32 arenas   28 u32 pool size
//   32  records × PlacementRecord, then arenas × u32: each recorded arena's address mod pool size

constexpr size_t kPlacementHeaderBytes = 32;

struct PlacementRecord {
  uint32_t arena;   // ordinal + 1 of the arena CPython put the block in; 0: raw block, or a free
  uint32_t offset;  // the block's address minus its arena's
  uint16_t maps;    // A lines right after this request
  uint16_t unmaps;  // U lines right after this request
};
static_assert(sizeof(PlacementRecord) == 12, "record layout must match placement.ts");

// Arenas of the check run: mapped at the recorded alignment, counted per record.
struct CheckArenas {
  std::vector<uint32_t> misalign;  // per recorded ordinal: address mod poolSize
  uint32_t poolSize = 16384;
  uint32_t mapped = 0;             // arenas mapped so far: the next one's ordinal
  uint32_t maps = 0, unmaps = 0;   // since the last record
  struct Live {
    uintptr_t base;
    size_t size;
    uint32_t ordinal;
  };
  std::vector<Live> live;
};
CheckArenas gArenas;

// _PyObject_ArenaMmap, but at the recorded address modulo the pool size:
// map one pool more, keep the part that starts at the wanted residue.
void* CheckArenaAlloc(void*, size_t size) {
  uint32_t ordinal = gArenas.mapped++;
  uintptr_t pool = gArenas.poolSize;
  void* got = mmap(nullptr, size + pool, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (got == MAP_FAILED) return nullptr;
  uintptr_t p = reinterpret_cast<uintptr_t>(got);
  uintptr_t want = ordinal < gArenas.misalign.size() ? gArenas.misalign[ordinal] : p % pool;
  uintptr_t base = (p & ~(pool - 1)) + want;
  if (base < p) base += pool;
  if (base > p) munmap(got, base - p);
  if (p + pool > base) munmap(reinterpret_cast<void*>(base + size), p + pool - base);
  gArenas.live.push_back({base, size, ordinal});
  gArenas.maps++;
  return reinterpret_cast<void*>(base);
}

void CheckArenaFree(void*, void* ptr, size_t size) {
  munmap(ptr, size);
  uintptr_t b = reinterpret_cast<uintptr_t>(ptr);
  for (size_t k = 0; k < gArenas.live.size(); k++) {
    if (gArenas.live[k].base == b) {
      gArenas.live.erase(gArenas.live.begin() + long(k));
      break;
    }
  }
  gArenas.unmaps++;
}

// What the check run found.
struct Placement {
  const PlacementRecord* expected = nullptr;
  uint64_t checked = 0, mismatches = 0, arenaMismatches = 0;
  std::vector<std::string> first;  // the first few disagreements, described
};

std::string Where(uint32_t arenaPlus1, uint64_t offset) {
  if (arenaPlus1 == 0) return "raw";
  char buf[64];
  std::snprintf(buf, sizeof buf, "arena %u +0x%llx", arenaPlus1 - 1, static_cast<unsigned long long>(offset));
  return buf;
}

// Compares block `p` of record `i` (nullptr: a free) and the arena events since the last record.
void CheckRecord(Placement& pl, size_t i, void* p, double size) {
  const PlacementRecord& want = pl.expected[i];
  if (p != nullptr) {
    uintptr_t a = reinterpret_cast<uintptr_t>(p);
    uint32_t arena = 0;
    uint64_t offset = 0;
    for (const CheckArenas::Live& l : gArenas.live) {
      if (a >= l.base && a < l.base + l.size) {
        arena = l.ordinal + 1;
        offset = a - l.base;
        break;
      }
    }
    if (arena != 0 || want.arena != 0) {
      pl.checked++;
      if (arena != want.arena || offset != want.offset) {
        pl.mismatches++;
        if (pl.first.size() < 10) {
          pl.first.push_back("record " + std::to_string(i) + ": " + std::to_string(uint64_t(size)) + "-byte block: recorded " +
                             Where(want.arena, want.offset) + ", replayed " + Where(arena, offset));
        }
      }
    }
  }
  if (gArenas.maps != want.maps || gArenas.unmaps != want.unmaps) {
    pl.arenaMismatches++;
    if (pl.first.size() < 10) {
      pl.first.push_back("record " + std::to_string(i) + ": recorded " + std::to_string(want.maps) + " map(s) / " +
                         std::to_string(want.unmaps) + " unmap(s), replayed " + std::to_string(gArenas.maps) + " / " +
                         std::to_string(gArenas.unmaps));
    }
  }
  gArenas.maps = gArenas.unmaps = 0;
}

// Reads a whole file into 8-aligned memory.
std::vector<uint64_t> ReadWhole(const char* path, size_t& length) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) Die(std::string("cannot open ") + path + ": " + std::strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0) Die(std::string("cannot stat ") + path);
  length = size_t(st.st_size);
  std::vector<uint64_t> file((length + 7) / 8 + 1);
  char* bytes = reinterpret_cast<char*>(file.data());
  for (size_t got = 0; got < length;) {
    ssize_t n = read(fd, bytes + got, length - got);
    if (n <= 0) Die(std::string("cannot read ") + path);
    got += size_t(n);
  }
  close(fd);
  return file;
}

// Loads a placement file for a trace of `records` records into `pl` and gArenas.
std::vector<uint64_t> LoadPlacement(const char* path, size_t records, Placement& pl) {
  size_t length = 0;
  std::vector<uint64_t> file = ReadWhole(path, length);
  const char* bytes = reinterpret_cast<const char*>(file.data());
  uint32_t headerBytes = 0, recordBytes = 0, arenas = 0, poolSize = 0;
  double n = 0;
  if (length >= kPlacementHeaderBytes) {
    std::memcpy(&headerBytes, bytes + 8, 4);
    std::memcpy(&recordBytes, bytes + 12, 4);
    std::memcpy(&n, bytes + 16, 8);
    std::memcpy(&arenas, bytes + 24, 4);
    std::memcpy(&poolSize, bytes + 28, 4);
  }
  if (length < kPlacementHeaderBytes || std::memcmp(bytes, "PYMBPL01", 8) != 0 || headerBytes != kPlacementHeaderBytes ||
      recordBytes != sizeof(PlacementRecord)) {
    Die(std::string(path) + ": not a placement file of this version (magic PYMBPL01, 32-byte header, 12-byte records)");
  }
  if (size_t(n) != records) Die(std::string(path) + ": " + std::to_string(size_t(n)) + " records, the trace has " + std::to_string(records));
  if (kPlacementHeaderBytes + records * sizeof(PlacementRecord) + arenas * 4 != length) Die(std::string(path) + ": length does not match its counts");
  if (poolSize == 0 || (poolSize & (poolSize - 1)) != 0) Die(std::string(path) + ": pool size is not a power of two");
  pl.expected = reinterpret_cast<const PlacementRecord*>(bytes + kPlacementHeaderBytes);
  gArenas.poolSize = poolSize;
  gArenas.misalign.resize(arenas);
  std::memcpy(gArenas.misalign.data(), bytes + kPlacementHeaderBytes + records * sizeof(PlacementRecord), arenas * 4);
  return file;
}

// --- the replay loop -------------------------------------------------------------

struct Counts {
  uint64_t mallocs = 0, callocs = 0, reallocs = 0, frees = 0;
};

struct Timeline {
  size_t every = 0;
  std::vector<double> at, rss;
};

// Every record through allocator A; with kCheck, each result checked against `pl`.
template <class A, bool kCheck>
Counts Replay(const Record* rec, size_t n, std::vector<void*>& ptrs, size_t touchMax, Timeline& tl, Placement* pl) {
  Counts c;
  size_t nextSample = tl.every > 0 ? tl.every : SIZE_MAX;
  for (size_t i = 0; i < n; i++) {
    const Record& r = rec[i];
    void* p = nullptr;
    switch (r.kind) {
      case kMalloc: {
        size_t size = size_t(r.size);
        p = A::Malloc(size);
        if (p == nullptr) Die("malloc failed at record " + std::to_string(i));
        if (size <= touchMax) Touch(p, size == 0 ? 1 : size);
        ptrs[r.id] = p;
        c.mallocs++;
        break;
      }
      case kCalloc: {
        p = A::Calloc(r.newId, r.elsize);
        if (p == nullptr) Die("calloc failed at record " + std::to_string(i));
        if (size_t(r.size) <= touchMax) Touch(p, r.size == 0 ? 1 : size_t(r.size));
        ptrs[r.id] = p;
        c.callocs++;
        break;
      }
      case kRealloc: {
        size_t size = size_t(r.size);
        p = A::Realloc(r.id == kNoId ? nullptr : ptrs[r.id], size);
        if (p == nullptr) Die("realloc failed at record " + std::to_string(i));
        if (size <= touchMax) Touch(p, size == 0 ? 1 : size);
        ptrs[r.newId] = p;
        c.reallocs++;
        break;
      }
      case kFree:
        A::Free(r.id == kNoId ? nullptr : ptrs[r.id]);
        c.frees++;
        break;
      default:
        Die("unknown record kind " + std::to_string(r.kind) + " at record " + std::to_string(i));
    }
    if (kCheck) CheckRecord(*pl, i, p, r.size);
    if (i + 1 == nextSample) {
      tl.at.push_back(double(i + 1));
      tl.rss.push_back(ReadRss().rss);
      nextSample += tl.every;
    }
  }
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  // --- arguments ---------------------------------------------------------------
  const char* usage =
      "usage: pymem_replay TRACE.pymbt [--timeline N] [--touch MAX] [--libpython PATH [--placement FILE] [--stats-out FILE]]\n"
      "       pymem_replay --libpython PATH --probe";
  const char* path = nullptr;
  const char* libpython = nullptr;
  const char* placementPath = nullptr;
  const char* statsOut = nullptr;
  bool probe = false;
  Timeline tl;
  size_t touchMax = 0;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    if (a == "--timeline" && i + 1 < argc) {
      tl.every = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--touch" && i + 1 < argc) {
      touchMax = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--libpython" && i + 1 < argc) {
      libpython = argv[++i];
    } else if (a == "--placement" && i + 1 < argc) {
      placementPath = argv[++i];
    } else if (a == "--stats-out" && i + 1 < argc) {
      statsOut = argv[++i];
    } else if (a == "--probe") {
      probe = true;
    } else if (path == nullptr && a[0] != '-') {
      path = argv[i];
    } else {
      Die(usage);
    }
  }
  if ((placementPath != nullptr || statsOut != nullptr || probe) && libpython == nullptr) Die(usage);
  if (libpython != nullptr) LoadLibpython(libpython);
  if (probe) {
    std::string out = "{\"python\":" + JsonString(gPy.version) + "}\n";
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
  }
  if (path == nullptr) Die(usage);

  // --- 1. load -------------------------------------------------------------------
  size_t length = 0;
  std::vector<uint64_t> file = ReadWhole(path, length);
  const char* bytes = reinterpret_cast<const char*>(file.data());
  if (length < kHeaderBytes) Die(std::string(path) + ": shorter than the header");
  uint32_t headerBytes, recordBytes, idSlots;
  double records;
  std::memcpy(&headerBytes, bytes + 8, 4);
  std::memcpy(&recordBytes, bytes + 12, 4);
  std::memcpy(&records, bytes + 16, 8);
  std::memcpy(&idSlots, bytes + 24, 4);
  if (std::memcmp(bytes, "PYMBTR01", 8) != 0 || headerBytes != kHeaderBytes || recordBytes != kRecordBytes) {
    Die(std::string(path) + ": not a binary trace of this version (magic PYMBTR01, 160-byte header, 24-byte records)");
  }
  size_t n = size_t(records);
  if (kHeaderBytes + n * kRecordBytes != length) Die(std::string(path) + ": length does not match the record count");
  const Record* rec = reinterpret_cast<const Record*>(bytes + kHeaderBytes);
  std::vector<void*> ptrs(idSlots, nullptr);
  Placement pl;
  std::vector<uint64_t> placementFile;
  if (placementPath != nullptr) {
    placementFile = LoadPlacement(placementPath, n, pl);
    PyObjectArenaAllocator arenas = {nullptr, CheckArenaAlloc, CheckArenaFree};
    gPy.setArenaAllocator(&arenas);
  }
  if (tl.every > 0) {
    tl.at.reserve(n / tl.every + 2);
    tl.rss.reserve(n / tl.every + 2);
  }

  // --- 2. baseline -----------------------------------------------------------------
  bool peakReset = ResetPeak();
  Rss base = ReadRss();
  if (tl.every > 0) {
    tl.at.push_back(0);
    tl.rss.push_back(base.rss);
  }

  // --- 3. replay -------------------------------------------------------------------
  double faults0 = MinorFaults();
  double start = NowNs();
  Counts c;
  if (libpython == nullptr) {
    c = Replay<LibcAllocator, false>(rec, n, ptrs, touchMax, tl, nullptr);
  } else if (placementPath == nullptr) {
    c = Replay<CPythonAllocator, false>(rec, n, ptrs, touchMax, tl, nullptr);
  } else {
    c = Replay<CPythonAllocator, true>(rec, n, ptrs, touchMax, tl, &pl);
  }
  double elapsed = NowNs() - start;
  double faults = MinorFaults() - faults0;

  // --- 4. report -------------------------------------------------------------------
  Rss end = ReadRss();
  if (statsOut != nullptr) {
    FILE* f = std::fopen(statsOut, "w");
    if (f == nullptr) Die(std::string("cannot write ") + statsOut + ": " + std::strerror(errno));
    gPy.debugMallocStats(f);
    std::fclose(f);
  }
  std::string out = "{";
  out += "\"replayMs\":" + std::to_string(elapsed / 1e6);
  out += ",\"baselineRss\":" + std::to_string(base.rss);
  out += ",\"peakRss\":" + std::to_string(end.hwm);
  out += ",\"endRss\":" + std::to_string(end.rss);
  out += ",\"minorFaults\":" + std::to_string(uint64_t(faults));
  out += std::string(",\"peakReset\":") + (peakReset ? "true" : "false");
  out += ",\"counts\":{\"malloc\":" + std::to_string(c.mallocs) + ",\"calloc\":" + std::to_string(c.callocs) +
         ",\"realloc\":" + std::to_string(c.reallocs) + ",\"free\":" + std::to_string(c.frees) + "}";
  out += ",\"mallocLibrary\":" + JsonString(MallocLibrary());
  if (libpython != nullptr) out += ",\"python\":" + JsonString(gPy.version);
  if (placementPath != nullptr) {
    out += ",\"placement\":{\"checked\":" + std::to_string(pl.checked) + ",\"mismatches\":" + std::to_string(pl.mismatches) +
           ",\"arenaMismatches\":" + std::to_string(pl.arenaMismatches) + ",\"arenasMapped\":" + std::to_string(gArenas.mapped) +
           ",\"first\":[";
    for (size_t k = 0; k < pl.first.size(); k++) out += (k ? "," : "") + JsonString(pl.first[k]);
    out += "]}";
  }
  out += ",\"timeline\":[";
  for (size_t k = 0; k < tl.at.size(); k++) {
    if (k) out += ',';
    out += "[" + std::to_string(uint64_t(tl.at[k])) + "," + std::to_string(uint64_t(tl.rss[k])) + "]";
  }
  out += "]}\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}
