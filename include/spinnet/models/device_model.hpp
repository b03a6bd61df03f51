// The interface every device model implements: the step a model advances one device by, what it
// reads (the batch-wide StepContext, the drive samples of drive.hpp, engine-drawn noise) and what it
// returns (StepOutcome), and the sticky failure status. The engine (engine/batch.hpp) runs it.
//
// A device model is a struct with (see macrospin.hpp, auto_oscillator.hpp):
//   template <class T> using Coefficients = ...;  // plain struct of T: what the inner loop needs
//   template <class T> using State = ...;         // plain struct of T: the dynamical variables
//   template <class T> using Sample = ...;        // plain struct of T: what one step adds to the sums
//   using Accumulators = ...;                     // plain struct of double, member for member the sums
//   template <class T, bool Thermal>
//   static StepOutcome<State<T>, Sample<T>, T> step(
//       const StepContext<T>&, std::size_t slot, Coefficients<T>, State<T>, std::uint32_t status,
//       std::uint64_t failed_step, std::uint64_t step, DriveSample<T> now, DriveSample<T> next);
// `now` and `next` are the device's time-dependent inputs at the start and the end of the step.
// A device that has failed (status != status_ok) keeps its last good state and the failing step.
// The step function takes and returns everything by value and never sees the running sums: a
// struct passed by reference inside an OpenMP simd loop is kept in memory lane by lane, and the
// CPU loop then does not vectorize.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "spinnet/core/fast_math.hpp"
#include "spinnet/core/hostdevice.hpp"
#include "spinnet/core/vec3.hpp"
#include "spinnet/models/drive.hpp"

namespace spinnet {

/// The scalars every step of every device of a batch shares.
template <class T>
struct StepContext {
  std::uint64_t seed = 0;
  std::uint32_t first_device_id = 0;  // global id of slot 0; slot i is device first_device_id + i
  T dt = 0;                           // s
  std::uint64_t transient_steps = 0;  // steps before observables are accumulated
  T drift_limit = T(1e-3);            // model-specific sanity bound (macrospin: | |m| - 1 | per step)
  Vec3<T> axis{T(0), T(0), T(1)};     // macrospin: axis of the precession frequency
};

/// Why a device stopped.
enum DeviceStatus : std::uint32_t {
  status_ok = 0,
  status_not_finite = 1,  // the state became NaN or infinite
  status_out_of_bounds = 2,  // a model-specific bound was crossed (macrospin: | |m| - 1 | drifted more than the
                             // drift limit in one step; vortex: the core reached the disk edge)
};

/// A device's first failure is sticky: records `verdict`, and the step it happened at, unless the
/// device had already failed. Returns whether this step's result is kept (the device was ok and
/// stays ok). Masks are combined as integers, not with &&: GCC vectorizes the step bodies then.
SPINNET_HDI bool settle_status(std::uint32_t verdict, std::uint64_t step, std::uint32_t& status,
                               std::uint64_t& failed_step) {
  const bool alive = (status | verdict) == status_ok;
  failed_step = (status == status_ok && verdict != status_ok) ? step : failed_step;
  status = status == status_ok ? verdict : status;
  return alive;
}

/// Counterclockwise angle from the planar vector (x0, y0) to (x1, y1), in (-pi, pi].
template <class T>
SPINNET_HDI T planar_angle(T x0, T y0, T x1, T y1) {
  return fast::atan2(x0 * y1 - y0 * x1, x0 * x1 + y0 * y1);
}

/// What one step of one device produces.
template <class State, class Sample, class T>
struct StepOutcome {
  State state;
  Sample sample;
  std::uint32_t status;
  std::uint64_t failed_step;
  T signal;  // the emitted signal at the end of the step
};

/// Thermal noise that the engine draws for a model (instead of the model drawing it in its step).
/// A model opts in by declaring `static constexpr int noise_pairs = P`: it then needs P complex
/// normals (real and imaginary parts independent N(0, 1)) per device and step, and its step takes
/// them as a last argument `NoisePairs<T, P>` (zeros when the batch is athermal). One Philox block
/// gives three complex normals (random.hpp, complex_normal3), i.e. pair j for three consecutive
/// steps: steps 3k, 3k + 1 and 3k + 2 of slot i use z_0, z_1 and z_2 of the block with counter k
/// and device id (first id + i) * P + j. So the generator runs once per three steps, and a draw
/// still depends only on (seed, device, step).
template <class T, int P>
struct NoisePairs {
  static constexpr int size = P;
  T re[P];
  T im[P];
};

inline constexpr int noise_steps_per_block = 3;

/// Model::noise_pairs, or 0 for a model that draws its own noise.
template <class Model, class = void>
struct noise_pairs_of {
  static constexpr int value = 0;
};
template <class Model>
struct noise_pairs_of<Model, std::void_t<decltype(Model::noise_pairs)>> {
  static constexpr int value = Model::noise_pairs;
};
template <class Model>
inline constexpr int noise_pairs_v = noise_pairs_of<Model>::value;

}  // namespace spinnet
