// Structure-of-arrays storage of a plain struct whose members all have one type: one array per
// member, indexed by batch slot. Lets every device model keep readable named structs (parameters,
// state, accumulators) while the loops read contiguous columns.
#pragma once

#include <cstddef>
#include <type_traits>

#include "spinnet/core/hostdevice.hpp"

namespace spinnet {

/// Number of T members of S (S must consist of T members only, without padding).
template <class S, class T>
inline constexpr int member_count = static_cast<int>(sizeof(S) / sizeof(T));

template <class S, class T>
struct SoA {
  static_assert(std::is_trivially_copyable_v<S> && std::is_standard_layout_v<S>);
  static_assert(sizeof(S) % sizeof(T) == 0 && alignof(S) == alignof(T), "S must hold only members of type T");
  static constexpr int members = member_count<S, T>;

  T* column[members] = {};

  SPINNET_HDI S load(std::size_t i) const {
    S s;
    T* out = reinterpret_cast<T*>(&s);
    SPINNET_UNROLL
    for (int k = 0; k < members; ++k) out[k] = column[k][i];
    return s;
  }
  SPINNET_HDI void store(std::size_t i, const S& s) const {
    const T* in = reinterpret_cast<const T*>(&s);
    SPINNET_UNROLL
    for (int k = 0; k < members; ++k) column[k][i] = in[k];
  }
};

}  // namespace spinnet
