// The spoken-digit study (spoken_digit_study.hpp).
#include "spinnet/reservoir/spoken_digit_study.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <memory>
#include <sstream>

#include "spinnet/core/errors.hpp"
#include "spinnet/data/audio_file.hpp"
#include "spinnet/data/recordings.hpp"
#include "spinnet/reservoir/echo_state_network.hpp"
#include "spinnet/reservoir/linear_nodes.hpp"
#include "spinnet/reservoir/state_readout.hpp"
#include "spinnet/reservoir/time_multiplexing.hpp"
#include "spinnet/reservoir/trained_reservoir.hpp"
#include "spinnet/reservoir/vortex_nodes.hpp"
#include "spinnet/study/output.hpp"

namespace spinnet {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

std::string percent(double fraction) {
  std::ostringstream text;
  text.setf(std::ios::fixed);
  text.precision(2);
  text << 100 * fraction << " %";
  return text.str();
}

/// Progress lines at most every 5 s.
NodeProgress throttled(const ReservoirLog& log, const std::string& what) {
  auto last = std::make_shared<Clock::time_point>(Clock::now());
  auto start = std::make_shared<Clock::time_point>(Clock::now());
  return [log, what, last, start](double fraction) {
    if (!log || fraction >= 1.0 || seconds_since(*last) < 5.0) return;
    *last = Clock::now();
    const double elapsed = seconds_since(*start);
    std::ostringstream text;
    text << what << ": " << static_cast<int>(100 * fraction) << " %";
    if (fraction > 0.01) text << ", ETA " << static_cast<int>(elapsed * (1 - fraction) / fraction) << " s";
    log(text.str());
  };
}

std::vector<int> labels_of(const std::vector<int>& all, const std::vector<std::size_t>& which) {
  std::vector<int> out;
  out.reserve(which.size());
  for (std::size_t i : which) out.push_back(all[i]);
  return out;
}

/// What the readout makes of one reservoir's states on the split (and the speaker folds).
MethodOutcome evaluate_states(const std::vector<StateFrames>& states, const std::vector<int>& labels, int classes,
                              const RecordingSplit& split, const std::vector<SpeakerFold>& folds,
                              const ReadoutOptions& options, TrainedStateReadout& trained) {
  const auto start = Clock::now();
  MethodOutcome m;
  m.state_size = static_cast<int>(states.front().cols());
  trained = train_state_readout(states, split.train, labels_of(labels, split.train), classes, options);
  m.relative_lambda = trained.cross_validation.fit.relative_lambda;
  m.cv_accuracy = trained.cross_validation.cv_accuracy[trained.cross_validation.chosen];
  m.predicted.assign(states.size(), -1);
  const auto score = [&](const std::vector<std::size_t>& part) {
    const std::vector<int> predicted = trained.readout.classify(states, part);
    for (std::size_t k = 0; k < part.size(); ++k) m.predicted[part[k]] = predicted[k];
    return accuracy(predicted, labels_of(labels, part));
  };
  m.train_accuracy = score(split.train);
  m.validation_accuracy = score(split.validation);
  if (!split.test.empty()) m.test_accuracy = score(split.test);
  m.confusion.assign(static_cast<std::size_t>(classes), std::vector<int>(static_cast<std::size_t>(classes), 0));
  for (std::size_t i : split.validation)
    ++m.confusion[static_cast<std::size_t>(labels[i])][static_cast<std::size_t>(m.predicted[i])];
  if (!folds.empty()) {
    double sum = 0;
    for (const SpeakerFold& fold : folds) {
      const TrainedStateReadout speaker =
          train_state_readout(states, fold.train, labels_of(labels, fold.train), classes, options);
      const double a = accuracy(speaker.readout.classify(states, fold.test), labels_of(labels, fold.test));
      m.loso.emplace_back(fold.speaker, a);
      sum += a;
    }
    m.loso_accuracy = sum / static_cast<double>(folds.size());
  }
  m.readout_seconds = seconds_since(start);
  return m;
}

/// The STNO reservoir of the experiment with `nodes` virtual nodes over `channels`.
std::unique_ptr<TimeMultiplexedReservoir> stno_reservoir(const ReservoirExperiment& e, const VortexNodeOptions& vortex,
                                                         int nodes, int channels) {
  return std::make_unique<TimeMultiplexedReservoir>("stno", std::make_shared<VortexNodes>(vortex),
                                                    make_input_mask(nodes, channels, e.mask, e.mask_seed));
}

void write_example(const ReservoirExperiment& e, const TimeMultiplexedReservoir& stno, const FeatureFrames& features,
                   const StateFrames& states, const std::string& file, const RunOptions& options,
                   const std::string& out_dir) {
  const auto& vortex = static_cast<const VortexNodes&>(stno.dynamics());
  const std::vector<float> u = stno.node_inputs(features);
  std::ostringstream nodes;
  nodes << "# " << file << ": one row per virtual node (" << stno.nodes() << " per frame); envelope = signal_scale s at the end of the node\n";
  nodes << "node,frame,time_ns,input,current_mA,envelope\n";
  const double theta = vortex.node_duration();
  for (std::size_t k = 0; k < u.size(); ++k) {
    const auto frame = static_cast<Eigen::Index>(k / static_cast<std::size_t>(stno.nodes()));
    const auto node = static_cast<Eigen::Index>(k % static_cast<std::size_t>(stno.nodes()));
    nodes << k << "," << frame << "," << (static_cast<double>(k) + 1) * theta * 1e9 << "," << u[k] << ","
          << vortex.current_of(u[k]) * 1e3 << "," << states(frame, node) << "\n";
  }
  write_file_atomically((std::filesystem::path(out_dir) / "example_nodes.csv").string(), nodes.str());
  // The same recording at 8 samples per node (a separate noise realization: device id 2^31).
  const int per_node = vortex.steps_per_node() % 8 == 0 ? 8 : 1;
  const VortexNodeTrace trace = vortex.trace(u, per_node, 1u << 31, options);
  std::ostringstream fine;
  fine << "# " << file << ": the vortex driven by the recording's node inputs, " << per_node << " samples per node (theta = "
       << theta * 1e9 << " ns, T = " << e.vortex.device.temperature << " K)\n";
  fine << "time_ns,current_mA,orbit_radius\n";
  for (std::size_t s = 0; s < trace.time.size(); ++s)
    fine << trace.time[s] * 1e9 << "," << trace.current[s] * 1e3 << "," << trace.radius[s] << "\n";
  write_file_atomically((std::filesystem::path(out_dir) / "example_trace.csv").string(), fine.str());
}

}  // namespace

