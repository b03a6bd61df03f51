// `spinnet physics-in-the-loop`: a single-layer spin-diode network evaluated on 8x8 digits with
// every synapse a time-domain macrospin junction, beside the compact model (docs/spin_diode.md).
#pragma once

#include <cstdint>
#include <string>

namespace spinnet {

struct PhysicsInTheLoopCommand {
  std::string network;  // network file; empty: train the reference network on the training split
  std::string data;     // data folder; empty: default_data_directory()
  std::string out = "spinnet-out/physics_in_the_loop";
  int samples = 0;      // test samples evaluated in the time domain (the first of the shuffled split); 0: all
  double temperature = 300;
  double peak_cone = 0.05;
  double diameter_nm = 100;  // free-layer disc diameter (thickness 1.5 nm): thermal cone ~ 1/diameter
  bool equalize = true;
  double window_ns = 0;  // 0: automatic
  std::uint64_t seed = 1;
  int threads = 0;
  int epochs = 400;       // reference training
  int junctions = 16;     // reference training: junctions per chain
};

/// Runs the command; returns the process exit code (user errors: one line on stderr, 2).
int run_physics_in_the_loop_command(const PhysicsInTheLoopCommand& command);

}  // namespace spinnet
