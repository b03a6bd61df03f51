#include "spinnet/study/scheduler.hpp"

#include <omp.h>

#include <algorithm>
#include <cstring>
#include <set>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "study/batch_record.hpp"
#include "engine/run_model.hpp"
#include "study/line_shape_measurement.hpp"
#include "spinnet/study/output.hpp"

#if defined(SPINNET_HAVE_CUDA)
#include "kernels/engine/device_query.hpp"
#endif

namespace spinnet {

namespace fs = std::filesystem;

namespace {

constexpr int checkpoint_format = 2;

/// Mid-batch snapshots (RunOptions::save_snapshot): the changing arrays of the k-th engine run of a
/// batch, after `step` steps. Format: "spinnet-snapshot 1\n", the step, the array count and each
/// array's byte size (uint64 each), then the arrays. Written atomically; a snapshot whose sizes do
/// not match the batch (another build or precision) is ignored.
constexpr char snapshot_magic[] = "spinnet-snapshot 1\n";

fs::path snapshot_file(const fs::path& dir, const BatchRange& b, int call) {
  return dir / ("partial-items-" + std::to_string(b.first_item) + "-" + std::to_string(b.end_item()) + "-" +
                std::to_string(call) + ".bin");
}

void save_snapshot(const fs::path& file, std::uint64_t step, const BatchArrays& arrays) {
  std::string data(snapshot_magic);
  auto put = [&data](std::uint64_t v) { data.append(reinterpret_cast<const char*>(&v), sizeof v); };
  put(step);
  put(arrays.size());
  for (const auto& [address, bytes] : arrays) put(bytes);
  for (const auto& [address, bytes] : arrays) data.append(static_cast<const char*>(address), bytes);
  try {
    write_file_atomically(file.string(), data);
  } catch (const RunError& e) {
    throw OutputWriteError(e.what());
  }
}

std::uint64_t restore_snapshot(const fs::path& file, const BatchArrays& arrays) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return 0;
  std::string magic(sizeof snapshot_magic - 1, '\0');
  in.read(magic.data(), static_cast<std::streamsize>(magic.size()));
  auto get = [&in] {
    std::uint64_t v = 0;
    in.read(reinterpret_cast<char*>(&v), sizeof v);
    return v;
  };
  if (!in || magic != snapshot_magic) return 0;
  const std::uint64_t step = get(), count = get();
  if (!in || count != arrays.size()) return 0;
  for (const auto& [address, bytes] : arrays)
    if (get() != bytes) return 0;
  std::vector<char> buffer;
  std::vector<std::vector<char>> contents;
  for (const auto& [address, bytes] : arrays) {
    contents.emplace_back(bytes);
    in.read(contents.back().data(), static_cast<std::streamsize>(bytes));
  }
  if (!in) return 0;  // truncated: start the batch afresh
  for (std::size_t k = 0; k < arrays.size(); ++k) std::memcpy(arrays[k].first, contents[k].data(), arrays[k].second);
  return step;
}

std::string read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw RunError("cannot read " + file.string());
  std::ostringstream text;
  text << in.rdbuf();
  if (!in.good() && !in.eof()) throw RunError("cannot read " + file.string());
  return text.str();
}

fs::path checkpoint_directory(const std::string& directory) { return fs::path(directory) / "checkpoint"; }

template <class V>
V slice_vector(const V& v, std::size_t first, std::size_t count) {
  if (v.empty()) return v;
  return V(v.begin() + static_cast<std::ptrdiff_t>(first), v.begin() + static_cast<std::ptrdiff_t>(first + count));
}

ToneInput slice_tone(const ToneInput& t, std::size_t first, std::size_t count) {
  return {slice_vector(t.amplitude_x, first, count), slice_vector(t.amplitude_y, first, count),
          slice_vector(t.amplitude_z, first, count), slice_vector(t.frequency, first, count),
          slice_vector(t.phase, first, count)};
}

/// Positions in traced_units(config) of the units in [first, first + count), in list order.
std::vector<std::uint64_t> traced_in(const RunConfig& config, std::size_t first, std::size_t count) {
  std::vector<std::uint64_t> positions;
  const std::vector<std::uint32_t> units = traced_units(config);
  for (std::size_t k = 0; k < units.size(); ++k)
    if (units[k] >= first && units[k] < first + count) positions.push_back(k);
  return positions;
}

