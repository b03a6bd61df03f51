// Validation of the coupled-network engine (issue 12, validation items 2, 4 and 5) against analytic
// physics: each test states the result it checks, where that result comes from, and where its
// tolerance comes from (the integrator's error at the chosen step, or the statistics of a finite
// run). Every test runs over {cpu, cuda}; the CUDA cases skip where this build or machine has no
// CUDA device and must pass where it has one.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <ostream>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "physics_fixtures.hpp"
#include "spinnet/config/run_config.hpp"
#include "spinnet/core/constants.hpp"
#include "spinnet/engine/engine.hpp"
#include "spinnet/measure/spectral_line.hpp"
#include "spinnet/measure/spectrum.hpp"
#include "spinnet/models/coupled_macrospin.hpp"
#include "spinnet/models/coupled_vortex.hpp"
#include "spinnet/network/dipolar.hpp"
#include "spinnet/network/network_run.hpp"
#include "spinnet/study/experiment.hpp"

namespace spinnet {
/// How GoogleTest (and ctest's test list) prints a backend parameter.
inline void PrintTo(Backend backend, std::ostream* os) { *os << to_string(backend); }
}  // namespace spinnet

namespace spinnet::network_test {
namespace {

using physics_test::expect_close;
using physics_test::expect_relative;
using physics_test::gamma0;

class NetworkValidation : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::cuda && !cuda_available()) GTEST_SKIP() << "no CUDA device visible (or built without CUDA)";
  }
  RunOptions options() const {
    RunOptions o;
    o.backend = GetParam();
    return o;
  }
};

std::string backend_name(const ::testing::TestParamInfo<Backend>& info) { return to_string(info.param); }

constexpr double mT = 1e-3 / constants::mu0;  // A/m per mT of mu0 H

// =================================================================================================
// 1. Two identical dipolar-coupled macrospins: acoustic and optical modes (coupled Kittel).
//
// Two uniformly magnetized spheres (demagnetizing factors 1/3: the demagnetizing field is parallel
// to m and exerts no torque), moment Ms V each, uniaxial anisotropy Hk and field H0 along z, at
// distance d. Uniformly magnetized spheres interact exactly as point dipoles, so the field of
// sphere k at sphere j is Ms V (3 r^ (r^.m_k) - m_k) / (4 pi d^3) (network/dipolar.hpp), with
// D = Ms V / (4 pi d^3) and H = H0 + Hk. Both spins along +z is an equilibrium. Linearizing
// dm_j/dt = -gamma0 m_j x H_j about it, m_j = z + (a_j, b_j, 0):
//
//   pair axis x (r^ = x): the partner adds (2 D a_k, -D b_k, -D), so
//     da_j/dt = -gamma0 ((H - D) b_j + D b_k),   db_j/dt = gamma0 ((H - D) a_j - 2 D a_k);
//     acoustic (a_1 = a_2, b_1 = b_2): da/dt = -gamma0 H b, db/dt = gamma0 (H - 3D) a,
//       omega_acoustic = gamma0 sqrt(H (H - 3D));
//     optical (a_1 = -a_2, b_1 = -b_2): da/dt = -gamma0 (H - 2D) b, db/dt = gamma0 (H + D) a,
//       omega_optical = gamma0 sqrt((H - 2D)(H + D));
//     both modes are elliptical, with stiffness fields (H1, H2) = (H - 3D, H) and (H + D, H - 2D);
//   pair axis z (r^ = z): the partner adds (-D a_k, -D b_k, 2D), and the modes are circular:
//       omega_acoustic = gamma0 (H + 3D),   omega_optical = gamma0 (H + D).
//
// Each mode is excited alone by the initial tilts (the same tilt theta0 in x: acoustic; opposite in
// x: optical); both subspaces are invariant under the full nonlinear dynamics (the exchange of the
// spins, and the pi rotation about z applied to one of them, commute with the dipolar tensor, the
// anisotropy and the field). The measured frequency is frequency_Hz, the mean precession rate about
// z, through the config path (a `dipolar` term from positions_nm).
//
// Error budget, relative (the tolerance is twice its sum):
//   * Heun phase error: on the linear system the step multiplies each mode by 1 + i w dt - (w dt)^2/2,
//     whose argument is w dt (1 + (w dt)^2 / 6 + ...) (test_physics_larmor.cpp); 6e-7 at dt = 0.05 ps
//     and 6 GHz;
//   * amplitude: for the z axis the modes are uniform precessions in the effective axial field
//     H0 + (Hk + 3D) m_z (acoustic) or H0 + (Hk + D) m_z (optical), so their relative shift is
//     exactly -(Hk + 3D)(1 - cos theta0) / (H + 3D) (resp. with D), 3e-7 at theta0 = 1e-3 (the
//     damping only lowers theta). For the x axis, where the modes are elliptical, the shift is of the
//     same origin and order; we bound it by theta0^2 (Hk + 3D) / min(H1, H2), 1.3e-6 here (at theta0 =
//     0.05 the measured x shifts were 3.5e-5 (acoustic) and 4.0e-4 (optical), 1/100 and 1/7 of this
//     bound);
//   * damping: the eigenfrequency of the linearized LL equation with stiffness fields H1, H2 is
//     w_d^2 = gamma0^2 H1 H2 / (1 + alpha^2) - (alpha gamma0 (H1 + H2) / (2 (1 + alpha^2)))^2; its
//     deviation from the undamped formula is computed exactly (1e-8 at alpha = 1e-4);
//   * the azimuth of an elliptical orbit of axis ratio k = sqrt(max(H1, H2) / min(H1, H2)) does not
//     turn uniformly: it runs ahead of and behind the mode's phase by up to atan((k - 1) / (2 sqrt k))
//     (0.14 rad for the x acoustic mode), which over a window of arbitrary length would bias the mean
//     rate by up to 0.28 rad / (w T) (7e-4 at 20 ns). The averaging window therefore holds a whole
//     number n of periods of the predicted mode. What remains: the window's mismatch of at most half
//     a step (w dt / 2 of phase) times the wiggle's slope (at most k - 1), (k - 1) w dt / (4 pi n);
//     and, if the true frequency differs from the prediction by a relative e, the window misses
//     whole periods by 2 pi n e of phase, which moves the measured error by at most (k - 1) e. So
//     the measured error is within k (Heun + amplitude + damping) + (k - 1) w dt / (4 pi n).
//   * float64 rounding: 1e-16 per step in m, negligible.
// Run time: 3 runs of 4e5 float64 steps of one or two networks, about 1 s on two cores.
// =================================================================================================

