// Annotations that let one function serve the CPU backend and the CUDA kernels.
#pragma once

#if defined(__CUDACC__)
#define SPINNET_HD __host__ __device__
#define SPINNET_INLINE __forceinline__
#else
#define SPINNET_HD
#define SPINNET_INLINE inline __attribute__((always_inline))
#endif

#define SPINNET_HDI SPINNET_HD SPINNET_INLINE

#if defined(__CUDACC__)
#define SPINNET_UNROLL _Pragma("unroll")
#elif defined(__GNUC__) && !defined(__clang__)
#define SPINNET_UNROLL _Pragma("GCC unroll 64")
#else
#define SPINNET_UNROLL
#endif