template <class Model>
std::uint64_t model_bytes_per_device(const RunConfig& config, std::uint64_t devices_per_engine_device) {
  RunControl control = config.control;
  control.trace_devices.clear();
  const std::uint64_t tones = config.drive.vector_tones.size() + config.drive.current_tones.size();
  std::uint64_t bytes =
      detail::estimated_bytes<Model>(1, tones, config.drive.schedule.values.size(), control) / devices_per_engine_device;
  if (config.spectrum.enabled) {
    // Every device's signal is traced (state and signal, twice: batch and result) and copied once more.
    const std::uint64_t samples = config.control.steps / config.spectrum.sample_every;
    bytes += samples * (2 * (sizeof(typename Model::template State<double>) + 8) + 8);
  }
  // The config's own copy of the device and its slice.
  return bytes + 2 * sizeof(typename Model::Parameters) / devices_per_engine_device;
}

std::size_t threads_of(const RunOptions& options) {
  return static_cast<std::size_t>(options.threads > 0 ? options.threads : omp_get_max_threads());
}

std::uint64_t available_host_memory() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key, unit;
  std::uint64_t kib = 0;
  while (meminfo >> key >> kib >> unit)
    if (key == "MemAvailable:") return kib * 1024;
  return std::uint64_t{4} << 30;
}

json plan_json(const CheckpointPlan& plan) {
  return json{{"format", checkpoint_format},
              {"config_file", plan.config_file},
              {"config_hash", plan.config_hash},
              {"items", plan.items},
              {"devices_per_item", plan.devices_per_item},
              {"items_per_batch", plan.items_per_batch},
              {"shard", plan.shard},
              {"shards", plan.shards},
              {"mpi", plan.mpi}};
}

/// Checkpoint files of a run directory by item range.
std::vector<std::pair<BatchRange, fs::path>> list_batches(const std::string& directory) {
  std::vector<std::pair<BatchRange, fs::path>> out;
  const fs::path dir = checkpoint_directory(directory);
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    unsigned long long first = 0, end = 0;
    char tail = 0;
    if (std::sscanf(name.c_str(), "items-%llu-%llu.bi%c", &first, &end, &tail) == 3 && tail == 'n' &&
        name == detail::batch_file_name({first, end - first}) && end > first)
      out.push_back({BatchRange{first, end - first}, entry.path()});
  }
  if (ec) throw RunError("cannot list checkpoint directory " + dir.string() + ": " + ec.message());
  return out;
}

}  // namespace

std::uint64_t config_hash(const json& document) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : document.dump()) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::vector<std::uint32_t> traced_units(const RunConfig& config) {
  // Every traced device is traced on its own (the oscillators of a network too).
  return config.control.trace_devices;
}

WorkLayout work_layout(const RunConfig& config) {
  WorkLayout layout;
  layout.points = config.sweep.points;
  const SweepPlan& s = config.sweep;
  if (s.instances >= 1 && s.devices_per_instance >= 1 && s.instances * s.devices_per_instance == s.devices_per_point) {
    layout.instances = s.instances;
    layout.devices_per_item = s.devices_per_instance;
  } else {
    layout.instances = 1;
    layout.devices_per_item = s.devices_per_point;
  }
  return layout;
}

std::size_t cpu_batch_devices(const BatchSizing& sizing, int threads, std::size_t simd_lanes) {
  const std::uint64_t floor_devices = static_cast<std::uint64_t>(std::max(threads, 1)) * simd_lanes;
  std::uint64_t devices = std::max<std::uint64_t>(4 * floor_devices, 65536);
  devices = std::min(devices, sizing.memory_budget / std::max<std::uint64_t>(sizing.bytes_per_device, 1));
  devices = std::min(devices, static_cast<std::uint64_t>(sizing.max_device_steps /
                                                         static_cast<double>(std::max<std::uint64_t>(sizing.steps, 1))));
  return static_cast<std::size_t>(std::max(devices, floor_devices));
}

