# node-gyp build of the native layer (npm install runs node-gyp-build, which
# uses prebuilds/ if present, else builds this). CMakeLists.txt builds the
# same sources with cmake-js. C++ exceptions are on: Napi::Error is thrown
# from the checks and turned into a JS exception by node-addon-api.
{
  "targets": [
    {
      "target_name": "pymem",
      "sources": ["native/pymem.cc", "native/bench.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-Wall", "-Wextra"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "CLANG_CXX_LIBRARY": "libc++",
        "MACOSX_DEPLOYMENT_TARGET": "10.15"
      }
    },
    # The native replayer of `pymem compare` (native/replayer.cc): a plain
    # executable, build/Release/pymem_replay, linked only to libc and libdl so
    # that LD_PRELOAD can swap the allocator it measures.
    {
      "target_name": "pymem_replay",
      "type": "executable",
      "sources": ["native/replayer.cc"],
      "cflags_cc": ["-Wall", "-Wextra", "-O2"],
      "libraries": ["-ldl"]
    }
  ]
}