struct DipolarPair {
  double Ms = 8e5;                                         // A/m
  double radius = 10e-9;                                   // sphere radius, m
  double distance = 25e-9;                                 // centre to centre, m
  double H0 = 100 * mT, Hk = 50 * mT;                      // A/m
  double volume() const { return 4.0 / 3.0 * constants::pi * radius * radius * radius; }
  double D() const { return Ms * volume() / (4 * constants::pi * distance * distance * distance); }
  double H() const { return H0 + Hk; }
};

struct PairMode {
  std::string name;
  char axis;      // 'x' or 'z': the pair axis
  bool optical;   // opposite tilts
  double H1, H2;  // stiffness fields of the linearized mode, A/m
  double omega() const { return gamma0 * std::sqrt(H1 * H2); }  // undamped angular frequency
};

std::vector<PairMode> pair_modes(const DipolarPair& p) {
  const double H = p.H(), D = p.D();
  return {{"x acoustic: gamma0 sqrt(H (H - 3D))", 'x', false, H - 3 * D, H},
          {"x optical: gamma0 sqrt((H - 2D)(H + D))", 'x', true, H + D, H - 2 * D},
          {"z acoustic: gamma0 (H + 3D)", 'z', false, H + 3 * D, H + 3 * D},
          {"z optical: gamma0 (H + D)", 'z', true, H + D, H + D}};
}

/// The config of networks of two spheres on the given pair axis; network g is excited in mode
/// optical[g] (opposite tilts) or acoustic.
json dipolar_pair_config(const DipolarPair& p, char axis, const std::vector<bool>& optical, double theta0, double alpha,
                         double dt, std::uint64_t steps, std::uint64_t transient) {
  json m0 = json::array();
  for (bool opposite : optical) {
    m0.push_back({std::sin(theta0), 0.0, std::cos(theta0)});
    m0.push_back({(opposite ? -1 : 1) * std::sin(theta0), 0.0, std::cos(theta0)});
  }
  const double d_nm = p.distance * 1e9;
  const json positions = axis == 'x' ? json{{0.0, 0.0, 0.0}, {d_nm, 0.0, 0.0}} : json{{0.0, 0.0, 0.0}, {0.0, 0.0, d_nm}};
  const double dt_ps = dt * 1e12;
  return {{"name", "dipolar_pair"},
          {"model", "macrospin"},
          {"precision", "float64"},
          {"devices",
           {{"count", 2 * optical.size()},
            {"alpha", alpha},
            {"Ms_kA_per_m", p.Ms * 1e-3},
            {"volume_nm3", p.volume() * 1e27},
            {"anisotropy_field_mT", p.Hk / mT},
            {"anisotropy_axis", {0, 0, 1}},
            {"demagnetizing_factors", {1.0 / 3, 1.0 / 3, 1.0 / 3}},
            {"field_mT", {0.0, 0.0, p.H0 / mT}},
            {"current_mA", 0},
            {"temperature_K", 0},
            {"m0", {{"values", m0}}}}},
          {"network", {{"positions_nm", positions}, {"coupling", {{{"kind", "dipolar"}}}}}},
          {"integration",
           {{"dt_ps", dt_ps},
            {"duration_ns", static_cast<double>(steps) * dt_ps * 1e-3},
            {"transient_ns", static_cast<double>(transient) * dt_ps * 1e-3}}}};
}