std::size_t cuda_batch_devices(const BatchSizing& sizing, std::uint64_t free_bytes, int multiprocessors) {
  std::uint64_t devices = static_cast<std::uint64_t>(std::max(multiprocessors, 1)) * 2048 * 8;
  devices = std::min(devices, free_bytes / 10 * 8 / std::max<std::uint64_t>(sizing.bytes_per_device, 1));
  devices = std::min(devices, static_cast<std::uint64_t>(sizing.max_device_steps /
                                                         static_cast<double>(std::max<std::uint64_t>(sizing.steps, 1))));
  return static_cast<std::size_t>(std::max<std::uint64_t>(devices, 128));  // one thread block
}

BatchRange shard_range(std::size_t items, std::size_t shard, std::size_t shards) {
  const auto edge = [&](std::size_t k) {
    return static_cast<std::size_t>(static_cast<unsigned __int128>(items) * k / shards);
  };
  return {edge(shard), edge(shard + 1) - edge(shard)};
}

std::vector<BatchRange> plan_batches(const BatchRange& range, std::size_t items_per_batch) {
  std::vector<BatchRange> batches;
  const std::size_t per = std::max<std::size_t>(items_per_batch, 1);
  for (std::size_t first = range.first_item; first < range.end_item(); first += per)
    batches.push_back({first, std::min(per, range.end_item() - first)});
  return batches;
}

RunConfig slice_config(const RunConfig& config, std::size_t first, std::size_t count) {
  RunConfig s;
  s.name = config.name;
  s.model = config.model;
  s.control = config.control;
  const std::size_t group = config.group_size();
  // Noise is keyed by global device id first + i (a network's oscillators: network * size + j).
  s.control.first_device_id = config.control.first_device_id + static_cast<std::uint32_t>(first);
  s.control.trace_devices.clear();
  for (std::uint32_t d : config.control.trace_devices)
    if (d >= first && d < first + count) s.control.trace_devices.push_back(static_cast<std::uint32_t>(d - first));
  for (const ToneInput& t : config.drive.vector_tones) s.drive.vector_tones.push_back(slice_tone(t, first, count));
  for (const ToneInput& t : config.drive.current_tones) s.drive.current_tones.push_back(slice_tone(t, first, count));
  s.drive.schedule.kind = config.drive.schedule.kind;
  s.drive.schedule.interval = config.drive.schedule.interval;
  for (const auto& sample : config.drive.schedule.values) s.drive.schedule.values.push_back(slice_vector(sample, first, count));
  s.macrospin = slice_vector(config.macrospin, first, count);
  s.auto_oscillator = slice_vector(config.auto_oscillator, first, count);
  s.vortex = slice_vector(config.vortex, first, count);
  s.sweep.points = 1;
  s.sweep.instances = 1;
  s.sweep.devices_per_instance = s.sweep.devices_per_point = count;
  if (config.network.enabled) s.network = slice_network_plan(config.network, first / group, count / group);
  s.spectrum = config.spectrum;
  // Spectrum rows are devices, or networks (their summed signal).
  const std::size_t first_row = config.spectrum.per_network ? first / group : first;
  s.spectrum.saved_spectra = config.spectrum.saved_spectra > first_row ? config.spectrum.saved_spectra - first_row : 0;
  s.locking = config.locking;
  return s;
}

std::uint64_t bytes_per_device(const RunConfig& config) {
  if (config.network.enabled) return network_bytes_per_oscillator(config);  // network_experiment.cpp
  switch (config.model) {
    case ModelKind::macrospin: return model_bytes_per_device<MacrospinModel>(config, 1);
    case ModelKind::vortex: return model_bytes_per_device<VortexModel>(config, 1);
    case ModelKind::auto_oscillator: break;
  }
  return model_bytes_per_device<AutoOscillatorModel>(config, 1);
}

