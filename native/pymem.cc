// pymem native layer: the portability layer between pymem and the OS.
//
// Like mimalloc's src/prim/ (and the `PyObjectArenaAllocator` CPython's
// obmalloc.c sits on), this file holds every primitive pymem needs from the
// OS and no allocator policy: size classes, pools and arena lists live in
// lib/allocator/, which reaches this file only through lib/native.ts.
//
// Two kinds of memory are handed out, each tracked in a registry so that no
// call from JS can touch memory this layer did not hand out:
//
//   arenas   mmap'd, `alignment`-aligned, returned as an external ArrayBuffer
//            (obmalloc's _PyObject_ArenaMmap). Over-map, then trim:
//
//     raw ─┬──── head ────┬───────── size ─────────┬──── tail ────┐
//          │ munmap'd     │ the arena (aligned)    │ munmap'd     │
//          └──────────────┴────────────────────────┴──────────────┘
//                         ^ address % alignment == 0
//
//   blocks   glibc malloc/calloc/realloc/free: the large-request path
//            (PyMem_RawMalloc and friends), addresses as JS numbers, and on
//            request one cached external ArrayBuffer over the whole block.
//
// Invariants (per JS environment: the main thread and each worker own
// separate registries, kept as Node-API instance data):
//   - arenas: address → {size, buffer}. An entry exists iff the mapping is
//     live, and `buffer` is the one ArrayBuffer over it. unmapArena accepts
//     only that very object (strict identity), detaches it, then munmaps, so
//     every view made from it reads length 0 afterwards and never faults.
//   - blocks: address → {size, buffer?}. An entry exists iff the block is
//     live; `size` is what was requested (0 counted as 1, as CPython does).
//     free and a successful realloc detach `buffer` before the memory goes.
//   - External ArrayBuffers carry no finalizer: lifetime is explicit. The
//     registries hold strong references, so a buffer lives as long as its
//     memory and no longer.
//   - Memory still registered when the environment is torn down (a worker
//     exiting) is released then; no JS of that environment can run anymore.
//   - Every argument is checked here, in C++: a bad argument is a thrown
//     TypeError or RangeError, never undefined behaviour.
//   - Addresses are user-space pointers (< 2^47 on x86-64 and arm64), so a
//     JS number holds them exactly.

#include "pymem.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unordered_map>
#include <utility>
#include <vector>

