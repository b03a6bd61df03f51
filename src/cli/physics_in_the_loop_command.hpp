// `spinnet physics-in-the-loop` and configs of model "physics_in_the_loop": a single-layer spin-diode
// network evaluated on 8x8 digits with every synapse a time-domain macrospin junction, beside the
// compact model (docs/spin_diode.md).
#pragma once

#include <cstdint>
#include <string>

#include "spinnet/config/config.hpp"

namespace spinnet {

struct PhysicsInTheLoopCommand {
  std::string name = "physics_in_the_loop";  // names the default output folder
  std::string network;  // network file; empty: train the reference network on the training split
  std::string data;     // data folder; empty: default_data_directory()
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

/// A config of model "physics_in_the_loop" (keys in docs/spin_diode.md; the schema has checked
/// their types): ConfigError naming `file` and the path.
PhysicsInTheLoopCommand read_physics_in_the_loop_config(const json& config, const std::string& file);

/// The config that reproduces a command (written into the run directory).
json physics_in_the_loop_config(const PhysicsInTheLoopCommand& command);

/// Runs the evaluation into `out` (physics_in_the_loop.json, network.json for a reference network).
/// Throws ConfigError, DataError or RunError; prints the summary on stdout and a warning line on
/// stderr for each result that cannot be trusted (an untrained network, degenerate outputs).
void run_physics_in_the_loop(const PhysicsInTheLoopCommand& command, const std::string& out);

}  // namespace spinnet
