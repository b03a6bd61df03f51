// CUDA libraries opened on first use. Linked normally, cuBLAS (with cuBLAS-Lt) and cuFFT are loaded
// and initialised by the dynamic linker when spinnet starts: about 0.35 s of page faults and
// static initialisers before main, paid by `spinnet --help` and `spinnet validate` alike (perf,
// issue 15). Opened here with dlopen the first time a CUDA spectrum or RF network needs them, they
// cost nothing to a run that does not. cudart is linked statically and initialises itself on its
// first call, so it needs no such treatment.
#pragma once

#include <dlfcn.h>

#include <string>

#include "spinnet/core/errors.hpp"

namespace spinnet::cuda {

/// A shared library opened on the first symbol() call; RunError naming it when it is missing.
class LazyLibrary {
 public:
  /// `soname` as the dynamic linker finds it; `fallback_directory` (the toolkit's library folder at
  /// build time) when it does not; `what` names it in errors ("cuBLAS").
  LazyLibrary(std::string soname, std::string fallback_directory, std::string what)
      : soname_(std::move(soname)), fallback_(std::move(fallback_directory)), what_(std::move(what)) {}
  LazyLibrary(const LazyLibrary&) = delete;
  LazyLibrary& operator=(const LazyLibrary&) = delete;

  void* symbol(const char* name) {
    if (!handle_) open();
    void* address = ::dlsym(handle_, name);
    if (!address) throw RunError(what_ + " (" + soname_ + ") has no function " + name + ": a CUDA toolkit other than " +
                                 "the one spinnet was built with?");
    return address;
  }

 private:
  void open() {
    handle_ = ::dlopen(soname_.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle_ && !fallback_.empty()) handle_ = ::dlopen((fallback_ + "/" + soname_).c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle_) {
      const char* why = ::dlerror();
      throw RunError("the CUDA backend needs " + what_ + " (" + soname_ + "), which cannot be loaded" +
                     (why ? std::string(" (") + why + ")" : std::string()) +
                     ": install the CUDA toolkit's libraries or add their folder to LD_LIBRARY_PATH");
    }
  }

  std::string soname_, fallback_, what_;
  void* handle_ = nullptr;  // never closed: the process keeps the library to its end
};

}  // namespace spinnet::cuda

#define SPINNET_LAZY_STRINGIFY_(x) #x
/// The name after macro expansion (cublas_v2.h maps cublasCreate to cublasCreate_v2).
#define SPINNET_LAZY_STRINGIFY(x) SPINNET_LAZY_STRINGIFY_(x)
/// `function` of `library()` (a function returning a LazyLibrary&), looked up once per call site,
/// with the prototype of the header's declaration.
#define SPINNET_LAZY_CALL(library, function)                                                                 \
  ([]() {                                                                                                     \
    static const auto address = reinterpret_cast<decltype(&function)>(library().symbol(SPINNET_LAZY_STRINGIFY(function))); \
    return address;                                                                                           \
  }())
/// The same for an overloaded name (cuBLAS declares C++ overloads of some functions): the C
/// function's pointer type is given.
#define SPINNET_LAZY_CALL_AS(library, function, pointer_type)                                              \
  ([]() {                                                                                                   \
    static const auto address = reinterpret_cast<pointer_type>(library().symbol(SPINNET_LAZY_STRINGIFY(function))); \
    return address;                                                                                         \
  }())