TEST_P(NetworkValidation, DipolarMacrospinPairModesAreTheCoupledKittelModes) {
  const DipolarPair pair;
  constexpr double theta0 = 1e-3;  // rad
  constexpr double alpha = 1e-4;
  constexpr double dt = 0.05e-12;           // s
  constexpr std::uint64_t max_steps = 400000;  // 20 ns
  std::printf("  D = %.5g A/m, H = %.5g A/m, D / H = %.4f\n", pair.D(), pair.H(), pair.D() / pair.H());

  // Runs: x acoustic, x optical (each with its own whole-period window), z acoustic + optical (one
  // run of two networks: circular modes need no window).
  const std::vector<PairMode> modes = pair_modes(pair);
  struct Run {
    char axis;
    std::vector<std::size_t> modes;  // indices into `modes`, one network each
  };
  for (const Run& run : {Run{'x', {0}}, Run{'x', {1}}, Run{'z', {2, 3}}}) {
    const PairMode& first = modes[run.modes.front()];
    const double f_first = first.omega() / constants::two_pi;
    // Whole periods of the (first) predicted mode in the window.
    const double periods = std::floor(f_first * dt * static_cast<double>(max_steps) * 0.95);
    const std::uint64_t steps = max_steps;
    const std::uint64_t window = run.axis == 'x' ? static_cast<std::uint64_t>(std::llround(periods / (f_first * dt))) : steps;
    const std::uint64_t transient = steps - window;
    std::vector<bool> optical;
    for (std::size_t m : run.modes) optical.push_back(modes[m].optical);
    const json config = dipolar_pair_config(pair, run.axis, optical, theta0, alpha, dt, steps, transient);
    const RunConfig rc = read_run_config(config, "dipolar_pair.json");
    ASSERT_EQ(rc.control.transient_steps, transient);
    ASSERT_EQ(rc.control.steps, steps);
    const ExperimentResult result = run_experiment(rc, options());
    const std::vector<double>& f = result.observables.at("frequency_Hz");
    ASSERT_EQ(f.size(), 2 * run.modes.size());
    for (std::size_t g = 0; g < run.modes.size(); ++g) {
      const PairMode& mode = modes[run.modes[g]];
      const double H1 = mode.H1, H2 = mode.H2, D = pair.D();
      const double w = mode.omega();
      const double a2 = alpha * alpha;
      const double w_damped = std::sqrt(gamma0 * gamma0 * H1 * H2 / (1 + a2) - std::pow(alpha * gamma0 * (H1 + H2) / (2 * (1 + a2)), 2));
      const double damping = std::abs(w_damped / w - 1);
      const double heun = w * dt * w * dt / 6;
      const double amplitude = mode.axis == 'z'
                                   ? (pair.Hk + (mode.optical ? 1 : 3) * D) * (1 - std::cos(theta0)) / std::min(H1, H2)
                                   : theta0 * theta0 * (pair.Hk + 3 * D) / std::min(H1, H2);
      const double k = std::sqrt(std::max(H1, H2) / std::min(H1, H2));
      const double n = mode.axis == 'x' ? periods : 1;
      const double window_error = mode.axis == 'x' ? (k - 1) * w * dt / (4 * constants::pi * n) : 0;
      const double tolerance = 2 * (k * (heun + amplitude + damping) + window_error);
      std::printf("  %s: f = %.6g GHz; budget: Heun %.1e, amplitude %.1e, damping %.1e, window %.1e", mode.name.c_str(),
                  w / constants::two_pi * 1e-9, heun, amplitude, damping, window_error);
      std::printf(mode.axis == 'x' ? " (%.0f periods)\n" : "\n", n);
      for (int j = 0; j < 2; ++j)
        expect_relative(mode.name + ", spin " + std::to_string(j + 1), f[2 * g + j], w / constants::two_pi, tolerance);
    }
  }
}

// =================================================================================================
// 2. N vortex STNOs in series (electrical coupling, 300 K): locking, summed power and linewidth.
//
// Networks of N = 1, 2, 4, 8 identical FeB vortex oscillators (feb_vortex_parameters: Torrejon et al.
// 2017, 7 mA at 430 mT, above the 5.5 mA threshold; orbit s = 0.6 at 305 MHz) in series with a 50 Ohm
// load (the `electrical` coupling: each junction's magnetoresistive RF voltage changes the current of
// the circuit, which acts back on every junction; Lebrun et al., Nat. Commun. 8, 15825 (2017); Tsunegi
// et al., Sci. Rep. 8, 13475 (2018)), through the host API. Each run holds 8 instances of a coupled
// network (gain 1) and 8 of an uncoupled one (gain 0), each with its own noise. The emitted signal of
// oscillator k is y_k (signal_scale 1 V: y_k = Y_k / R); the network's emitted power is
// P_N = var(sum_k y_k) = sum_k var(y_k) + sum_{j != k} cov(y_j, y_k), from the summed-signal trace,
// and p_N = (1/N) sum_k var(y_k) is the mean power of its oscillators (from their sums). By
// Cauchy-Schwarz P_N <= N^2 p_N exactly; for equal amplitudes A and phases phi_k,
// P_N = N^2 p_N <r^2>, r = |sum_k e^{i phi_k}| / N the Kuramoto order parameter.
//   * Not locked (independent phases): the covariances average to zero, P_N = N p_N, and the summed
//     line is the single oscillator's: FWHM_N = FWHM_1.
//   * Locked in phase: P_N = N^2 p_N <r^2> -> N^2 p_N, and the common phase (1/N) sum_k phi_k diffuses
//     N times more slowly (the coupling terms cancel in the sum, the N noises average), so
//     FWHM_N = FWHM_1 / N.
// The circuit also moves the operating point: the in-phase RF current feeds each orbit (s grows from
// 0.60 alone to 0.665 at N = 2, 0.68 at N = 4 and 0.69 at N = 8), so the raw P_N / P_1 grows faster
// than N^2 (printed: 4.2, 17.7, 73 against 4, 16, 64), and the laws are checked on P_N / p_N. The
// locked lines also come out narrower than FWHM_1 / N (N FWHM_N / FWHM_1 = 0.94 at N = 2 and 0.58 at
// N = 4, measured): the larger orbit diffuses more slowly (thermal phase diffusion goes as kB T over
// the orbit's energy; J.-V. Kim, V. Tiberkevich and A. N. Slavin, PRL 100, 017207 (2008)), and the
// circuit changes how amplitude noise turns into phase noise. The test asserts the bound
// FWHM_N <= FWHM_1 / N, which is what a locked network must at least achieve.
//
// The coupling channel. With the defaults of the model (polarizer_in_plane = 0) the network does NOT
// lock: the circuit's RF current then acts on the core only through forces proportional to the core
// position X (the spin-transfer force kappa I p_z (z x X) and the Oersted confinement k_Oe(I) X;
// include/spinnet/models/vortex.hpp), so on the orbit X = s R e^{i psi_j} the force's component at the
// oscillator's own phase, F e^{-i psi_j}, is proportional to i(t) alone and averages to zero over a
// period: no first-order coupling of the phases (measured with polarizer_in_plane = 0: one sync
// cluster per oscillator at gain 1, and no frequency pulling at T = 0 between two vortices 64 kHz
// apart, at 7.000 and 7.005 mA, even at gain 100). The force of the polarizer's in-plane component,
// C kappa I p_ip R, does not depend on X and locks them; the test uses the tilted polarizer's own
// p_ip = sqrt(1 - p_z^2) = 0.96 (devices.polarizer_in_plane "from_field").
//
// Tolerances (the statistics of the finite duration T after a 1 us transient; 8 instances of each):
//   * unlocked power: the covariance of two independent oscillators is (A^2 / 2) cos(phi_j - phi_k)
//     plus fast terms; phi_j - phi_k diffuses with 2D, D = pi FWHM_1 (a Lorentzian line), so its time
//     average over T has variance (A^2 / 2)^2 / (2 D T). Over the N (N - 1) ordered pairs the relative
//     variance of P_N / (N p_N) is (N - 1) / (N D T) per network, divided by the 8 instances. 4 sigma;
//   * locked power: with amplitudes s_k that fluctuate independently of each other and of the phases,
//     P_N / (N^2 p_N) = <r^2> (1 - v) + v / N, v = var(s) / <s^2> (measured from each oscillator's
//     sums of s and s^2; it also holds the orbit centre's DC offset, so it overestimates v). The test
//     asserts P_N / (N^2 p_N) within [<r^2> (1 - v) - 4 sigma, 1] (the upper bound is Cauchy-Schwarz),
//     sigma from the instances' spread, and <r^2> itself near 1 through the phase-locking values;
//   * linewidths: the Lorentzian fits' standard errors of the instance-averaged Welch PSDs (8 x the
//     segments of each trace), times 1.22 for the Hann bins' correlation (spectral_line.hpp); 4 sigma
//     (one-sided for the locked lines, see above). The segments resolve each line with at least 4.5
//     bins per FWHM (the fit counts a line of fewer than 4 as unresolved): 2^16 samples of 400 ps
//     (bins of 38 kHz) over 60 us for N <= 2, 2^17 (19 kHz) over 120 us for N = 4 (a 90 kHz locked
//     line); N = 8 (45 kHz or less) would need segments of 100 us, and checks power and locking only,
//     over 20 us;
//   * locking: every pair's phase-locking value |<e^{i (phi_j - phi_k)}>| at least 0.9 (the sync
//     clusters' threshold) when locked, below it when not (uncoupled: ~ (D T)^{-1/2}, 0.4 at most here);
//   * integrator: dt = 20 ps, w dt = 0.04: Heun's phase error (w dt)^2 / 6 = 3e-4 shifts the
//     frequency, not the power or the linewidth; float32 rounding is far below the thermal motion.
// Run time: about 25 s on one core (the batches are small: the CPU engine uses one thread for them).
// =================================================================================================

