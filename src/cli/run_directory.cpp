// Run directories: default names, markers, refusal to overwrite, cleanup (run_directory.hpp).
#include "run_directory.hpp"

#include <filesystem>

#include "spinnet/core/errors.hpp"
#include "spinnet/rfnet/rf_experiment.hpp"
#include "spinnet/study/output.hpp"

namespace spinnet::cli {

namespace fs = std::filesystem;

namespace {

constexpr const char* marker_file = "spinnet-run.json";

/// Whether `directory` holds the results of a run of `document`: by its marker or, for a directory
/// of an older spinnet (no marker; the files read_run_directory resumes from), by the config its
/// checkpoint files kept. A simulation's checkpoint/config.json and a size study's size_study.json
/// hold the document itself, a training's checkpoint.json its resolved config (so that the main
/// job, tools/run_main.sh, runs again into the spinnet-out/ folder an older spinnet wrote).
bool holds_run_of(const std::string& directory, const json& document, const std::string& config_file) {
  if (const auto marker = read_run_marker(directory)) return marker->config == document;
  const fs::path dir(directory);
  try {
    if (fs::exists(dir / "checkpoint" / "config.json"))
      return load_json_file((dir / "checkpoint" / "config.json").string()) == document;
    if (fs::exists(dir / "size_study.json"))
      return load_json_file((dir / "size_study.json").string()).at("config") == document;
    if (fs::exists(dir / "checkpoint.json"))
      return load_json_file((dir / "checkpoint.json").string()).at("config") ==
             resolved_rf_config(read_rf_experiment(document, config_file));
  } catch (const std::exception&) {  // unreadable files, or a document of another kind: not this run
    return false;
  }
  return false;
}

}  // namespace

std::optional<RunMarker> read_run_marker(const std::string& directory) {
  const fs::path file = fs::path(directory) / marker_file;
  if (!fs::exists(file)) return std::nullopt;
  json m;
  try {
    m = load_json_file(file.string());
  } catch (const ConfigError& e) {
    throw RunError(std::string(e.what()) + " (a damaged run marker)");
  }
  if (!m.is_object() || m.value("format", "") != "spinnet-run" || !m.contains("kind") || !m["kind"].is_string() ||
      !m.contains("config"))
    throw RunError(file.string() + ": expected a spinnet run marker (format \"spinnet-run\", kind, config), got " +
                   describe(m));
  RunMarker marker;
  marker.kind = m["kind"].get<std::string>();
  marker.config_file = m.value("config_file", "");
  marker.config = m["config"];
  return marker;
}

void write_run_marker(const std::string& directory, const RunMarker& marker) {
  const json m = {{"format", "spinnet-run"}, {"kind", marker.kind}, {"config_file", marker.config_file},
                  {"config", marker.config}};
  write_file_atomically((fs::path(directory) / marker_file).string(), m.dump(1) + "\n");
}

std::string default_output_directory(const std::string& name, const std::string& suffix) {
  const fs::path root = fs::weakly_canonical(fs::absolute("spinnet-out"));
  const fs::path out = fs::path("spinnet-out") / (name + suffix);
  const fs::path resolved = fs::weakly_canonical(fs::absolute(out));
  if (resolved.parent_path() != root)
    throw RunError("name \"" + name + "\": the output folder " + out.string() + " resolves to " + resolved.string() +
                   ", outside spinnet-out/ (give --out DIR)");
  return out.string();
}

void check_output_directory(const std::string& directory, const json& document, const std::string& config_file,
                            const std::string& flag, bool force) {
  std::error_code ec;
  if (force || !fs::exists(directory, ec)) return;
  if (!fs::is_directory(directory, ec))
    throw RunError(flag + " " + directory + ": expected a directory, got an existing file");
  if (fs::is_empty(directory, ec) || holds_run_of(directory, document, config_file)) return;
  const auto marker = read_run_marker(directory);
  throw RunError(flag + " " + directory + ": expected a new or empty directory, or one holding a run of this config; " +
                 "it holds " + (marker ? "the results of another " + marker->kind + " config" +
                                             (marker->config_file.empty() ? "" : " (" + marker->config_file + ")")
                                       : std::string("other files")) +
                 ": give another --out, or --force to overwrite");
}

OutputDirectoryGuard::OutputDirectoryGuard(std::string directory) : directory_(std::move(directory)) {
  // The outermost folder this run will create (spinnet-out/ itself on a first run).
  std::error_code ec;
  existed_ = fs::exists(directory_, ec);
  for (fs::path p = fs::absolute(directory_, ec).lexically_normal(); !existed_ && p.has_parent_path() &&
                                                                     p != p.parent_path() && !fs::exists(p.parent_path(), ec);
       p = p.parent_path())
    directory_ = p.parent_path().string();
}

OutputDirectoryGuard::~OutputDirectoryGuard() {
  if (keep_) return;
  std::error_code ec;
  if (!existed_) fs::remove_all(directory_, ec);
}

}  // namespace spinnet::cli