SpokenDigitOutcome run_spoken_digit_study(const ReservoirExperiment& e, const std::string& out_dir,
                                          const RunOptions& options, const ReservoirLog& log) {
  const auto start = Clock::now();
  SpokenDigitOutcome outcome;
  RecordingSet set = list_recordings(e.data.folder, e.data.pattern);
  if (!set.labelled())
    throw DataError(e.data.folder + ": the pattern \"" + e.data.pattern + "\" has no {digit} or {label} field");
  RecordingSplit split = split_recordings(set, e.data.split);
  if (split.train.size() + split.validation.size() + split.test.size() < set.recordings.size()) {
    // Only the recordings of the split are simulated.
    std::vector<Recording> used;
    for (const auto* part : {&split.train, &split.validation, &split.test})
      for (std::size_t i : *part) used.push_back(set.recordings[i]);
    std::sort(used.begin(), used.end(), [](const Recording& a, const Recording& b) { return a.name < b.name; });
    set.recordings = std::move(used);
    split = split_recordings(set, e.data.split);
  }
  const int classes = static_cast<int>(set.class_names.size());
  std::vector<std::string> paths, files, parts(set.recordings.size(), "unused");
  std::vector<int> labels;
  for (const auto& r : set.recordings) paths.push_back(r.path), files.push_back(r.name), labels.push_back(r.label);
  for (std::size_t i : split.train) parts[i] = "train";
  for (std::size_t i : split.validation) parts[i] = "validation";
  for (std::size_t i : split.test) parts[i] = "test";
  std::vector<SpeakerFold> folds;
  if (e.data.leave_one_speaker_out) {
    std::vector<std::size_t> pool = split.train;
    pool.insert(pool.end(), split.validation.begin(), split.validation.end());
    std::sort(pool.begin(), pool.end());
    folds = leave_one_speaker_out(set, pool);
  }
  outcome.recordings = set.recordings.size();
  outcome.train = split.train.size(), outcome.validation = split.validation.size(), outcome.test = split.test.size();
  if (log)
    log(e.name + ": " + std::to_string(set.recordings.size()) + " recordings in " + e.data.folder + " (" +
        std::to_string(split.train.size()) + " train, " + std::to_string(split.validation.size()) + " validation, " +
        std::to_string(split.test.size()) + " test)");
  const std::vector<AudioClip> clips = read_audio_files(paths, e.data.format);
  outcome.read_seconds = seconds_since(start);
  std::size_t example = split.validation.front();
  if (!e.example_recording.empty()) {
    const auto found = std::find(files.begin(), files.end(), e.example_recording);
    if (found == files.end())
      throw ConfigError(e.source + ": outputs.example_recording", "a recording of " + e.data.folder,
                        "\"" + e.example_recording + "\"");
    example = static_cast<std::size_t>(found - files.begin());
  }

  for (std::size_t p = 0; p < e.preprocessing.size(); ++p) {
    const FeatureOptions& options_p = e.preprocessing[p];
    const std::string kind = to_string(options_p.kind);
    const auto feature_start = Clock::now();
    const FeatureExtractor extractor(options_p, e.data.format.sample_rate);
    std::vector<FeatureFrames> features = extractor.compute_all(clips);
    const FeatureNormalization normalization = FeatureNormalization::fit(features, split.train);
    for (auto& f : features) f = normalization.apply(f);
    outcome.feature_seconds += seconds_since(feature_start);
    const int channels = extractor.channels();

    std::vector<std::unique_ptr<Reservoir>> reservoirs;
    reservoirs.push_back(stno_reservoir(e, e.vortex, e.nodes, channels));
    if (e.baselines.preprocessing_only) reservoirs.push_back(std::make_unique<PreprocessingOnly>(channels));
    if (e.baselines.linear)
      reservoirs.push_back(std::make_unique<TimeMultiplexedReservoir>(
          "linear", std::make_shared<LinearNodes>(linearized(e.vortex)),
          make_input_mask(e.nodes, channels, e.mask, e.mask_seed)));
    if (e.baselines.linear_clipped)
      reservoirs.push_back(std::make_unique<TimeMultiplexedReservoir>(
          "linear_clipped", std::make_shared<LinearNodes>(linearized(e.vortex, true)),
          make_input_mask(e.nodes, channels, e.mask, e.mask_seed)));
    if (e.baselines.esn) reservoirs.push_back(std::make_unique<EchoStateNetwork>(e.baselines.esn_options, channels));

    for (auto& reservoir : reservoirs) {
      const std::string what = e.name + ": " + kind + ": " + reservoir->name();
      reservoir->fit_inputs(features, split.train);
      const std::vector<StateFrames> states = reservoir->transform(features, 0, options, throttled(log, what));
      TrainedStateReadout trained;
      MethodOutcome m = evaluate_states(states, labels, classes, split, folds, e.readout, trained);
      m.preprocessing = kind;
      m.method = reservoir->name();
      m.cost = reservoir->cost();
      if (log) {
        std::ostringstream text;
        text << what << ": validation " << percent(m.validation_accuracy);
        if (!std::isnan(m.test_accuracy)) text << ", test " << percent(m.test_accuracy);
        if (!std::isnan(m.loso_accuracy)) text << ", leave-one-speaker-out " << percent(m.loso_accuracy);
        text << " (" << m.state_size << " states, lambda " << m.relative_lambda << "; " << static_cast<int>(m.cost.wall_seconds)
             << " s";
        if (m.cost.device_steps > 0) text << ", " << m.cost.device_steps_per_second() << " device-steps/s";
        text << ")";
        log(text.str());
      }
      if (m.method == "stno") {
        const auto& stno = static_cast<const TimeMultiplexedReservoir&>(*reservoir);
        outcome.stno_device_steps += m.cost.device_steps;
        outcome.stno_engine_seconds += m.cost.engine_seconds;
        if (e.save_trained)
          write_file_atomically((std::filesystem::path(out_dir) / ("trained_" + kind + ".json")).string(),
                                trained_reservoir_json(e, p, set.class_names, normalization, stno, trained.readout,
                                                       m.validation_accuracy)
                                    .dump() + "\n");
        if (p == 0) write_example(e, stno, features[example], states[example], files[example], options, out_dir);
      }
      outcome.methods.push_back(std::move(m));
    }

    if (p == 0 && e.sweeps.any()) {
      const MethodOutcome* base = nullptr;
      for (const auto& m : outcome.methods)
        if (m.preprocessing == kind && m.method == "stno") base = &m;
      const auto sweep_point = [&](const std::string& parameter, double value, const VortexNodeOptions& vortex, int nodes) {
        const bool at_base = nodes == e.nodes && vortex.node_duration == e.vortex.node_duration &&
                             vortex.device.temperature == e.vortex.device.temperature;
        if (at_base && base) {  // the base point itself: the study's own STNO run
          outcome.sweeps.push_back(SweepPoint{parameter, value, base->validation_accuracy,
                                              base->cost.device_steps_per_second(), base->cost.wall_seconds, ""});
          return;
        }
        const auto point_start = Clock::now();
        auto reservoir = stno_reservoir(e, vortex, nodes, channels);
        reservoir->fit_inputs(features, split.train);
        std::ostringstream what;
        what << e.name << ": sweep " << parameter << " = " << value;
        std::vector<StateFrames> states;
        try {
          states = reservoir->transform(features, 0, options, throttled(log, what.str()));
        } catch (const RunError& error) {  // e.g. thermal kicks drive a core out of the disk: the point fails, the sweep goes on
          SweepPoint failed{parameter, value, std::numeric_limits<double>::quiet_NaN(), 0.0, seconds_since(point_start),
                            error.what()};
          if (log) log(what.str() + ": failed: " + failed.failure);
          outcome.sweeps.push_back(failed);
          return;
        }
        TrainedStateReadout trained;
        const MethodOutcome m = evaluate_states(states, labels, classes, split, {}, e.readout, trained);
        SweepPoint point{parameter, value, m.validation_accuracy, reservoir->cost().device_steps_per_second(),
                         seconds_since(point_start), ""};
        if (log) log(what.str() + ": validation " + percent(point.validation_accuracy));
        outcome.sweeps.push_back(point);
      };
      for (int n : e.sweeps.nodes) sweep_point("nodes", n, e.vortex, n);
      for (double theta : e.sweeps.theta) {
        VortexNodeOptions v = e.vortex;
        v.node_duration = theta;
        sweep_point("theta_ns", theta * 1e9, v, e.nodes);
      }
      for (double temperature : e.sweeps.temperature) {
        VortexNodeOptions v = e.vortex;
        v.device.temperature = temperature;
        sweep_point("temperature_K", temperature, v, e.nodes);
      }
    }
  }
  outcome.wall_seconds = seconds_since(start);
  write_spoken_digit_outputs(e, outcome, files, labels, parts, out_dir);
  return outcome;
}

}  // namespace spinnet