struct SeriesVortexBranch {  // the instances of one gain
  std::vector<double> power, oscillator_power, order2, min_plv, max_plv;  // per instance
  double radius = 0;                // mean orbit radius over the oscillators and instances
  double radius_variance = 0;       // mean of var(s) / <s^2> over the oscillators and instances
  double fwhm = 0, fwhm_error = 0;  // of the instance-averaged PSD of the summed signal, Hz
  double duration = 0;              // averaged time, s
};

double mean_of(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return sum / static_cast<double>(v.size());
}
double standard_error(const std::vector<double>& v) {
  const double m = mean_of(v);
  double sum = 0;
  for (double x : v) sum += (x - m) * (x - m);
  return std::sqrt(sum / static_cast<double>(v.size() - 1) / static_cast<double>(v.size()));
}

/// Networks 2i (gain 1) and 2i + 1 (gain 0), i < instances, of N vortices in series; branch[0] is
/// the coupled one. segment = 0: no spectrum.
std::array<SeriesVortexBranch, 2> run_series_vortices(std::uint32_t N, std::size_t instances, double duration,
                                                      std::size_t segment, const RunOptions& options) {
  constexpr double dt = 20e-12, transient = 1e-6;
  constexpr std::uint64_t every = 20;  // summed-signal samples every 400 ps
  NetworkProblem<CoupledVortex> problem;
  problem.networks = 2 * instances;
  problem.size = N;
  for (std::size_t g = 0; g < problem.networks; ++g)
    for (std::uint32_t j = 0; j < N; ++j) {
      VortexParameters p = feb_vortex_parameters(7e-3, 0.43);
      p.p_in_plane = std::sqrt(1 - p.p_z * p.p_z);
      // Oscillator j starts at s = 0.1 at the phase 2 pi j / N: locking, where it happens, has to happen.
      p.x0 = 0.1 * std::cos(constants::two_pi * j / N);
      p.y0 = 0.1 * std::sin(constants::two_pi * j / N);
      problem.oscillators.push_back(p);
    }
  ElectricalCouplingInput& circuit = problem.coupling.electrical;
  circuit.enabled = true;
  circuit.connection = CircuitConnection::series;
  circuit.load = 50;
  for (std::size_t g = 0; g < problem.networks; ++g) circuit.gain.push_back(g % 2 == 0 ? 1.0 : 0.0);
  circuit.dc_block_time = 5e-9;
  RunControl& control = problem.control;
  control.dt = dt;
  control.steps = static_cast<std::uint64_t>(std::llround(duration / dt));
  control.transient_steps = static_cast<std::uint64_t>(std::llround(transient / dt));
  control.seed = 0x5e71e5ULL + N;
  control.precision = Precision::float32;
  problem.observe.order_every = 10;
  problem.observe.phase_locking = N > 1;
  problem.observe.signal_every = every;
  const NetworkResult<CoupledVortex> result = run_network(problem, options);

  std::array<SeriesVortexBranch, 2> branch;
  const std::size_t G = problem.networks, first = control.transient_steps / every, samples = result.signal_samples - first;
  const std::size_t pairs = N * (N - 1) / 2;
  std::array<std::vector<double>, 2> traces;  // [instance][sample] of each branch
  for (std::size_t g = 0; g < G; ++g) {
    SeriesVortexBranch& b = branch[g % 2];
    b.duration = static_cast<double>(result.averaged_steps) * dt;
    double sum = 0, sum2 = 0;
    for (std::size_t s = 0; s < samples; ++s) {
      const double v = result.signal_trace[(first + s) * G + g];
      sum += v, sum2 += v * v;
      traces[g % 2].push_back(v);
    }
    b.power.push_back(sum2 / samples - (sum / samples) * (sum / samples));
    double p = 0;
    for (std::uint32_t j = 0; j < N; ++j) {
      const std::size_t i = g * N + j;
      const double y = result.mean(i, &VortexAccumulators::y);
      p += (result.mean(i, &VortexAccumulators::signal2) - y * y) / N;
      const double radius = result.mean(i, &VortexAccumulators::radius), radius2 = result.mean(i, &VortexAccumulators::radius2);
      b.radius += radius / (N * instances);
      b.radius_variance += (1 - radius * radius / radius2) / (N * instances);
    }
    b.oscillator_power.push_back(p);
    b.order2.push_back(result.order_mean[g] * result.order_mean[g] + result.order_std[g] * result.order_std[g]);
    double lo = 1, hi = 0;
    for (std::size_t q = 0; q < pairs; ++q) {
      lo = std::min(lo, result.phase_locking[g * pairs + q]);
      hi = std::max(hi, result.phase_locking[g * pairs + q]);
    }
    b.min_plv.push_back(pairs > 0 ? lo : 1.0);
    b.max_plv.push_back(pairs > 0 ? hi : 1.0);
  }
  for (int k = 0; k < 2; ++k) {
    SeriesVortexBranch& b = branch[k];
    if (segment > 0) {
      WelchOptions welch;
      welch.segment_length = segment;
      const PowerSpectrumBatch psd = welch_psd_batch(std::span<const double>(traces[k]), instances,
                                                     dt * static_cast<double>(every), welch, options);
      std::vector<double> mean_density(psd.bins, 0.0);
      for (std::size_t i = 0; i < instances; ++i)
        for (std::size_t f = 0; f < psd.bins; ++f) mean_density[f] += psd.row(i)[f] / static_cast<double>(instances);
      const SpectralLine line = analyze_line(psd.frequency, mean_density);
      EXPECT_EQ(line.fit.quality, FitQuality::good) << "N = " << N << ", gain " << 1 - k << ": " << to_string(line.fit.quality);
      b.fwhm = line.fit.fwhm;
      b.fwhm_error = 1.22 * line.fit.fwhm_error;
    }
    std::printf("  N = %u, gain %d: P_N = %.4f V^2, p_N = %.4f V^2, P_N / (N p_N) = %.3f, <r^2> = %.3f, "
                "phase locking %.3f to %.3f, s = %.3f, FWHM = %.1f +- %.1f kHz\n",
                N, 1 - k, mean_of(b.power), mean_of(b.oscillator_power), mean_of(b.power) / (N * mean_of(b.oscillator_power)),
                mean_of(b.order2), *std::min_element(b.min_plv.begin(), b.min_plv.end()),
                *std::max_element(b.max_plv.begin(), b.max_plv.end()), b.radius, b.fwhm * 1e-3, b.fwhm_error * 1e-3);
  }
  std::printf("    (%.1f s)\n", result.wall_seconds);
  return branch;
}

