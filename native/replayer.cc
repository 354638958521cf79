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
//   usage: pymem_replay TRACE.pymbt [--timeline N] [--touch MAX]
//
// Phases, in order:
//   1. load      read the whole file; check magic, sizes and length; size
//                the pointer table (idSlots entries, all NULL)
//   2. baseline  VmRSS, then reset VmHWM to it (write "5" to
//                /proc/self/clear_refs), so the peak is the replay's own
//   3. replay    the timed loop: one call per record, CPython's raw-allocator
//                rule for 0 bytes (malloc(0) is malloc(1), calloc with a zero
//                factor is calloc(1, 1), realloc to 0 is realloc to 1), as
//                _PyMem_RawMalloc & co. do; with --timeline N, VmRSS every N
//                records; with --touch MAX, one byte written per 4 KiB page of
//                each new block of 1..MAX bytes (what the program would write)
//   4. report    VmRSS and VmHWM at the end, minor page faults of the loop,
//                counts of calls made, JSON
//
// The record layout (little-endian, 24 bytes) and header offsets are those
// of binaryTrace.ts: keep the two in step.

#include <dlfcn.h>
#include <fcntl.h>
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

}  // namespace

int main(int argc, char** argv) {
  // --- arguments ---------------------------------------------------------------
  const char* path = nullptr;
  size_t timelineEvery = 0;
  size_t touchMax = 0;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    if (a == "--timeline" && i + 1 < argc) {
      timelineEvery = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--touch" && i + 1 < argc) {
      touchMax = std::strtoull(argv[++i], nullptr, 10);
    } else if (path == nullptr && a[0] != '-') {
      path = argv[i];
    } else {
      Die("usage: pymem_replay TRACE.pymbt [--timeline N] [--touch MAX]");
    }
  }
  if (path == nullptr) Die("usage: pymem_replay TRACE.pymbt [--timeline N] [--touch MAX]");

  // --- 1. load -------------------------------------------------------------------
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) Die(std::string("cannot open ") + path + ": " + std::strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0) Die(std::string("cannot stat ") + path);
  size_t length = size_t(st.st_size);
  if (length < kHeaderBytes) Die(std::string(path) + ": shorter than the header");
  // uint64_t elements keep the records' doubles 8-aligned.
  std::vector<uint64_t> file((length + 7) / 8);
  char* bytes = reinterpret_cast<char*>(file.data());
  for (size_t got = 0; got < length;) {
    ssize_t n = read(fd, bytes + got, length - got);
    if (n <= 0) Die(std::string("cannot read ") + path);
    got += size_t(n);
  }
  close(fd);
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
  std::vector<double> timelineAt;
  std::vector<double> timelineRss;
  if (timelineEvery > 0) {
    timelineAt.reserve(n / timelineEvery + 2);
    timelineRss.reserve(n / timelineEvery + 2);
  }

  // --- 2. baseline -----------------------------------------------------------------
  bool peakReset = ResetPeak();
  Rss base = ReadRss();
  if (timelineEvery > 0) {
    timelineAt.push_back(0);
    timelineRss.push_back(base.rss);
  }

  // --- 3. replay -------------------------------------------------------------------
  uint64_t mallocs = 0, callocs = 0, reallocs = 0, frees = 0;
  size_t nextSample = timelineEvery > 0 ? timelineEvery : SIZE_MAX;
  double faults0 = MinorFaults();
  double start = NowNs();
  for (size_t i = 0; i < n; i++) {
    const Record& r = rec[i];
    switch (r.kind) {
      case kMalloc: {
        size_t size = r.size == 0 ? 1 : size_t(r.size);
        void* p = std::malloc(size);
        if (p == nullptr) Die("malloc failed at record " + std::to_string(i));
        if (size <= touchMax) Touch(p, size);
        ptrs[r.id] = p;
        mallocs++;
        break;
      }
      case kCalloc: {
        size_t nelem = r.newId, elsize = r.elsize;
        if (nelem == 0 || elsize == 0) nelem = elsize = 1;
        void* p = std::calloc(nelem, elsize);
        if (p == nullptr) Die("calloc failed at record " + std::to_string(i));
        if (nelem * elsize <= touchMax) Touch(p, nelem * elsize);
        ptrs[r.id] = p;
        callocs++;
        break;
      }
      case kRealloc: {
        size_t size = r.size == 0 ? 1 : size_t(r.size);
        void* p = std::realloc(r.id == kNoId ? nullptr : ptrs[r.id], size);
        if (p == nullptr) Die("realloc failed at record " + std::to_string(i));
        if (size <= touchMax) Touch(p, size);
        ptrs[r.newId] = p;
        reallocs++;
        break;
      }
      case kFree:
        std::free(r.id == kNoId ? nullptr : ptrs[r.id]);
        frees++;
        break;
      default:
        Die("unknown record kind " + std::to_string(r.kind) + " at record " + std::to_string(i));
    }
    if (i + 1 == nextSample) {
      timelineAt.push_back(double(i + 1));
      timelineRss.push_back(ReadRss().rss);
      nextSample += timelineEvery;
    }
  }
  double elapsed = NowNs() - start;
  double faults = MinorFaults() - faults0;

  // --- 4. report -------------------------------------------------------------------
  Rss end = ReadRss();
  std::string out = "{";
  out += "\"replayMs\":" + std::to_string(elapsed / 1e6);
  out += ",\"baselineRss\":" + std::to_string(base.rss);
  out += ",\"peakRss\":" + std::to_string(end.hwm);
  out += ",\"endRss\":" + std::to_string(end.rss);
  out += ",\"minorFaults\":" + std::to_string(uint64_t(faults));
  out += std::string(",\"peakReset\":") + (peakReset ? "true" : "false");
  out += ",\"counts\":{\"malloc\":" + std::to_string(mallocs) + ",\"calloc\":" + std::to_string(callocs) +
         ",\"realloc\":" + std::to_string(reallocs) + ",\"free\":" + std::to_string(frees) + "}";
  out += ",\"mallocLibrary\":" + JsonString(MallocLibrary());
  out += ",\"timeline\":[";
  for (size_t k = 0; k < timelineAt.size(); k++) {
    if (k) out += ',';
    out += "[" + std::to_string(uint64_t(timelineAt[k])) + "," + std::to_string(uint64_t(timelineRss[k])) + "]";
  }
  out += "]}\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}