namespace pymem {

// ---------------------------------------------------------------------------
// Errors and argument checks

void ThrowWithCode(Napi::Error error, const char* code) {
  error.Set("code", Napi::String::New(error.Env(), code));
  throw error;
}

void ThrowOutOfMemory(Napi::Env env, const std::string& what) {
  ThrowWithCode(Napi::Error::New(env, what), "ENOMEM");
}

namespace {

// "EINVAL"-style name of an errno value, for error.code.
const char* ErrnoName(int err) {
  switch (err) {
    case ENOMEM: return "ENOMEM";
    case EINVAL: return "EINVAL";
    case EAGAIN: return "EAGAIN";
    case EPERM: return "EPERM";
    case EACCES: return "EACCES";
    case ENOENT: return "ENOENT";
    case EFAULT: return "EFAULT";
    default: return "EIO";
  }
}

[[noreturn]] void ThrowErrno(Napi::Env env, int err, const std::string& what) {
  ThrowWithCode(Napi::Error::New(env, what + ": " + std::strerror(err)),
                ErrnoName(err));
}

[[noreturn]] void ThrowInvalid(Napi::Env env, const std::string& what) {
  ThrowWithCode(Napi::Error::New(env, what), "EINVAL");
}

[[noreturn]] void ThrowRange(Napi::Env env, const std::string& what) {
  ThrowWithCode(Napi::RangeError::New(env, what), "ERR_OUT_OF_RANGE");
}

// How a value reads in an error message: numbers as JS prints them, other
// types by name.
std::string Describe(Napi::Value value) {
  switch (value.Type()) {
    case napi_number: return value.ToString().Utf8Value();
    case napi_undefined: return "undefined";
    case napi_null: return "null";
    case napi_boolean: return value.ToBoolean().Value() ? "true" : "false";
    case napi_string: {
      std::string s = value.As<Napi::String>().Utf8Value();
      if (s.size() > 32) s = s.substr(0, 32) + "...";
      return "string \"" + s + "\"";
    }
    case napi_bigint: return "bigint " + value.ToString().Utf8Value() + "n";
    case napi_symbol: return "symbol";
    case napi_function: return "function";
    default:
      if (value.IsArrayBuffer()) return "ArrayBuffer";
      if (value.IsTypedArray()) return "TypedArray";
      return "object";
  }
}

std::string Hex(uintptr_t address) {
  char text[32];
  std::snprintf(text, sizeof text, "0x%llx",
                static_cast<unsigned long long>(address));
  return text;
}

bool IsPowerOfTwo(uint64_t x) { return x != 0 && (x & (x - 1)) == 0; }

}  // namespace

uint64_t ArgInteger(const Napi::CallbackInfo& info, size_t index,
                    const char* name, uint64_t max) {
  Napi::Env env = info.Env();
  Napi::Value value = info[index];
  if (!value.IsNumber()) {
    ThrowWithCode(Napi::TypeError::New(env, std::string(name) +
                                                " must be a number, got " +
                                                Describe(value)),
                  "ERR_INVALID_ARG_TYPE");
  }
  double d = value.As<Napi::Number>().DoubleValue();
  if (!(d >= 0) || std::isinf(d) || d != std::floor(d)) {
    ThrowRange(env, std::string(name) + " must be a non-negative integer, got " +
                        Describe(value));
  }
  if (d > static_cast<double>(max)) {
    ThrowRange(env, std::string(name) + " must be at most " +
                        std::to_string(max) + ", got " + Describe(value));
  }
  return static_cast<uint64_t>(d);
}

Napi::Uint32Array ArgUint32Array(const Napi::CallbackInfo& info, size_t index,
                                 const char* name) {
  Napi::Value value = info[index];
  if (!value.IsTypedArray() ||
      value.As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array) {
    ThrowWithCode(Napi::TypeError::New(info.Env(),
                                       std::string(name) +
                                           " must be a Uint32Array, got " +
                                           Describe(value)),
                  "ERR_INVALID_ARG_TYPE");
  }
  return value.As<Napi::Uint32Array>();
}

// ---------------------------------------------------------------------------
// The addon: one instance per JS environment, owning that environment's
// registries.

namespace {

// Largest arena size or alignment accepted: 4 GiB, the largest ArrayBuffer
// Node 20 creates.
constexpr uint64_t kMaxArenaBytes = uint64_t{1} << 32;

struct Arena {
  size_t size;                               // bytes mapped at the address
  Napi::Reference<Napi::ArrayBuffer> buffer; // the one buffer over them
};

struct Block {
  size_t size;                               // bytes requested (0 → 1)
  Napi::Reference<Napi::ArrayBuffer> buffer; // empty until blockBuffer()
};

void DetachIfLive(Napi::Reference<Napi::ArrayBuffer>& ref) {
  if (ref.IsEmpty()) return;
  Napi::ArrayBuffer buffer = ref.Value();
  if (!buffer.IsDetached()) buffer.Detach();
  ref.Reset();
}

// Exports are enumerable so that console.log(native) lists them.
constexpr napi_property_attributes kMethod =
    static_cast<napi_property_attributes>(napi_enumerable | napi_writable);

class Pymem : public Napi::Addon<Pymem> {
 public:
  Pymem(Napi::Env env, Napi::Object exports)
      : pageSize_(static_cast<size_t>(sysconf(_SC_PAGESIZE))) {
    DefineAddon(
        exports,
        {
            InstanceMethod("pageSize", &Pymem::PageSize, kMethod),
            InstanceMethod("mapArena", &Pymem::MapArena, kMethod),
            InstanceMethod("unmapArena", &Pymem::UnmapArena, kMethod),
            InstanceMethod("residentPages", &Pymem::ResidentPages, kMethod),
            InstanceMethod("adviseDontNeed", &Pymem::AdviseDontNeed, kMethod),
            InstanceMethod("malloc", &Pymem::Malloc, kMethod),
            InstanceMethod("calloc", &Pymem::Calloc, kMethod),
            InstanceMethod("realloc", &Pymem::Realloc, kMethod),
            InstanceMethod("free", &Pymem::Free, kMethod),
            InstanceMethod("blockBuffer", &Pymem::BlockBuffer, kMethod),
            InstanceMethod("blockSize", &Pymem::BlockSize, kMethod),
            InstanceMethod("memoryStats", &Pymem::MemoryStats, kMethod),
            InstanceMethod("resetPeakRss", &Pymem::ResetPeakRss, kMethod),
        });
    exports.Set("benchPairs", Napi::Function::New(env, BenchPairs, "benchPairs"));
    exports.Set("benchMixed", Napi::Function::New(env, BenchMixed, "benchMixed"));
  }