TEST_P(NetworkValidation, SeriesVortexNetworkLocksAndItsPowerGrowsAsNSquared) {
  constexpr std::size_t instances = 8;
  const double M = static_cast<double>(instances);
  struct Size {
    std::uint32_t N;
    double duration;
    std::size_t segment;
  };
  std::vector<std::pair<std::uint32_t, std::array<SeriesVortexBranch, 2>>> runs;
  for (const Size& size : {Size{1, 60e-6, 65536}, Size{2, 60e-6, 65536}, Size{4, 120e-6, 131072}, Size{8, 20e-6, 0}})
    runs.emplace_back(size.N, run_series_vortices(size.N, instances, size.duration, size.segment, options()));
  const SeriesVortexBranch& coupled_single = runs.front().second[0];
  const SeriesVortexBranch& single = runs.front().second[1];
  const double D = constants::pi * single.fwhm;  // phase diffusion constant of one oscillator, 1/s
  for (const auto& [size, branch] : runs) {
    if (size == 1) continue;
    const double N = static_cast<double>(size);
    const std::string tag = ", N = " + std::to_string(size);
    const SeriesVortexBranch& locked = branch[0];
    const SeriesVortexBranch& free = branch[1];
    std::printf("  N = %u: raw P_N / P_1 = %.2f locked (N^2 = %.0f), %.2f unlocked (N = %.0f)\n", size,
                mean_of(locked.power) / mean_of(coupled_single.power), N * N, mean_of(free.power) / mean_of(single.power), N);

    // Locking.
    EXPECT_GE(*std::min_element(locked.min_plv.begin(), locked.min_plv.end()), 0.9) << "gain 1 must lock" << tag;
    EXPECT_LT(*std::max_element(free.max_plv.begin(), free.max_plv.end()), 0.9) << "gain 0 must not lock" << tag;

    // Power: N^2 p_N when locked, N p_N when not.
    std::vector<double> coherence, sum_ratio;
    for (std::size_t i = 0; i < instances; ++i) {
      coherence.push_back(locked.power[i] / (N * N * locked.oscillator_power[i]));
      sum_ratio.push_back(free.power[i] / (N * free.oscillator_power[i]));
    }
    const double r2 = mean_of(locked.order2), v = locked.radius_variance;
    const double c = mean_of(coherence), c_error = standard_error(coherence);
    const double lower = r2 * (1 - v) - 4 * c_error;
    std::printf("    locked: P_N / (N^2 p_N) = %.5f +- %.5f, allowed [<r^2> (1 - v) - 4 sigma, 1] = [%.5f, 1] (<r^2> = %.5f, "
                "v = %.1e)\n", c, c_error, lower, r2, v);
    EXPECT_GE(c, lower) << tag;
    EXPECT_LE(c, 1.0) << tag;
    const double sigma = std::sqrt((N - 1) / (N * D * free.duration) / M);
    std::printf("    unlocked: sigma of P_N / (N p_N) %.4f (from the pairs' diffusion), %.4f (instances' spread)\n", sigma,
                standard_error(sum_ratio));
    expect_close("P_N / (N p_N), unlocked" + tag, mean_of(sum_ratio), 1.0, 4 * sigma);

    // Linewidth: at most FWHM_1 / N when locked, FWHM_1 when not.
    if (locked.fwhm == 0) continue;
    const double locked_sigma = std::hypot(locked.fwhm_error / locked.fwhm, single.fwhm_error / single.fwhm);
    const double ratio = locked.fwhm * N / single.fwhm;
    std::printf("    locked: N FWHM_N / FWHM_1 = %.3f +- %.3f, allowed at most 1 + 4 sigma = %.3f\n", ratio,
                locked_sigma * ratio, 1 + 4 * locked_sigma);
    EXPECT_LE(ratio, 1 + 4 * locked_sigma) << tag;
    const double free_sigma = std::hypot(free.fwhm_error / free.fwhm, single.fwhm_error / single.fwhm);
    expect_relative("FWHM_N vs FWHM_1, unlocked" + tag, free.fwhm, single.fwhm, 4 * free_sigma);
  }
}

