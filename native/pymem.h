// Shared declarations of the pymem native layer: argument checks and typed
// errors used by every exported function (pymem.cc), and the benchmark floors
// (bench.cc). See pymem.cc for the design note.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>

namespace pymem {

// Largest integer a JS number holds exactly (Number.MAX_SAFE_INTEGER). Sizes,
// counts and addresses cross the JS boundary as numbers, so none may exceed it.
constexpr uint64_t kMaxSafeInteger = (uint64_t{1} << 53) - 1;

// Throws `error` with `error.code = code` set (Node's convention, e.g.
// 'ERR_INVALID_ARG_TYPE', 'ERR_OUT_OF_RANGE', 'ENOMEM', 'EINVAL').
[[noreturn]] void ThrowWithCode(Napi::Error error, const char* code);

// Throws Error{code: 'ENOMEM'} with `what` as the message.
[[noreturn]] void ThrowOutOfMemory(Napi::Env env, const std::string& what);

// info[index] as an integer in [0, max]. Not a number → TypeError
// (ERR_INVALID_ARG_TYPE); NaN, ±Infinity, fractional, negative or > max →
// RangeError (ERR_OUT_OF_RANGE). The message names the argument and echoes
// the value: "size must be a non-negative integer, got -1".
uint64_t ArgInteger(const Napi::CallbackInfo& info, size_t index,
                    const char* name, uint64_t max = kMaxSafeInteger);

// info[index] as a Uint32Array, else TypeError (ERR_INVALID_ARG_TYPE).
Napi::Uint32Array ArgUint32Array(const Napi::CallbackInfo& info, size_t index,
                                 const char* name);

// Benchmark floors (bench.cc): the cost of glibc malloc/free with no JS in
// the loop, the baseline every allocator benchmark states its ratio against.
Napi::Value BenchPairs(const Napi::CallbackInfo& info);
Napi::Value BenchMixed(const Napi::CallbackInfo& info);

}  // namespace pymem