  // Environment teardown: release what JS never released. The references
  // are plain ones, still valid here (Node finalizes instance data first).
  // No other thread can hold one of these buffers: Node refuses to transfer
  // external ArrayBuffers (postMessage and structuredClone copy them).
  ~Pymem() {
    for (auto& [address, arena] : arenas_) {
      munmap(reinterpret_cast<void*>(address), arena.size);
    }
    for (auto& [address, block] : blocks_) {
      std::free(reinterpret_cast<void*>(address));
    }
  }

 private:
  Napi::Value PageSize(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(pageSize_));
  }

  // _PyObject_ArenaMmap with alignment: map size + alignment - page bytes,
  // keep the aligned `size` bytes inside, unmap the head and tail.
  Napi::Value MapArena(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    uint64_t size = ArgInteger(info, 0, "size", kMaxArenaBytes);
    uint64_t alignment = ArgInteger(info, 1, "alignment", kMaxArenaBytes);
    if (!IsPowerOfTwo(size) || size < pageSize_) {
      ThrowRange(env, "size must be a power of two >= the page size (" +
                          std::to_string(pageSize_) + "), got " +
                          std::to_string(size));
    }
    if (!IsPowerOfTwo(alignment) || alignment < pageSize_) {
      ThrowRange(env, "alignment must be a power of two >= the page size (" +
                          std::to_string(pageSize_) + "), got " +
                          std::to_string(alignment));
    }
    size_t over = size + alignment - pageSize_;
    void* raw = mmap(nullptr, over, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) {
      int err = errno;
      std::string what = "mapArena: mmap of " + std::to_string(over) + " bytes failed";
      if (err == ENOMEM || err == EAGAIN) ThrowOutOfMemory(env, what);
      ThrowErrno(env, err, what);
    }
    uintptr_t start = reinterpret_cast<uintptr_t>(raw);
    uintptr_t address = (start + alignment - 1) & ~(uintptr_t(alignment) - 1);
    size_t head = address - start;
    size_t tail = over - head - size;
    if (head != 0) munmap(raw, head);
    if (tail != 0) munmap(reinterpret_cast<void*>(address + size), tail);

    Napi::ArrayBuffer buffer;
    try {
      buffer = Napi::ArrayBuffer::New(env, reinterpret_cast<void*>(address), size);
    } catch (...) {
      munmap(reinterpret_cast<void*>(address), size);
      throw;
    }
    arenas_.emplace(address, Arena{size, Napi::Persistent(buffer)});

    Napi::Object result = Napi::Object::New(env);
    result.Set("buffer", buffer);
    result.Set("address", Napi::Number::New(env, static_cast<double>(address)));
    return result;
  }

  Napi::Value UnmapArena(const Napi::CallbackInfo& info) {
    auto it = LiveArena(info, "unmapArena");
    uintptr_t address = it->first;
    size_t size = it->second.size;
    DetachIfLive(it->second.buffer);
    arenas_.erase(it);
    if (munmap(reinterpret_cast<void*>(address), size) != 0) {
      ThrowErrno(info.Env(), errno, "unmapArena: munmap failed");
    }
    return info.Env().Undefined();
  }