std::size_t choose_batch_items(const RunConfig& config, const RunOptions& options) {
  const WorkLayout layout = work_layout(config);
  BatchSizing sizing;
  sizing.bytes_per_device = bytes_per_device(config);
  sizing.steps = config.control.steps;
  std::size_t devices = 0;
  if (uses_cuda(options.backend)) {
#if defined(SPINNET_HAVE_CUDA)
    const cuda::DeviceMemory gpu = cuda::device_memory();
    sizing.max_device_steps = 2e12;  // about a minute on a large GPU
    devices = cuda_batch_devices(sizing, gpu.free_bytes, gpu.multiprocessors);
#endif
  } else {
    sizing.memory_budget = available_host_memory() / 4;
    const std::size_t lanes = config.control.precision == Precision::float32 ? 16 : 8;
    devices = cpu_batch_devices(sizing, static_cast<int>(threads_of(options)), lanes);
  }
  // Whole items, and whole networks of coupled oscillators.
  std::size_t items = std::max<std::size_t>(1, devices / layout.devices_per_item);
  const std::size_t group = config.group_size();
  if (layout.devices_per_item % group != 0) items = layout.items();  // items split networks: one batch
  return std::min(items, layout.items());
}

namespace {

template <class Model>
void check_model_memory(const RunConfig& config, std::uint64_t devices) {
  detail::check_host_memory(detail::estimated_bytes<Model>(
      devices, config.drive.vector_tones.size() + config.drive.current_tones.size(),
      config.drive.schedule.values.size(), config.control));
}

}  // namespace

void check_study_memory(const RunConfig& config) {
  const std::uint64_t devices = work_layout(config).devices_per_item;
  if (config.network.enabled) {  // coupled networks (the legacy coupling section included)
    detail::check_host_memory(devices * network_bytes_per_oscillator(config));
    return;
  }
  switch (config.model) {
    case ModelKind::macrospin: return check_model_memory<MacrospinModel>(config, devices);
    case ModelKind::vortex: return check_model_memory<VortexModel>(config, devices);
    case ModelKind::auto_oscillator: return check_model_memory<AutoOscillatorModel>(config, devices);
  }
}

CheckpointPlan read_checkpoint_plan(const std::string& directory) {
  const fs::path dir = checkpoint_directory(directory);
  const fs::path plan_file = dir / "plan.json";
  if (!fs::exists(plan_file))
    throw RunError("cannot resume " + directory + ": " + plan_file.string() +
                   " does not exist (not a spinnet run directory, or the run never started)");
  CheckpointPlan plan;
  try {
    const json p = json::parse(read_file(plan_file));
    if (p.at("format").get<int>() != checkpoint_format)
      throw RunError(plan_file.string() + ": checkpoint format " + p.at("format").dump() + ", this spinnet reads " +
                     std::to_string(checkpoint_format));
    plan.config_file = p.at("config_file").get<std::string>();
    plan.config_hash = p.at("config_hash").get<std::uint64_t>();
    plan.items = p.at("items").get<std::size_t>();
    plan.devices_per_item = p.at("devices_per_item").get<std::size_t>();
    plan.items_per_batch = p.at("items_per_batch").get<std::size_t>();
    plan.shard = p.at("shard").get<std::size_t>();
    plan.shards = p.at("shards").get<std::size_t>();
    plan.mpi = p.at("mpi").get<bool>();
    if (plan.shards == 0 || plan.shard >= plan.shards || plan.items_per_batch == 0)
      throw RunError(plan_file.string() + ": shard " + std::to_string(plan.shard) + " of " +
                     std::to_string(plan.shards) + ", " + std::to_string(plan.items_per_batch) +
                     " items per batch: not a valid plan");
    plan.document = json::parse(read_file(dir / "config.json"));
  } catch (const json::exception& e) {
    throw RunError("cannot resume " + directory + ": " + dir.string() + " holds a damaged plan.json or config.json (" +
                   e.what() + ")");
  }
  if (config_hash(plan.document) != plan.config_hash)
    throw RunError("cannot resume " + directory + ": " + (dir / "config.json").string() +
                   " does not match the hash in plan.json");
  return plan;
}

namespace detail {

/// Clears `directory`/checkpoint and writes its plan (the config as given and the batch layout).
void start_checkpoint(const CheckpointPlan& plan, const std::string& directory) {
  const fs::path dir = checkpoint_directory(directory);
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir, ec);
  if (ec) throw OutputWriteError("cannot create checkpoint directory " + dir.string() + ": " + ec.message());
  try {
    write_file_atomically((dir / "config.json").string(), plan.document.dump(1) + "\n");
    write_file_atomically((dir / "plan.json").string(), plan_json(plan).dump(1) + "\n");
  } catch (const RunError& e) {
    throw OutputWriteError(e.what());
  }
  sync_directory(dir.string());
}

