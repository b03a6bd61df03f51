// Compact spin-diode synapse and STNO neuron (include/spinnet/rfnet/rf_synapse.hpp): line-shape
// properties of the antisymmetric Lorentzian and the analytic derivatives against central finite
// differences.
#include <gtest/gtest.h>

#include <cmath>

#include "spinnet/rfnet/rf_synapse.hpp"

using namespace spinnet;

namespace {
constexpr double alpha = 0.01, K_SD = 8839.0, f_r = 5e9;
constexpr double half_width = alpha * f_r;
}  // namespace

// G is odd in d = f_in - f_r, zero at resonance, with extrema +-K_SD at d = +-alpha f_r
// (2 a d / (a^2 + d^2) has its maximum 1 at d = a), and falls as 2 K_SD a / d far away.
TEST(RfSynapse, AntisymmetricLorentzianLineShape) {
  EXPECT_EQ(spin_diode_response(f_r, f_r, alpha, K_SD), 0.0);
  for (double d : {0.1, 0.5, 1.0, 3.0, 20.0}) {
    const double up = spin_diode_response(f_r + d * half_width, f_r, alpha, K_SD);
    const double down = spin_diode_response(f_r - d * half_width, f_r, alpha, K_SD);
    EXPECT_NEAR(up, -down, 1e-12 * K_SD) << d;
    EXPECT_GT(up, 0.0);
  }
  EXPECT_NEAR(spin_diode_response(f_r + half_width, f_r, alpha, K_SD), K_SD, 1e-12 * K_SD);
  // The extremum: values at 0.99 and 1.01 half-widths are below the peak.
  EXPECT_LT(spin_diode_response(f_r + 0.99 * half_width, f_r, alpha, K_SD), K_SD);
  EXPECT_LT(spin_diode_response(f_r + 1.01 * half_width, f_r, alpha, K_SD), K_SD);
  // Far tail: 2 K_SD a / d with relative correction (a/d)^2 = 1e-4 at d = 100 a.
  const double far = spin_diode_response(f_r + 100 * half_width, f_r, alpha, K_SD);
  EXPECT_NEAR(far, 2 * K_SD / 100, 2 * K_SD / 100 * 1.1e-4);
}

// dG/df_r against a central difference with step h = 1e-4 alpha f_r: truncation error
// h^2/6 |G'''| ~ 1e-8 K_SD / a relative to the scale K_SD / a of the derivative, roundoff
// eps K_SD / h ~ 2e-12 K_SD / a; tolerance 1e-7 (K_SD / a).
TEST(RfSynapse, ResonanceDerivativeMatchesFiniteDifference) {
  const double h = 1e-4 * half_width, scale = K_SD / half_width;
  for (double d : {-7.0, -1.3, -1.0, -0.4, 0.0, 0.2, 1.0, 2.5, 40.0}) {
    const double f_in = f_r + d * half_width;
    const double numeric = (spin_diode_response(f_in, f_r + h, alpha, K_SD) -
                            spin_diode_response(f_in, f_r - h, alpha, K_SD)) / (2 * h);
    EXPECT_NEAR(spin_diode_response_dfr(f_in, f_r, alpha, K_SD), numeric, 1e-7 * scale) << "d = " << d;
    double G, dG;
    spin_diode_response_and_dfr(f_in, f_r, alpha, K_SD, G, dG);
    EXPECT_DOUBLE_EQ(G, spin_diode_response(f_in, f_r, alpha, K_SD));
    EXPECT_DOUBLE_EQ(dG, spin_diode_response_dfr(f_in, f_r, alpha, K_SD));
  }
}

TEST(RfSynapse, OrientationAlternatesFromPlus) {
  EXPECT_EQ(junction_orientation(0), 1);
  EXPECT_EQ(junction_orientation(1), -1);
  EXPECT_EQ(junction_orientation(2), 1);
}

namespace {
const StnoNeuron<double> stno{10e-6, 2.0, 1e3, 1.25, 40e-6};
}

// P = A p0 R I^2, p0 = (zeta - 1)/(zeta + Q): zero up to threshold, 1.25 * 0.5 * 1e3 * (40 uA)^2
// = 1 uW at the 4 I_th limit (the reference's normalization), held constant above it.
TEST(RfNeuron, PowerThresholdAndLimit) {
  EXPECT_EQ(stno_power(-5e-6, stno), 0.0);
  EXPECT_EQ(stno_power(10e-6, stno), 0.0);
  EXPECT_GT(stno_power(10.1e-6, stno), 0.0);
  EXPECT_NEAR(stno_power(40e-6, stno), 1e-6, 1e-18);
  EXPECT_EQ(stno_power(80e-6, stno), stno_power(40e-6, stno));
  const double I = 25e-6, zeta = 2.5;
  EXPECT_NEAR(stno_power(I, stno), 1.25 * (zeta - 1) / (zeta + 2) * 1e3 * I * I, 1e-20);
  EXPECT_NEAR(stno_normalized_power(I, stno), 1.5 / 4.5, 1e-15);
  EXPECT_EQ(stno_power_dI(5e-6, stno), 0.0);
  EXPECT_EQ(stno_power_dI(50e-6, stno), 0.0);
  EXPECT_TRUE(std::isnan(stno_power(std::nan(""), stno)));
}

// dP/dI against a central difference with h = 1e-10 A inside (I_th, I_max): truncation
// h^2 |d3P/dI3| / 6 with |d3P/dI3| ~ A R / I_th ~ 1e8 W/A^3 gives ~2e-13 W/A, roundoff eps P / h ~
// 1e-14 W/A, against P' >= 5e-3 W/A: tolerance 1e-9 relative.
TEST(RfNeuron, PowerDerivativeMatchesFiniteDifference) {
  const double h = 1e-10;
  for (double I : {11e-6, 15e-6, 25e-6, 39e-6}) {
    const double numeric = (stno_power(I + h, stno) - stno_power(I - h, stno)) / (2 * h);
    EXPECT_NEAR(stno_power_dI(I, stno), numeric, 1e-9 * std::abs(numeric)) << I;
  }
}

// The optional frequency shift f = f0 + N p0 / 2 pi: zero at threshold, N/(2 pi) * p0 above.
TEST(RfNeuron, FrequencyShiftFollowsNormalizedPower) {
  const double N = 2 * M_PI * 1e9;
  EXPECT_DOUBLE_EQ(stno_frequency(5e9, N, 10e-6, stno), 5e9);
  EXPECT_NEAR(stno_frequency(5e9, N, 25e-6, stno), 5e9 + 1e9 / 3, 1e-3);
}