  Napi::Value ResidentPages(const Napi::CallbackInfo& info) {
    auto it = LiveArena(info, "residentPages");
    size_t pages = it->second.size / pageSize_;
    std::vector<unsigned char> vec(pages);
    if (mincore(reinterpret_cast<void*>(it->first), it->second.size, vec.data()) != 0) {
      ThrowErrno(info.Env(), errno, "residentPages: mincore failed");
    }
    size_t resident = 0;
    for (unsigned char v : vec) resident += v & 1;
    return Napi::Number::New(info.Env(), static_cast<double>(resident));
  }

  Napi::Value AdviseDontNeed(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    auto it = LiveArena(info, "adviseDontNeed");
    uint64_t offset = ArgInteger(info, 1, "offset");
    uint64_t length = ArgInteger(info, 2, "length");
    size_t size = it->second.size;
    if (offset % pageSize_ != 0 || length % pageSize_ != 0) {
      ThrowRange(env, "offset and length must be multiples of the page size (" +
                          std::to_string(pageSize_) + "), got offset " +
                          std::to_string(offset) + ", length " +
                          std::to_string(length));
    }
    if (offset > size || length > size - offset) {
      ThrowRange(env, "offset + length must be within the arena (" +
                          std::to_string(size) + " bytes), got offset " +
                          std::to_string(offset) + ", length " +
                          std::to_string(length));
    }
    if (length != 0 &&
        madvise(reinterpret_cast<void*>(it->first + offset), length,
                MADV_DONTNEED) != 0) {
      ThrowErrno(env, errno, "adviseDontNeed: madvise failed");
    }
    return env.Undefined();
  }

  // The arena whose buffer is info[0], or a throw: TypeError if info[0] is
  // not an ArrayBuffer, EINVAL if it is not the buffer of a live arena
  // (foreign, already unmapped, or a block's buffer).
  std::unordered_map<uintptr_t, Arena>::iterator LiveArena(
      const Napi::CallbackInfo& info, const char* fn) {
    Napi::Env env = info.Env();
    Napi::Value value = info[0];
    if (!value.IsArrayBuffer()) {
      ThrowWithCode(Napi::TypeError::New(env, std::string(fn) +
                                                  ": buffer must be an ArrayBuffer from mapArena, got " +
                                                  Describe(value)),
                    "ERR_INVALID_ARG_TYPE");
    }
    Napi::ArrayBuffer buffer = value.As<Napi::ArrayBuffer>();
    auto it = arenas_.find(reinterpret_cast<uintptr_t>(buffer.Data()));
    if (it == arenas_.end() || !it->second.buffer.Value().StrictEquals(buffer)) {
      ThrowInvalid(env, std::string(fn) +
                            ": buffer is not a live arena from mapArena "
                            "(foreign, or already unmapped)");
    }
    return it;
  }

  // -------------------------------------------------------------------------
  // Blocks: PyMem_RawMalloc and friends over glibc.

  Napi::Value Malloc(const Napi::CallbackInfo& info) {
    uint64_t size = ArgInteger(info, 0, "size");
    if (size == 0) size = 1;
    void* p = std::malloc(size);
    if (p == nullptr) {
      ThrowOutOfMemory(info.Env(), "malloc: cannot allocate " + std::to_string(size) + " bytes");
    }
    return Register(info.Env(), p, size);
  }

  // As PyMem_RawCalloc: a product that overflows is out of memory.
  Napi::Value Calloc(const Napi::CallbackInfo& info) {
    uint64_t nelem = ArgInteger(info, 0, "nelem");
    uint64_t elsize = ArgInteger(info, 1, "elsize");
    if (elsize != 0 && nelem > kMaxSafeInteger / elsize) {
      ThrowOutOfMemory(info.Env(), "calloc: nelem * elsize overflows (" +
                                       std::to_string(nelem) + " * " +
                                       std::to_string(elsize) + ")");
    }
    if (nelem == 0 || elsize == 0) nelem = elsize = 1;
    void* p = std::calloc(nelem, elsize);
    if (p == nullptr) {
      ThrowOutOfMemory(info.Env(), "calloc: cannot allocate " +
                                       std::to_string(nelem * elsize) + " bytes");
    }
    return Register(info.Env(), p, nelem * elsize);
  }