/// Runs the batches of shard plan.shard that the checkpoint does not hold yet.
StudyOutcome run_shard(const RunConfig& config, const std::string& directory, const CheckpointPlan& plan,
                       const StudyOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const fs::path dir = checkpoint_directory(directory);
  const std::size_t per_item = plan.devices_per_item;
  const std::vector<BatchRange> batches =
      plan_batches(shard_range(plan.items, plan.shard, plan.shards), plan.items_per_batch);
  // Temporary files of a killed run are incomplete by construction. Only this shard's are removed:
  // under mpirun the other ranks write theirs into the same directory at the same time.
  std::set<std::string> own_records;
  for (const BatchRange& b : batches) own_records.insert(batch_file_name(b));
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    const auto tmp = name.find(".tmp.");
    if (tmp == std::string::npos) continue;
    const std::string target = name.substr(0, tmp);
    bool own = own_records.count(target) > 0;
    for (const BatchRange& b : batches)  // a snapshot being written (snapshot_file)
      own = own || target.rfind("partial-items-" + std::to_string(b.first_item) + "-" + std::to_string(b.end_item()) + "-",
                                0) == 0;
    if (own) fs::remove(entry.path(), ec);
  }
  StudyOutcome outcome;
  outcome.batches_total = batches.size();
  StudyProgress progress;
  progress.batches_total = batches.size();
  for (const BatchRange& b : batches) progress.items_total += b.items;
  std::size_t finished = 0;
  auto report = [&](double within_batch, std::size_t batch_items) {
    if (!options.progress) return;
    progress.fraction = progress.items_total == 0
                            ? 1.0
                            : (static_cast<double>(progress.items_done) + within_batch * static_cast<double>(batch_items)) /
                                  static_cast<double>(progress.items_total);
    // 100 % only once the last batch is on disk: a batch whose steps are done is still being
    // measured and written ("batch 0/1" at 100 % said otherwise).
    if (progress.batches_done < progress.batches_total) progress.fraction = std::min(progress.fraction, 0.999);
    options.progress(progress);
  };
  for (const BatchRange& b : batches) {
    const fs::path file = dir / batch_file_name(b);
    if (fs::exists(file)) {
      ++outcome.batches_skipped;
      ++finished;
      progress.items_done += b.items;
      progress.batches_done = finished;
      continue;
    }
    if (options.interrupted && options.interrupted()) break;
    const std::size_t first = b.first_item * per_item, count = b.items * per_item;
    const RunConfig slice = slice_config(config, first, count);
    RunOptions run = options.run;
    run.progress = [&](double f) { report(f, b.items); };
    run.interrupted = options.interrupted;
    // The k-th engine run of this batch (a measurement may run the engine more than once) keeps
    // its own snapshot; the counter restarts with each batch.
    int call = -1;
    run.snapshot_seconds = options.snapshot_seconds;
    run.restore_snapshot = [&](const BatchArrays& arrays) {
      ++call;
      return restore_snapshot(snapshot_file(dir, b, call), arrays);
    };
    run.save_snapshot = [&](std::uint64_t step, const BatchArrays& arrays) {
      save_snapshot(snapshot_file(dir, b, call), step, arrays);
    };
    ExperimentResult result;
    try {
      result = run_experiment(slice, run);
    } catch (const RunInterrupted&) {
      break;  // the batch's snapshot and every finished batch are on disk
    }
    outcome.engine_seconds += result.wall_seconds;
    BatchRecord record;
    record.range = b;
    record.first_device = first;
    record.devices = count;
    record.backend = result.backend;
    record.wall_seconds = result.wall_seconds;
    record.device_steps = static_cast<double>(count) * static_cast<double>(config.control.steps);
    for (auto& [name, values] : result.observables) record.observables.emplace_back(name, std::move(values));
    const std::vector<std::uint64_t> traced = traced_in(config, first, count);
    bool trace_fits = !result.trace_time.empty() && !traced.empty();
    for (const auto& column : result.trace_values)
      trace_fits = trace_fits && column.size() == result.trace_time.size() * traced.size();
    if (trace_fits) {
      record.trace_time = result.trace_time;
      record.trace_index = traced;
      record.trace_columns = result.trace_columns;
      record.trace_values = std::move(result.trace_values);
    }
    record.spectrum_frequency = std::move(result.spectrum_frequency);
    record.first_spectrum_row = config.spectrum.per_network ? first / config.group_size() : first;
    record.spectrum_density = std::move(result.spectrum_density);
    record.network_trace_time = std::move(result.network_trace_time);
    record.first_network = first / config.group_size();
    record.network_trace_columns = std::move(result.network_trace_columns);
    record.network_trace_values = std::move(result.network_trace_values);
    try {
      write_file_atomically(file.string(), encode_batch(record));
    } catch (const RunError& e) {
      throw OutputWriteError(std::string(e.what()) + "; the " + std::to_string(finished) +
                             " finished batches are kept: free space, then resume with: spinnet run --resume " +
                             directory);
    }
    sync_directory(dir.string());
    for (int k = 0; k <= std::max(call, 0); ++k) fs::remove(snapshot_file(dir, b, k), ec);
    ++outcome.batches_run;
    ++finished;
    progress.items_done += b.items;
    progress.batches_done = finished;
    report(0, 0);
  }
  outcome.complete = finished == batches.size();
  outcome.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return outcome;
}

}  // namespace detail

