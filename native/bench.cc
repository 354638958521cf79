// Benchmark floors: glibc malloc/free timed in pure C++ loops, no JS and no
// registry in between. bench/ states every allocator result as a ratio to
// these, measured in the same run, so a number says how far pymem (or a peer)
// is from what the C library does with the same workload.
//
// Each pointer is written to a volatile sink so the compiler cannot pair up
// and elide a malloc/free (GCC and Clang both do that for unused results).

#include "pymem.h"

#include <chrono>
#include <cstdlib>
#include <vector>

namespace pymem {
namespace {

volatile uintptr_t sink;

double ElapsedNs(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::nano>(
             std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace

// benchPairs(size, iterations): ns for `iterations` of p = malloc(size); free(p).
Napi::Value BenchPairs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint64_t size = ArgInteger(info, 0, "size");
  uint64_t iterations = ArgInteger(info, 1, "iterations");
  if (size == 0) size = 1;
  void* probe = std::malloc(size);
  if (probe == nullptr) {
    ThrowOutOfMemory(env, "benchPairs: cannot allocate " + std::to_string(size) + " bytes");
  }
  std::free(probe);

  auto start = std::chrono::steady_clock::now();
  for (uint64_t i = 0; i < iterations; i++) {
    void* p = std::malloc(size);
    sink = reinterpret_cast<uintptr_t>(p);
    std::free(p);
  }
  return Napi::Number::New(env, ElapsedNs(start));
}

// benchMixed(liveCount, sizes, order): ns to malloc block i of sizes[i] for i
// in [0, liveCount), then free them in the order order[0..liveCount), which
// must be a permutation of [0, liveCount).
Napi::Value BenchMixed(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint64_t liveCount = ArgInteger(info, 0, "liveCount", uint64_t{1} << 32);
  Napi::Uint32Array sizes = ArgUint32Array(info, 1, "sizes");
  Napi::Uint32Array order = ArgUint32Array(info, 2, "order");
  if (sizes.ElementLength() < liveCount || order.ElementLength() < liveCount) {
    ThrowWithCode(Napi::RangeError::New(env, "sizes and order must hold at least liveCount (" +
                                                 std::to_string(liveCount) + ") entries, got " +
                                                 std::to_string(sizes.ElementLength()) + " and " +
                                                 std::to_string(order.ElementLength())),
                  "ERR_OUT_OF_RANGE");
  }
  std::vector<bool> seen(liveCount);
  for (uint64_t i = 0; i < liveCount; i++) {
    uint32_t k = order[i];
    if (k >= liveCount || seen[k]) {
      ThrowWithCode(Napi::RangeError::New(env, "order must be a permutation of [0, liveCount), got order[" +
                                                   std::to_string(i) + "] = " + std::to_string(k)),
                    "ERR_OUT_OF_RANGE");
    }
    seen[k] = true;
  }
  const uint32_t* size = sizes.Data();
  const uint32_t* index = order.Data();
  std::vector<void*> blocks(liveCount);

  auto start = std::chrono::steady_clock::now();
  for (uint64_t i = 0; i < liveCount; i++) {
    void* p = std::malloc(size[i] == 0 ? 1 : size[i]);
    if (p == nullptr) {
      for (uint64_t j = 0; j < i; j++) std::free(blocks[j]);
      ThrowOutOfMemory(env, "benchMixed: cannot allocate " + std::to_string(size[i]) + " bytes");
    }
    blocks[i] = p;
  }
  for (uint64_t i = 0; i < liveCount; i++) {
    void* p = blocks[index[i]];
    sink = reinterpret_cast<uintptr_t>(p);
    std::free(p);
  }
  return Napi::Number::New(env, ElapsedNs(start));
}

}  // namespace pymem
