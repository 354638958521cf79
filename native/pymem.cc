// pymem native layer: the portability layer between pymem and the OS.
//
// Like mimalloc's src/prim/ (and the `PyObjectArenaAllocator` CPython's
// obmalloc.c sits on), this file holds every primitive pymem needs from the
// OS and no allocator policy: size classes, pools and arena lists live in
// lib/allocator/, which reaches this file only through lib/native.ts.
//
// Three kinds of memory are handed out:
//
//   the region   one contiguous range per JS environment (thread), mmap'd
//                PROT_READ|PROT_WRITE with MAP_NORESERVE, aligned to its size
//                (up to 1 GiB), handed to JS as one external ArrayBuffer that
//                pymalloc's typed views index directly: a small pointer is
//                its byte offset in the region. Its pages cost nothing until
//                touched; releasing a range (an arena) is madvise(
//                MADV_DONTNEED), which gives the pages back at once while the
//                range stays mapped and reads as zero.
//
//     region.address ─┬─ 64 KiB never used (NULL and below) ─┬─ slots ... ─┐
//                     0                                      2^16   size ┘
//
//   region views  further external ArrayBuffers aliasing a range of the
//                region (a user's view of one arena); JS detaches them when
//                the arena goes, which never touches the region itself.
//
//   blocks       glibc malloc/calloc/realloc/free: the large-request path
//                (PyMem_RawMalloc and friends), addresses as JS numbers. JS
//                reads and writes them through raw windows: external
//                ArrayBuffers of kWindowBytes starting at a multiple of
//                kWindowStride below the block (one page up for the lowest
//                gigabyte; a few per process, never one per block). A user's view of one block is blockBuffer: one
//                cached buffer over exactly the block, detached when it goes.
//
// Invariants (per JS environment: the main thread and each worker own
// separate regions and registries, kept as Node-API instance data):
//   - region: reserved at most once, on the first reserveRegion, until the
//     environment is torn down. A range is released only by JS, which never
//     releases a range that still holds a live block.
//   - blocks: address → {size, buffer?}. An entry exists iff the block is
//     live; `size` is what was requested (0 counted as 1, as CPython does).
//     free and a successful realloc detach `buffer` before the memory goes.
//   - Out of memory is a sentinel (0 or null), never a thrown Napi::Error:
//     making one needs a global handle, and under RLIMIT_AS that allocation
//     itself fails (std::bad_alloc, an abort). JS throws the typed error.
//   - Headroom: under a finite RLIMIT_AS a block is given back and refused
//     (0) when getting it grew the address space to less than
//     kHeadroomBytes below the limit (VmSize from /proc/self/statm, read
//     around every large request and every 256th small one), so V8 keeps
//     room to throw the error and run what follows instead of aborting in
//     its own allocations. Memory glibc already holds is reused without
//     growing VmSize, so a heap that frees can allocate again.
//   - External ArrayBuffers carry no finalizer and the addon keeps no
//     reference to any but blockBuffer's: lifetime is explicit.
//   - Memory still held when the environment is torn down (a worker
//     exiting) is released then; no JS of that environment can run anymore.
//   - Every argument is checked here, in C++: a bad argument is a thrown
//     TypeError or RangeError, never undefined behaviour.
//   - Addresses are user-space pointers (< 2^47 on x86-64 and arm64), so a
//     JS number holds them exactly.

#include "pymem.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
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
// region and block registry.