// =================================================================================================
// 3. A dipolar-coupled thermal pair at 300 K: m1.m2 is Boltzmann distributed with the interaction.
//
// Two isotropic macrospins (uniformly magnetized spheres: demagnetizing factors 1/3, no anisotropy,
// no field) of moment Ms V at distance d along x, coupled by the point-dipole field (a NetworkProblem
// built directly: one full 3 x 3 block per oscillator, point_dipole_tensor times Ms V). Their
// interaction energy is E = -mu0 Ms V m1.H_dip(m2) = -J (3 (m1.x)(m2.x) - m1.m2),
// J = mu0 (Ms V)^2 / (4 pi d^3). With Brown's thermal field on each spin (W. F. Brown, Phys. Rev.
// 130, 1677 (1963)) the stationary density of the pair on S^2 x S^2 is exp(-E / kB T) / Z (the field
// on spin j is -dE / d(mu0 Ms V m_j), and the LLG flow with Brown's noise is reversible with respect
// to that density; Garcia-Palacios and Lazaro, PRB 58, 14937 (1998), also for the Stratonovich Heun
// scheme). The reference distribution of c = m1.m2: with the pair axis as polar axis,
// z_j = m_j.x, c = z1 z2 + s1 s2 cos(phi), s_j = sqrt(1 - z_j^2), phi the difference of azimuths
// (the common azimuth integrates out), and E / kB T = -eps (2 z1 z2 - s1 s2 cos(phi)), eps = J / kB T,
// on the uniform measure dz1 dz2 dphi. The test integrates it by the midpoint rule on a
// 512 x 512 x 1024 grid (halved twice by the symmetries phi -> -phi and (z1, z2) -> (-z1, -z2)),
// binning the weights on 4096 bins of c for the CDF (linearly interpolated). Against a grid twice as
// fine, the moments differ by 1.4e-5 (the square-root edges of s_j limit the midpoint rule's order)
// and the CDF by 7e-5: a hundredth of the statistical errors and of the KS critical distance below.
//
// Choices: Ms = 800 kA/m, spheres of radius 5 nm at d = 11 nm (2.2 radii: the spheres do not overlap,
// and for uniformly magnetized spheres the point-dipole field is exact), T = 300 K: eps = 3.18, a
// distribution far from the uniform one of free spins (<c> = 0.30 against 0; the CDFs of eps and of
// eps * (1 +- 20 %) differ by 0.07 at most, that of eps = 0 by 0.23). alpha = 0.5 thermalizes fast:
// the free-diffusion time tau_N = mu0 Ms V (1 + alpha^2) / (2 alpha gamma0 kB T) = 0.72 ns. The time
// step dt = 1 ps = tau_N / 720: a thermal rotation of 0.04 rad per step per component (as in
// test_physics_thermal.cpp, whose drift limit applies), and gamma0 H_dip dt = 0.011; stochastic
// Heun's weak error is of order dt / tau_N (in test_physics_thermal.cpp 3e-4 in <m_z^2> at a
// comparable step), a tenth of the statistical errors here. float32 rounding (6e-8 in m) is
// negligible.
// Statistics: 1024 independent pairs, each started with both spins along +z (c = 1), a transient of
// 10 tau_N (the slowest relaxation, l = 1, leaves e^-10 = 5e-5), then 40 tau_N traced every
// tau_N / 10. The checks:
//   * <c> and <c^2> against the quadrature within 4 standard errors, the standard errors from the
//     spread of the 1024 per-pair time averages (independent pairs: no correlation model needed);
//   * the integrated autocorrelation time tau_int of c, measured from the trace (normalized
//     autocorrelation averaged over pairs, summed over lags up to the first window W >= 5 tau_int,
//     Sokal's automatic window), and the standard error it predicts for <c>,
//     sigma_c sqrt(2 tau_int / (1024 * 40 tau_N)), against the spread-based one, within 10 %: about
//     twice the sum of the relative errors of a standard error from 1024 pairs (2 %), of tau_int
//     (sqrt(2 (2W + 1) / n) = 2 % for the n = 4e5 samples; Sokal) and of the finite window
//     (O(tau_int / 40 tau_N) = 1.5 %);
//   * the distribution: the trace thinned to one sample every 10 tau_int, so that the samples are
//     effectively independent (their number is the trace's length divided by 10 tau_int; the
//     measured autocorrelation at that lag must be below 0.03, which inflates the variance of the
//     empirical CDF by less than 6 %), against the reference CDF with a one-sample Kolmogorov-Smirnov
//     test at significance 1e-3; and, to show that the test can see a wrong coupling, that it rejects
//     eps 20 % higher and lower, and eps = 0 (uncoupled spins).
// Run time: 2048 oscillators x 36000 float32 steps on one thread (the batch is one unit of the CPU
// engine, which with two threads would share it with barriers at every pass of every step: several
// times slower on a loaded two-core machine), plus the quadratures: about 3 s.
// =================================================================================================