  // On failure the old block, its registry entry and its buffer stay valid.
  // On success the old buffer is detached, moved or not: its length is stale.
  Napi::Value Realloc(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    auto it = LiveBlock(info, "realloc");
    uint64_t size = ArgInteger(info, 1, "size");
    if (size == 0) size = 1;
    void* p = std::realloc(reinterpret_cast<void*>(it->first), size);
    if (p == nullptr) {
      ThrowOutOfMemory(env, "realloc: cannot allocate " + std::to_string(size) + " bytes");
    }
    DetachIfLive(it->second.buffer);
    blocks_.erase(it);
    return Register(env, p, size);
  }

  Napi::Value Free(const Napi::CallbackInfo& info) {
    auto it = LiveBlock(info, "free");
    DetachIfLive(it->second.buffer);
    std::free(reinterpret_cast<void*>(it->first));
    blocks_.erase(it);
    return info.Env().Undefined();
  }

  Napi::Value BlockBuffer(const Napi::CallbackInfo& info) {
    auto it = LiveBlock(info, "blockBuffer");
    Block& block = it->second;
    if (block.buffer.IsEmpty()) {
      Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(
          info.Env(), reinterpret_cast<void*>(it->first), block.size);
      block.buffer = Napi::Persistent(buffer);
    }
    return block.buffer.Value();
  }

  Napi::Value BlockSize(const Napi::CallbackInfo& info) {
    auto it = LiveBlock(info, "blockSize");
    return Napi::Number::New(info.Env(), static_cast<double>(it->second.size));
  }

  Napi::Value Register(Napi::Env env, void* p, size_t size) {
    uintptr_t address = reinterpret_cast<uintptr_t>(p);
    blocks_[address] = Block{size, {}};
    return Napi::Number::New(env, static_cast<double>(address));
  }

  // The live block at info[0], or a throw: TypeError/RangeError for a bad
  // number, EINVAL for an address malloc/calloc/realloc did not hand out or
  // that is already freed.
  std::unordered_map<uintptr_t, Block>::iterator LiveBlock(
      const Napi::CallbackInfo& info, const char* fn) {
    uintptr_t address = ArgInteger(info, 0, "address");
    auto it = blocks_.find(address);
    if (it == blocks_.end()) {
      ThrowInvalid(info.Env(), std::string(fn) + ": address " + Hex(address) +
                                   " is not a live block from malloc/calloc/realloc");
    }
    return it;
  }

  // -------------------------------------------------------------------------
  // Process memory, from /proc/self (Linux).

  Napi::Value MemoryStats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    FILE* f = std::fopen("/proc/self/status", "re");
    if (f == nullptr) ThrowErrno(env, errno, "memoryStats: cannot open /proc/self/status");
    double rss = -1, peak = -1;
    char line[256];
    while (std::fgets(line, sizeof line, f) != nullptr) {
      unsigned long long kb;
      if (std::sscanf(line, "VmRSS: %llu kB", &kb) == 1) rss = kb * 1024.0;
      if (std::sscanf(line, "VmHWM: %llu kB", &kb) == 1) peak = kb * 1024.0;
    }
    std::fclose(f);
    if (rss < 0 || peak < 0) {
      ThrowWithCode(Napi::Error::New(env, "memoryStats: VmRSS/VmHWM missing from /proc/self/status"),
                    "ENOSYS");
    }
    Napi::Object result = Napi::Object::New(env);
    result.Set("rss", rss);
    result.Set("peakRss", peak);
    return result;
  }

  // Writing "5" to clear_refs resets VmHWM to the current RSS (Linux >= 4.0).
  Napi::Value ResetPeakRss(const Napi::CallbackInfo& info) {
    int fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
    if (fd < 0) return Napi::Boolean::New(info.Env(), false);
    bool ok = write(fd, "5", 1) == 1;
    close(fd);
    return Napi::Boolean::New(info.Env(), ok);
  }

  const size_t pageSize_;
  std::unordered_map<uintptr_t, Arena> arenas_;
  std::unordered_map<uintptr_t, Block> blocks_;
};

}  // namespace
}  // namespace pymem

// The macro pastes the class name into identifiers, so it must be unqualified.
using pymem::Pymem;
NODE_API_ADDON(Pymem)