namespace {

// The region: smallest size reserveRegion retries down to, and the largest
// alignment it asks for (arenas are at most 1 GiB).
constexpr uint64_t kMinRegionBytes = uint64_t{1} << 22;
constexpr uint64_t kMaxRegionBytes = uint64_t{1} << 31;
constexpr uint64_t kMaxRegionAlign = uint64_t{1} << 30;

// Raw windows: a window starts at a multiple of kWindowStride and spans
// kWindowBytes, so any block of at most kWindowBytes - kWindowStride bytes
// lies inside the window of its first byte.
constexpr uint64_t kWindowStride = uint64_t{1} << 30;
constexpr uint64_t kWindowBytes = uint64_t{3} << 30;
// Address space left to V8 under a finite RLIMIT_AS, to handle an
// out-of-memory error in; requests of at least kCheckBytes look at VmSize
// every time, smaller ones every kCheckEvery calls.
constexpr uint64_t kHeadroomBytes = uint64_t{256} << 20;
constexpr uint64_t kCheckBytes = uint64_t{64} << 10;
constexpr unsigned kCheckEvery = 256;
// End of the user address space on x86-64 and arm64 (48-bit).
constexpr uint64_t kUserSpaceEnd = uint64_t{1} << 47;

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
            InstanceMethod("reserveRegion", &Pymem::ReserveRegion, kMethod),
            InstanceMethod("releaseRange", &Pymem::ReleaseRange, kMethod),
            InstanceMethod("residentPages", &Pymem::ResidentPages, kMethod),
            InstanceMethod("regionView", &Pymem::RegionView, kMethod),
            InstanceMethod("detachView", &Pymem::DetachView, kMethod),
            InstanceMethod("malloc", &Pymem::Malloc, kMethod),
            InstanceMethod("calloc", &Pymem::Calloc, kMethod),
            InstanceMethod("realloc", &Pymem::Realloc, kMethod),
            InstanceMethod("free", &Pymem::Free, kMethod),
            InstanceMethod("rawWindow", &Pymem::RawWindow, kMethod),
            InstanceMethod("blockBuffer", &Pymem::BlockBuffer, kMethod),
            InstanceMethod("blockSize", &Pymem::BlockSize, kMethod),
            InstanceMethod("memoryStats", &Pymem::MemoryStats, kMethod),
            InstanceMethod("resetPeakRss", &Pymem::ResetPeakRss, kMethod),
            InstanceMethod("setExternalMemory", &Pymem::SetExternalMemory, kMethod),
            InstanceMethod("externalMemory", &Pymem::ExternalMemory, kMethod),
        });
    exports.Set("benchPairs", Napi::Function::New(env, BenchPairs, "benchPairs"));
    exports.Set("benchMixed", Napi::Function::New(env, BenchMixed, "benchMixed"));
    struct rlimit limit;
    if (getrlimit(RLIMIT_AS, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) limit_ = limit.rlim_cur;
  }

  // Environment teardown: release what JS never released. No other thread
  // can hold one of these buffers: Node refuses to transfer external
  // ArrayBuffers (postMessage and structuredClone copy them).
  ~Pymem() {
    if (regionSize_ != 0) munmap(reinterpret_cast<void*>(regionAddress_), regionSize_);
    for (auto& [address, block] : blocks_) {
      std::free(reinterpret_cast<void*>(address));
    }
  }

 private:
  // VmSize in bytes when a request of `size` bytes is to be checked
  // against the headroom (see the design note), else 0.
  uint64_t VmSizeToCheck(uint64_t size) {
    if (limit_ == 0) return 0;
    if (size < kCheckBytes && ++sinceCheck_ < kCheckEvery) return 0;
    sinceCheck_ = 0;
    return VmSize();
  }

  uint64_t VmSize() {
    FILE* f = std::fopen("/proc/self/statm", "re");
    if (f == nullptr) return 0;
    unsigned long long pages = 0;
    int got = std::fscanf(f, "%llu", &pages);
    std::fclose(f);
    return got == 1 ? pages * pageSize_ : 0;
  }

  // `p` from glibc (VmSize was `before`, or 0 if unchecked), unless getting
  // it grew the address space into the headroom: then it is given back.
  void* WithinHeadroom(void* p, uint64_t before) {
    if (p == nullptr || before == 0) return p;
    uint64_t after = VmSize();
    if (after > before && after + kHeadroomBytes > limit_) {
      std::free(p);
      return nullptr;
    }
    return p;
  }

  Napi::Value OutOfMemory(Napi::Env env) { return Napi::Number::New(env, 0); }

  Napi::Value PageSize(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(pageSize_));
  }

  // ---------------------------------------------------------------------------
  // The region.

  // reserveRegion(size): the environment's region, reserving it on the first
  // call: `size` bytes (a power of two, 4 MiB .. 2 GiB), else the largest
  // half of it down to 4 MiB the OS grants. Under a finite RLIMIT_AS the
  // first try is at most a quarter of the limit, leaving V8 and glibc room.
  // Returns {buffer, address, size, requested}, or null when even 4 MiB is
  // refused. Later calls return the same region whatever their size.
  Napi::Value ReserveRegion(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    uint64_t requested = ArgInteger(info, 0, "size", kMaxRegionBytes);
    if (!IsPowerOfTwo(requested) || requested < kMinRegionBytes) {
      ThrowRange(env, "size must be a power of two from 4 MiB to 2 GiB, got " +
                          std::to_string(requested));
    }
    if (regionSize_ == 0) {
      uint64_t size = requested;
      struct rlimit limit;
      if (getrlimit(RLIMIT_AS, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
        while (size > kMinRegionBytes && size > limit.rlim_cur / 4) size >>= 1;
      }
      for (; size >= kMinRegionBytes; size >>= 1) {
        if (MapAligned(size)) break;
      }
      if (regionSize_ == 0) return env.Null();
      regionRequested_ = requested;
    }
    if (region_.IsEmpty()) {
      Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(
          env, reinterpret_cast<void*>(regionAddress_), regionSize_);
      region_ = Napi::Persistent(buffer);
    }
    Napi::Object result = Napi::Object::New(env);
    result.Set("buffer", region_.Value());
    result.Set("address", Napi::Number::New(env, static_cast<double>(regionAddress_)));
    result.Set("size", Napi::Number::New(env, static_cast<double>(regionSize_)));
    result.Set("requested", Napi::Number::New(env, static_cast<double>(regionRequested_)));
    return result;
  }

  // Maps `size` bytes aligned to min(size, 1 GiB): over-map, then trim.
  bool MapAligned(uint64_t size) {
    uint64_t align = size < kMaxRegionAlign ? size : kMaxRegionAlign;
    size_t over = size + align - pageSize_;
    void* raw = mmap(nullptr, over, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (raw == MAP_FAILED) return false;
    uintptr_t start = reinterpret_cast<uintptr_t>(raw);
    uintptr_t address = (start + align - 1) & ~(uintptr_t(align) - 1);
    size_t head = address - start;
    size_t tail = over - head - size;
    if (head != 0) munmap(raw, head);
    if (tail != 0) munmap(reinterpret_cast<void*>(address + size), tail);
    regionAddress_ = address;
    regionSize_ = size;
    return true;
  }

  // [offset, offset + length) of the region, checked: page-aligned, inside.
  void CheckRange(const Napi::CallbackInfo& info, const char* fn,
                  uint64_t* offset, uint64_t* length) {
    Napi::Env env = info.Env();
    if (regionSize_ == 0) ThrowInvalid(env, std::string(fn) + ": no region reserved");
    *offset = ArgInteger(info, 0, "offset");
    *length = ArgInteger(info, 1, "length");
    if (*offset % pageSize_ != 0 || *length % pageSize_ != 0) {
      ThrowRange(env, std::string(fn) +
                          ": offset and length must be multiples of the page size (" +
                          std::to_string(pageSize_) + "), got offset " +
                          std::to_string(*offset) + ", length " + std::to_string(*length));
    }
    if (*offset > regionSize_ || *length > regionSize_ - *offset) {
      ThrowRange(env, std::string(fn) + ": offset + length must be within the region (" +
                          std::to_string(regionSize_) + " bytes), got offset " +
                          std::to_string(*offset) + ", length " + std::to_string(*length));
    }
  }

  // releaseRange(offset, length): madvise(MADV_DONTNEED): the pages go back
  // to the OS and read as zero afterwards. Returns 0, or the errno.
  Napi::Value ReleaseRange(const Napi::CallbackInfo& info) {
    uint64_t offset, length;
    CheckRange(info, "releaseRange", &offset, &length);
    int err = 0;
    if (length != 0 &&
        madvise(reinterpret_cast<void*>(regionAddress_ + offset), length, MADV_DONTNEED) != 0) {
      err = errno;
    }
    return Napi::Number::New(info.Env(), err);
  }

  // residentPages(offset, length): how many pages of the range are resident
  // (mincore).
  Napi::Value ResidentPages(const Napi::CallbackInfo& info) {
    uint64_t offset, length;
    CheckRange(info, "residentPages", &offset, &length);
    size_t resident = 0;
    unsigned char vec[256];
    for (uint64_t done = 0; done < length;) {
      uint64_t chunk = std::min<uint64_t>(length - done, sizeof vec * pageSize_);
      if (mincore(reinterpret_cast<void*>(regionAddress_ + offset + done), chunk, vec) != 0) {
        ThrowErrno(info.Env(), errno, "residentPages: mincore failed");
      }
      for (uint64_t i = 0; i < chunk / pageSize_; i++) resident += vec[i] & 1;
      done += chunk;
    }
    return Napi::Number::New(info.Env(), static_cast<double>(resident));
  }

  // regionView(offset, length): a new external ArrayBuffer aliasing the
  // range (a user's view of one arena). The addon keeps no reference to it.
  Napi::Value RegionView(const Napi::CallbackInfo& info) {
    uint64_t offset, length;
    CheckRange(info, "regionView", &offset, &length);
    return Napi::ArrayBuffer::New(info.Env(), reinterpret_cast<void*>(regionAddress_ + offset), length);
  }

  // detachView(buffer): detaches a buffer from regionView. Anything else —
  // the region itself, a foreign or a block's buffer — is EINVAL.
  Napi::Value DetachView(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Value value = info[0];
    if (!value.IsArrayBuffer()) {
      ThrowWithCode(Napi::TypeError::New(env, "detachView: buffer must be an ArrayBuffer from regionView, got " +
                                                  Describe(value)),
                    "ERR_INVALID_ARG_TYPE");
    }
    Napi::ArrayBuffer buffer = value.As<Napi::ArrayBuffer>();
    if (buffer.IsDetached()) return env.Undefined();
    uintptr_t data = reinterpret_cast<uintptr_t>(buffer.Data());
    bool inside = regionSize_ != 0 && data >= regionAddress_ &&
                  data + buffer.ByteLength() <= regionAddress_ + regionSize_;
    if (!inside || (!region_.IsEmpty() && region_.Value().StrictEquals(buffer))) {
      ThrowInvalid(env, "detachView: buffer is not a view from regionView");
    }
    buffer.Detach();
    return env.Undefined();
  }

  // -------------------------------------------------------------------------
  // Blocks: PyMem_RawMalloc and friends over glibc. Failure returns 0.

  Napi::Value Malloc(const Napi::CallbackInfo& info) {
    uint64_t size = ArgInteger(info, 0, "size");
    if (size == 0) size = 1;
    uint64_t before = VmSizeToCheck(size);
    return Register(info.Env(), WithinHeadroom(std::malloc(size), before), size);
  }

  // As PyMem_RawCalloc: a product that overflows is out of memory (0).
  Napi::Value Calloc(const Napi::CallbackInfo& info) {
    uint64_t nelem = ArgInteger(info, 0, "nelem");
    uint64_t elsize = ArgInteger(info, 1, "elsize");
    if (elsize != 0 && nelem > kMaxSafeInteger / elsize) return OutOfMemory(info.Env());
    if (nelem == 0 || elsize == 0) nelem = elsize = 1;
    uint64_t before = VmSizeToCheck(nelem * elsize);
    return Register(info.Env(), WithinHeadroom(std::calloc(nelem, elsize), before), nelem * elsize);
  }

  // On failure (0) the old block, its registry entry and its buffer stay
  // valid. On success the old buffer is detached, moved or not.
  Napi::Value Realloc(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    auto it = LiveBlock(info, "realloc");
    uint64_t size = ArgInteger(info, 1, "size");
    if (size == 0) size = 1;
    uintptr_t old = it->first;
    if (size > it->second.size && limit_ != 0) {
      // Under a limit, grow by a fresh block so that a refusal leaves the old one as it was.
      uint64_t before = VmSizeToCheck(size);
      void* fresh = WithinHeadroom(std::malloc(size), before);
      if (fresh == nullptr) return OutOfMemory(env);
      std::memcpy(fresh, reinterpret_cast<void*>(old), it->second.size);
      std::free(reinterpret_cast<void*>(old));
      DetachIfLive(it->second.buffer);
      blocks_.erase(it);
      return Register(env, fresh, size);
    }
    void* p = std::realloc(reinterpret_cast<void*>(old), size);
    if (p == nullptr) return OutOfMemory(env);
    DetachIfLive(it->second.buffer);
    uintptr_t address = reinterpret_cast<uintptr_t>(p);
    if (address == old) {
      it->second.size = size;
      return Napi::Number::New(env, static_cast<double>(address));
    }
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

  // rawWindow(address): {buffer, base}: an external ArrayBuffer of
  // kWindowBytes (less at the top of user space) starting at `base`, the
  // multiple of kWindowStride at or below the live block at `address`.
  Napi::Value RawWindow(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    auto it = LiveBlock(info, "rawWindow");
    // Page 0 is never mapped, and a buffer cannot start at NULL: the window
    // of the lowest gigabyte starts one page up.
    uintptr_t base = it->first & ~(uintptr_t(kWindowStride) - 1);
    if (base == 0) base = pageSize_;
    if (it->first - base + it->second.size > kWindowBytes - pageSize_) {
      ThrowRange(env, "rawWindow: the block at " + Hex(it->first) + " is larger than a window");
    }
    uint64_t length = std::min<uint64_t>(kWindowBytes - pageSize_, kUserSpaceEnd - base);
    Napi::Object result = Napi::Object::New(env);
    result.Set("buffer", Napi::ArrayBuffer::New(env, reinterpret_cast<void*>(base), length));
    result.Set("base", Napi::Number::New(env, static_cast<double>(base)));
    return result;
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

  // Enters a block glibc returned; 0 if it returned none or the registry
  // cannot grow (the block is given back: never a throw out of memory).
  Napi::Value Register(Napi::Env env, void* p, size_t size) {
    if (p == nullptr) return OutOfMemory(env);
    uintptr_t address = reinterpret_cast<uintptr_t>(p);
    try {
      blocks_.emplace(address, Block{size, {}});
    } catch (const std::bad_alloc&) {
      std::free(p);
      return OutOfMemory(env);
    }
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

  // -------------------------------------------------------------------------
  // What V8 is told pymem holds (napi_adjust_external_memory), so that its
  // garbage collector weighs the heap's arenas. JS states the total for this
  // environment; the addon passes V8 the difference from the last total.

  // setExternalMemory(bytes): the new total; returns V8's external memory
  // after the adjustment (all external memory of the isolate, not only ours).
  Napi::Value SetExternalMemory(const Napi::CallbackInfo& info) {
    int64_t total = static_cast<int64_t>(ArgInteger(info, 0, "bytes"));
    int64_t adjusted = Napi::MemoryManagement::AdjustExternalMemory(info.Env(), total - external_);
    external_ = total;
    return Napi::Number::New(info.Env(), static_cast<double>(adjusted));
  }

  // externalMemory(): the total last given to setExternalMemory (0 at first).
  Napi::Value ExternalMemory(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(external_));
  }

  const size_t pageSize_;
  int64_t external_ = 0;  // bytes reported to V8 by setExternalMemory
  uintptr_t regionAddress_ = 0;
  size_t regionSize_ = 0;
  uint64_t regionRequested_ = 0;
  Napi::Reference<Napi::ArrayBuffer> region_;
  uint64_t limit_ = 0;     // RLIMIT_AS when finite, else 0
  unsigned sinceCheck_ = 0; // small requests since VmSize was last read
  std::unordered_map<uintptr_t, Block> blocks_;
};

}  // namespace
}  // namespace pymem

// The macro pastes the class name into identifiers, so it must be unqualified.
using pymem::Pymem;
NODE_API_ADDON(Pymem)