StudyOutcome run_study(const json& document, const std::string& config_file, const RunConfig& config,
                       const std::string& directory, const StudyOptions& options) {
  const WorkLayout layout = work_layout(config);
  CheckpointPlan plan;
  if (options.resume) {
    plan = read_checkpoint_plan(directory);
    if (plan.config_hash != config_hash(document) || plan.items != layout.items() ||
        plan.devices_per_item != layout.devices_per_item)
      throw RunError("cannot resume " + directory + ": its checkpoint is of another config");
  } else {
    plan.document = document;
    plan.config_file = config_file;
    plan.config_hash = config_hash(document);
    plan.items = layout.items();
    plan.devices_per_item = layout.devices_per_item;
    plan.items_per_batch = options.batch_items > 0 ? options.batch_items : choose_batch_items(config, options.run);
    plan.shard = options.shard;
    plan.shards = options.shards;
    detail::start_checkpoint(plan, directory);
  }
  const auto start = std::chrono::steady_clock::now();
  StudyOutcome outcome = detail::run_shard(config, directory, plan, options);
  if (outcome.complete && plan.shards == 1 && options.write_results)
    assemble_results({directory}, directory, plan.document, plan.config_file, config);
  outcome.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return outcome;
}

void assemble_results(const std::vector<std::string>& run_directories, const std::string& out_directory,
                      const json& document, const std::string& config_file, const RunConfig& config) {
  const WorkLayout layout = work_layout(config);
  const std::uint64_t hash = config_hash(document);
  // Every batch of every directory, by first item.
  std::map<std::size_t, std::pair<BatchRange, fs::path>> batches;
  for (const std::string& directory : run_directories) {
    const CheckpointPlan plan = read_checkpoint_plan(directory);
    if (plan.config_hash != hash)
      throw RunError("cannot merge " + directory + ": its checkpoint is of another config than " +
                     run_directories.front());
    for (const auto& [range, file] : list_batches(directory)) batches.emplace(range.first_item, std::pair{range, file});
  }
  std::size_t next = 0;
  for (const auto& [first, batch] : batches) {
    if (first != next) {
      if (first > next)
        throw RunError("results are incomplete: work items " + std::to_string(next) + " to " + std::to_string(first - 1) +
                       " are in no checkpoint of " + run_directories.front() +
                       (run_directories.size() > 1 ? " and the other shards" : "") + "; resume or run the missing shard");
      throw RunError("checkpoint " + batch.second.string() + " overlaps another batch (item " + std::to_string(first) +
                     "); the directories hold batches of different runs");
    }
    next = batch.first.end_item();
  }
  if (next != layout.items())
    throw RunError("results are incomplete: work items " + std::to_string(next) + " to " +
                   std::to_string(layout.items() - 1) + " are in no checkpoint; resume or run the missing shard");

  ExperimentResult all;
  const std::size_t n = layout.devices();
  const std::size_t traced = traced_units(config).size();
  std::vector<std::string> backends;
  double device_steps = 0;
  bool first_batch = true;
  for (const auto& [first, batch] : batches) {
    detail::BatchRecord r = detail::decode_batch(read_file(batch.second), batch.second.string());
    if (r.range.first_item != batch.first.first_item || r.range.items != batch.first.items ||
        r.devices != batch.first.items * layout.devices_per_item)
      throw RunError("checkpoint file " + batch.second.string() + " holds other items than its name says");
    if (first_batch) {
      for (const auto& [name, values] : r.observables) all.observables[name].reserve(n);
    }
    if (r.observables.size() != all.observables.size())
      throw RunError("checkpoint file " + batch.second.string() + " holds other observables than the first batch");
    for (auto& [name, values] : r.observables) {
      auto it = all.observables.find(name);
      if (it == all.observables.end())
        throw RunError("checkpoint file " + batch.second.string() + " holds observable " + name + " that others lack");
      it->second.insert(it->second.end(), values.begin(), values.end());
    }
    if (!r.trace_time.empty()) {
      if (all.trace_time.empty()) {
        all.trace_time = r.trace_time;
        all.trace_columns = r.trace_columns;
        all.trace_values.assign(r.trace_columns.size(), std::vector<double>(r.trace_time.size() * traced));
      }
      const std::size_t local = r.trace_index.size();
      for (std::size_t c = 0; c < std::min(r.trace_values.size(), all.trace_values.size()); ++c)
        for (std::size_t s = 0; s < r.trace_time.size(); ++s)
          for (std::size_t j = 0; j < local; ++j)
            all.trace_values[c][s * traced + r.trace_index[j]] = r.trace_values[c][s * local + j];
    }
    if (!r.network_trace_time.empty()) {
      const std::size_t networks = n / config.group_size(), local = r.devices / config.group_size();
      if (all.network_trace_time.empty()) {
        all.network_trace_time = r.network_trace_time;
        all.network_trace_columns = r.network_trace_columns;
        all.network_trace_values.assign(r.network_trace_columns.size(),
                                        std::vector<double>(r.network_trace_time.size() * networks));
      }
      for (std::size_t c = 0; c < std::min(r.network_trace_values.size(), all.network_trace_values.size()); ++c)
        for (std::size_t s = 0; s < r.network_trace_time.size(); ++s)
          for (std::size_t g = 0; g < local; ++g)
            all.network_trace_values[c][s * networks + r.first_network + g] = r.network_trace_values[c][s * local + g];
    }
    if (!r.spectrum_density.empty()) {
      if (all.spectrum_frequency.empty()) all.spectrum_frequency = r.spectrum_frequency;
      all.spectrum_per_network = config.spectrum.per_network;
      const std::size_t rows =
          std::min(config.spectrum.saved_spectra, config.spectrum.per_network ? n / config.group_size() : n);
      all.spectrum_density.resize(rows);
      for (std::size_t k = 0; k < r.spectrum_density.size() && r.first_spectrum_row + k < rows; ++k)
        all.spectrum_density[r.first_spectrum_row + k] = std::move(r.spectrum_density[k]);
    }
    if (std::find(backends.begin(), backends.end(), r.backend) == backends.end()) backends.push_back(r.backend);
    all.wall_seconds += r.wall_seconds;
    device_steps += r.device_steps;
    first_batch = false;
  }
  for (std::size_t k = 0; k < backends.size(); ++k) all.backend += (k ? ", " : "") + backends[k];
  all.device_steps_per_second = device_steps / std::max(all.wall_seconds, 1e-12);
  // The line-shape fit needs every frequency of a line, so it runs on the assembled results
  // (slices do not carry it).
  if (config.line_shape.enabled) measure_line_shape(config, all);  // spin_diode_experiment.cpp
  write_experiment(out_directory, config, all, config_file);
}

void merge_shards(const std::vector<std::string>& run_directories, const std::string& out_directory) {
  if (run_directories.empty()) throw RunError("spinnet merge: no shard directories given");
  const CheckpointPlan plan = read_checkpoint_plan(run_directories.front());
  const RunConfig config = read_run_config(plan.document, plan.config_file);
  prepare_output_directory(out_directory);
  assemble_results(run_directories, out_directory, plan.document, plan.config_file, config);
}

}  // namespace spinnet