/// The distribution of c = m1.m2 of a dipolar pair under exp(-E / kB T) (see above): the CDF tabulated
/// at `bins` + 1 equally spaced points of [-1, 1], and the first two moments.
class PairDistribution {
 public:
  explicit PairDistribution(double eps, int nz = 512, int nphi = 1024) : cdf_(bins + 1, 0.0) {
    std::vector<double> histogram(bins, 0.0);
    std::vector<double> cosine(nphi / 2);
    for (int k = 0; k < nphi / 2; ++k) cosine[k] = std::cos(constants::two_pi * (k + 0.5) / nphi);  // phi in (0, pi)
    double total = 0, first = 0, second = 0;
    // (z1, z2) -> (-z1, -z2) leaves c and E unchanged: z1 > 0 only (nz even: the midpoints avoid 0).
    for (int a = nz / 2; a < nz; ++a) {
      const double z1 = -1 + 2 * (a + 0.5) / nz, s1 = std::sqrt(1 - z1 * z1);
      for (int b = 0; b < nz; ++b) {
        const double z2 = -1 + 2 * (b + 0.5) / nz, s2 = std::sqrt(1 - z2 * z2);
        const double p = z1 * z2, q = s1 * s2;
        for (int k = 0; k < nphi / 2; ++k) {
          const double c = p + q * cosine[k];
          const double w = std::exp(eps * (2 * p - q * cosine[k]));
          total += w;
          first += w * c;
          second += w * c * c;
          const int bin = std::clamp(static_cast<int>((c + 1) / 2 * bins), 0, bins - 1);
          histogram[bin] += w;
        }
      }
    }
    mean_ = first / total;
    mean_square_ = second / total;
    for (int i = 0; i < bins; ++i) cdf_[i + 1] = cdf_[i] + histogram[i] / total;
  }
  double mean() const { return mean_; }
  double mean_square() const { return mean_square_; }
  double operator()(double c) const {
    const double position = std::clamp((c + 1) / 2, 0.0, 1.0) * bins;
    const int i = std::min(static_cast<int>(position), bins - 1);
    const double f = position - i;
    return cdf_[i] * (1 - f) + cdf_[i + 1] * f;
  }

 private:
  static constexpr int bins = 4096;
  std::vector<double> cdf_;
  double mean_ = 0, mean_square_ = 0;
};

/// Kolmogorov-Smirnov distance of sorted samples from a CDF.
template <class Cdf>
double ks_distance(const std::vector<double>& sorted, const Cdf& cdf) {
  const double n = static_cast<double>(sorted.size());
  double d = 0;
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    const double f = cdf(sorted[i]);
    d = std::max({d, static_cast<double>(i + 1) / n - f, f - static_cast<double>(i) / n});
  }
  return d;
}

/// P(D > d) for n independent samples: the asymptotic Kolmogorov distribution with Stephens'
/// correction (M. A. Stephens, J. R. Stat. Soc. B 32, 115 (1970)), as in test_physics_thermal.cpp.
double ks_p_value(double d, std::size_t n) {
  const double root = std::sqrt(static_cast<double>(n));
  const double lambda = (root + 0.12 + 0.11 / root) * d;
  if (lambda < 0.2) return 1.0;
  double q = 0;
  for (int k = 1; k <= 100; ++k) q += 2 * ((k % 2) ? 1.0 : -1.0) * std::exp(-2.0 * k * k * lambda * lambda);
  return std::clamp(q, 0.0, 1.0);
}

TEST_P(NetworkValidation, DipolarThermalPairIsBoltzmannDistributed) {
  constexpr double Ms = 8e5, radius = 5e-9, distance = 11e-9, temperature = 300, alpha = 0.5;
  constexpr std::size_t pairs = 1024;
  const double volume = 4.0 / 3.0 * constants::pi * radius * radius * radius;
  const double moment = Ms * volume;  // A m^2
  const double kT = constants::boltzmann * temperature;
  const double J = constants::mu0 * moment * moment / (4 * constants::pi * distance * distance * distance);
  const double eps = J / kT;
  const double tau = constants::mu0 * moment * (1 + alpha * alpha) / (2 * alpha * gamma0 * kT);

  NetworkProblem<CoupledMacrospin> problem;
  problem.networks = pairs;
  problem.size = 2;
  MacrospinParameters<double> p = physics_test::quiet_junction();
  p.alpha = alpha;
  p.Ms = Ms;
  p.volume = volume;
  p.Nx = p.Ny = p.Nz = 1.0 / 3.0;
  p.temperature = temperature;
  p.m0x = 0, p.m0y = 0, p.m0z = 1;
  problem.oscillators.assign(2 * pairs, p);
  // One entry per oscillator: 0 reads 1 and 1 reads 0, through the point-dipole tensor of their
  // separation (r = r_j - r_k; the tensor is even in r) times the partner's moment.
  SparseCouplingInput dipolar;
  dipolar.width = 1;
  dipolar.kind = BlockKind::full;
  dipolar.local_partner = {1, 0};
  for (const double x : {-distance, distance}) {
    const std::array<double, 9> t = point_dipole_tensor({x, 0.0, 0.0});
    for (double w : t) dipolar.weight.push_back(w * moment);
  }
  problem.coupling.sparse.push_back(dipolar);
  RunControl& control = problem.control;
  control.dt = 1e-12;
  const std::uint64_t steps_per_tau = static_cast<std::uint64_t>(std::llround(tau / control.dt));
  control.trace_every = steps_per_tau / 10;
  control.transient_steps = 10 * steps_per_tau;
  control.steps = control.transient_steps + 40 * steps_per_tau;
  control.steps -= control.steps % control.trace_every;
  control.seed = 0xd1b07e5ULL;
  control.precision = Precision::float32;
  for (std::uint32_t i = 0; i < 2 * pairs; ++i) control.trace_devices.push_back(i);
  problem.observe.order_every = 0;

  RunOptions one_thread = options();
  one_thread.threads = 1;
  const NetworkResult<CoupledMacrospin> result = run_network(problem, one_thread);
  std::printf("  eps = J / kB T = %.4f, tau_N = %.3g ns, dt = tau_N / %llu, %zu pairs x %llu steps (%.2f s)\n", eps,
              tau * 1e9, static_cast<unsigned long long>(steps_per_tau), pairs,
              static_cast<unsigned long long>(control.steps), result.wall_seconds);

  // c(t) of every pair after the transient: c[g * samples + s].
  const std::size_t traced = 2 * pairs;
  std::size_t first = 0;
  while ((first + 1) * control.trace_every <= control.transient_steps) ++first;
  const std::size_t samples = static_cast<std::size_t>(result.trace_samples) - first;
  std::vector<double> c(pairs * samples);
  for (std::size_t g = 0; g < pairs; ++g)
    for (std::size_t s = 0; s < samples; ++s) {
      const auto& a = result.trace_state[(first + s) * traced + 2 * g];
      const auto& b = result.trace_state[(first + s) * traced + 2 * g + 1];
      c[g * samples + s] = a.mx * b.mx + a.my * b.my + a.mz * b.mz;
    }

  // Moments, with standard errors from the spread of the per-pair averages.
  const auto pair_statistics = [&](auto f) {
    double sum = 0, sum2 = 0;
    for (std::size_t g = 0; g < pairs; ++g) {
      double m = 0;
      for (std::size_t s = 0; s < samples; ++s) m += f(c[g * samples + s]);
      m /= static_cast<double>(samples);
      sum += m, sum2 += m * m;
    }
    const double n = static_cast<double>(pairs), mean = sum / n;
    return std::pair<double, double>{mean, std::sqrt((sum2 / n - mean * mean) / (n - 1))};
  };
  const PairDistribution reference(eps);
  const auto [mean_c, error_c] = pair_statistics([](double x) { return x; });
  const auto [mean_c2, error_c2] = pair_statistics([](double x) { return x * x; });
  expect_close("<m1.m2> vs Boltzmann (4 standard errors)", mean_c, reference.mean(), 4 * error_c);
  expect_close("<(m1.m2)^2> vs Boltzmann (4 standard errors)", mean_c2, reference.mean_square(), 4 * error_c2);

  // Integrated autocorrelation time of c (in trace samples), Sokal's window.
  const double variance = mean_c2 - mean_c * mean_c;
  const auto autocorrelation = [&](std::size_t lag) {
    double sum = 0;
    for (std::size_t g = 0; g < pairs; ++g)
      for (std::size_t s = 0; s + lag < samples; ++s)
        sum += (c[g * samples + s] - mean_c) * (c[g * samples + s + lag] - mean_c);
    return sum / (static_cast<double>(pairs) * static_cast<double>(samples - lag) * variance);
  };
  double tau_int = 0.5;
  std::size_t window = 0;
  for (std::size_t lag = 1; lag < samples / 4; ++lag) {
    tau_int += autocorrelation(lag);
    window = lag;
    if (static_cast<double>(lag) >= 5 * tau_int) break;
  }
  ASSERT_LT(window + 1, samples / 4) << "no autocorrelation window found";
  const double sample_time = static_cast<double>(control.trace_every) * control.dt;
  const double predicted_error = std::sqrt(variance * 2 * tau_int / (static_cast<double>(pairs) * samples));
  std::printf("    tau_int of m1.m2 = %.2f samples = %.3f tau_N (window %zu samples)\n", tau_int,
              tau_int * sample_time / tau, window);
  expect_relative("standard error of <m1.m2>: from tau_int vs from the pairs' spread", predicted_error, error_c, 0.1);

  // The distribution, from samples 10 tau_int apart.
  const std::size_t stride = static_cast<std::size_t>(std::ceil(10 * tau_int));
  std::vector<double> independent;
  for (std::size_t g = 0; g < pairs; ++g)
    for (std::size_t s = stride - 1; s < samples; s += stride) independent.push_back(c[g * samples + s]);
  const double correlation_at_stride = autocorrelation(stride);
  std::printf("    thinned every %zu samples (%.2f tau_N): autocorrelation there %.4f (must be below 0.03)\n", stride,
              static_cast<double>(stride) * sample_time / tau, correlation_at_stride);
  EXPECT_LT(std::abs(correlation_at_stride), 0.03) << "thinned samples are not independent";
  std::sort(independent.begin(), independent.end());
  const double d = ks_distance(independent, reference);
  const double p_value = ks_p_value(d, independent.size());
  std::printf("    KS distance of m1.m2 from the Boltzmann CDF: D = %.4f over %zu samples (%zu per pair), p = %.3f "
              "(reject below 1e-3)\n",
              d, independent.size(), independent.size() / pairs, p_value);
  EXPECT_GT(p_value, 1e-3) << "m1.m2 not Boltzmann distributed: D = " << d;
  for (const double wrong : {0.8 * eps, 1.2 * eps, 0.0}) {
    const double d_wrong = ks_distance(independent, PairDistribution(wrong, 256, 512));
    const double p_wrong = ks_p_value(d_wrong, independent.size());
    std::printf("    power check: against eps = %.3g, D = %.4f, p = %.2g (must reject)\n", wrong, d_wrong, p_wrong);
    EXPECT_LT(p_wrong, 1e-3) << "the KS test cannot tell eps = " << eps << " from " << wrong;
  }
}

INSTANTIATE_TEST_SUITE_P(network, NetworkValidation, ::testing::Values(Backend::cpu, Backend::cuda), backend_name);

}  // namespace
}  // namespace spinnet::network_test
