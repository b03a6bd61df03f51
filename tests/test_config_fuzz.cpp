// Randomized mutation fuzzing of the config loader over every example config in configs/: keys
// deleted and inserted, types changed, extreme numbers, NaN/inf spellings, broken distributions
// and sweeps, truncated text, random bytes, deep nesting and huge arrays. For every input:
//   - no crash (a signal handler names the seed and iteration that crashed),
//   - no hang (each input is handled within a time limit),
//   - every rejection is a ConfigError with a non-empty path and a one-line message,
//   - validate_config and read_run_config agree on whether the config is valid.
// The run is deterministic for a given seed: SPINNET_FUZZ_SEED=S SPINNET_FUZZ_ITERATION=K replays
// one input. SPINNET_FUZZ_SECONDS sets the time budget (default 20 s under ctest); a deeper run:
//   SPINNET_FUZZ_SECONDS=600 ./build/tests/test_config_fuzz
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <future>
#include <random>
#include <string>
#include <unistd.h>
#include <vector>

#include "cli_helpers.hpp"
#include "spinnet/config/config_schema.hpp"
#include "spinnet/config/run_config.hpp"

namespace spinnet {
namespace {

volatile std::sig_atomic_t current_iteration = -1;
std::uint64_t current_seed = 0;

extern "C" void report_crash(int signal) {
  char text[160];
  const int n = std::snprintf(text, sizeof text,
                              "\nconfig fuzz: signal %d at SPINNET_FUZZ_SEED=%llu SPINNET_FUZZ_ITERATION=%d\n", signal,
                              static_cast<unsigned long long>(current_seed), static_cast<int>(current_iteration));
  if (n > 0) [[maybe_unused]] auto written = ::write(STDERR_FILENO, text, static_cast<std::size_t>(n));
  std::signal(signal, SIG_DFL);
  std::raise(signal);
}

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
  const char* value = std::getenv(name);
  return value ? std::strtoull(value, nullptr, 10) : fallback;
}

/// The example configs, shrunk to at most ~1e4 devices so that an accepted input reads quickly
/// (the loader's speed on large studies is measured in bench/config_expansion_bench).
std::vector<json> seed_corpus() {
  std::vector<json> corpus;
  for (const auto& file : test::example_configs()) {
    json config = load_json_file(file.string());
    if (config.contains("instances")) config["instances"] = 2;
    if (config.contains("devices") && config["devices"].contains("count") &&
        config["devices"]["count"].get<double>() > 100)
      config["devices"]["count"] = 100;
    corpus.push_back(std::move(config));
  }
  return corpus;
}

/// Every key name the schema knows, plus a few near misses: material for inserted keys.
std::vector<std::string> key_dictionary() {
  std::vector<std::string> keys = {"", "x", "values", "normal", "std", "Values", "count ", "ALPHA", "\xff\xfe"};
  std::function<void(const json&)> walk = [&](const json& node) {
    if (node.is_object()) {
      if (node.contains("properties"))
        for (const auto& [key, unused] : node.at("properties").items()) keys.push_back(key);
      for (const auto& [key, child] : node.items()) walk(child);
    } else if (node.is_array()) {
      for (const auto& child : node) walk(child);
    }
  };
  walk(config_schema());
  return keys;
}

/// JSON pointers to every value in a document.
void pointers(const json& node, const json::json_pointer& at, std::vector<json::json_pointer>& out) {
  out.push_back(at);
  if (node.is_object())
    for (const auto& [key, child] : node.items()) pointers(child, at / key, out);
  else if (node.is_array())  // the first elements of a long array stand for the rest
    for (std::size_t k = 0; k < std::min<std::size_t>(node.size(), 16); ++k) pointers(node[k], at / k, out);
}

std::string dump(const json& doc) { return doc.dump(-1, ' ', false, json::error_handler_t::replace); }

class Mutator {
 public:
  Mutator(std::uint64_t seed, const std::vector<std::string>& keys) : rng_(seed), keys_(keys) {}

  std::size_t below(std::size_t n) { return n == 0 ? 0 : std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_); }
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }

  json extreme_number() {
    static const std::vector<json> values = {
        json(0), json(-0.0), json(-1), json(0.5), json(1), json(2), json(1e308), json(-1e308), json(5e-324),
        json(1e-320), json(4294967295u), json(4294967296u), json(9007199254740993u), json(18446744073709551615u),
        json(std::numeric_limits<std::int64_t>::min()), json(1e19), json(3e9), json(-3e9), json(1e-30), json(123.456)};
    return values[below(values.size())];
  }

  json random_value(int depth = 0) {
    switch (below(depth > 2 ? 5 : 8)) {
      case 0: return nullptr;
      case 1: return chance(0.5);
      case 2: {
        static const std::vector<std::string> strings = {"", "NaN", "inf", "-Infinity", "1e999", "macrospin",
                                                         "from_field", "polarizer", "held", "devices.current_mA"};
        return strings[below(strings.size())];
      }
      case 3:
      case 4: return extreme_number();
      case 5: {
        json a = json::array();
        for (std::size_t k = below(5); k > 0; --k) a.push_back(random_value(depth + 1));
        return a;
      }
      case 6: return random_distribution();
      default: {
        json o = json::object();
        for (std::size_t k = below(4); k > 0; --k) o[keys_[below(keys_.size())]] = random_value(depth + 1);
        return o;
      }
    }
  }

  json random_distribution() {
    static const std::vector<std::string> kinds = {"normal", "truncated_normal", "lognormal", "uniform", "values",
                                                   "gaussian"};
    static const std::vector<std::string> parameters = {"mean", "std", "relative_std", "min", "max", "median", "sigma"};
    const std::string kind = kinds[below(kinds.size())];
    json spec;
    if (kind == "values") {
      spec = json::array();
      for (std::size_t k = below(4); k > 0; --k) spec.push_back(chance(0.8) ? json(extreme_number()) : random_value(2));
    } else {
      spec = json::object();
      for (const auto& p : parameters)
        if (chance(0.45)) spec[p] = chance(0.85) ? extreme_number() : random_value(2);
    }
    return json{{kind, spec}};
  }

  /// One structural mutation of `doc` (in place).
  void mutate(json& doc) {
    std::vector<json::json_pointer> all;
    pointers(doc, json::json_pointer(), all);
    const json::json_pointer at = all[below(all.size())];
    json& node = doc[at];
    switch (below(9)) {
      case 0:  // delete a key or an element
        if (!at.empty()) {
          json& parent = doc[at.parent_pointer()];
          if (parent.is_object()) parent.erase(at.back());
          else if (parent.is_array() && !parent.empty()) parent.erase(parent.begin() + static_cast<std::ptrdiff_t>(below(parent.size())));
        }
        break;
      case 1:  // insert a key
        if (node.is_object()) node[keys_[below(keys_.size())]] = random_value();
        else if (node.is_array()) node.push_back(random_value());
        break;
      case 2: node = random_value(); break;  // change the type
      case 3: node = extreme_number(); break;
      case 4: node = random_distribution(); break;
      case 5: {  // a sweep axis over a random path of the document, or a made-up one
        std::string path = "devices";
        if (chance(0.7)) {
          const auto target = all[below(all.size())].to_string();
          path.clear();
          for (char c : target) path += c == '/' ? '.' : c;
          if (!path.empty() && path[0] == '.') path.erase(0, 1);
        }
        json axis = {{"path", path}};
        if (chance(0.5)) axis["values"] = json::array({extreme_number(), extreme_number()});
        else axis[chance(0.5) ? "linear" : "log"] = {{"start", extreme_number()}, {"stop", extreme_number()}, {"count", below(5)}};
        if (!doc.is_object()) break;
        if (!doc["sweep"].is_object()) doc["sweep"] = json::object();
        if (!doc["sweep"]["axes"].is_array()) doc["sweep"]["axes"] = json::array();
        doc["sweep"]["axes"].push_back(axis);
        break;
      }
      case 6:  // instances and seeds
        if (doc.is_object()) doc[chance(0.5) ? "instances" : "seed"] = chance(0.5) ? extreme_number() : json(below(4));
        break;
      case 7: {  // a huge array
        json big = json::array();
        const std::size_t n = chance(0.9) ? 1000 : chance(0.8) ? 20000 : 200000;
        const json item = chance(0.5) ? json(1.5) : random_value(2);
        for (std::size_t k = 0; k < n; ++k) big.push_back(item);
        node = chance(0.5) ? big : json{{"values", big}};
        break;
      }
      default:  // duplicate an array element or grow a list
        if (node.is_array() && !node.empty()) node.push_back(node[below(node.size())]);
        else node = json{{"values", json::array({node, node})}};
        break;
    }
  }

  /// A text-level mutation: truncation, random bytes, NaN/inf literals, or deep nesting.
  std::string mutate_text(const json& doc) {
    switch (below(4)) {
      case 0: {
        std::string text = dump(doc);
        return text.substr(0, below(text.size() + 1));
      }
      case 1: {
        std::string text = doc.dump(chance(0.5) ? 2 : -1, ' ', false, json::error_handler_t::replace);
        for (std::size_t k = 1 + below(4); k > 0; --k) {
          const char byte = static_cast<char>(below(256));
          if (chance(0.5) && !text.empty()) text[below(text.size())] = byte;
          else text.insert(below(text.size() + 1), 1, byte);
        }
        return text;
      }
      case 2: {  // replace a value by a non-finite or out-of-range literal
        static const std::vector<std::string> literals = {"NaN", "Infinity", "-Infinity", "1e999", "-1e999", "nan",
                                                          "1e-999", "0x10", "01", "+1", "1.", ".5"};
        std::vector<json::json_pointer> all;
        pointers(doc, json::json_pointer(), all);
        json marked = doc;
        marked[all[below(all.size())]] = "@@literal@@";
        std::string text = dump(marked);
        const auto pos = text.find("\"@@literal@@\"");
        if (pos != std::string::npos) text.replace(pos, 13, literals[below(literals.size())]);
        return text;
      }
      default: {  // deep nesting at a random value
        std::vector<json::json_pointer> all;
        pointers(doc, json::json_pointer(), all);
        json marked = doc;
        marked[all[below(all.size())]] = "@@deep@@";
        std::string text = dump(marked);
        const std::size_t depth = chance(0.5) ? 200 : 100000;
        const bool objects = chance(0.5);
        std::string deep;
        deep.reserve(depth * 8);
        for (std::size_t k = 0; k < depth; ++k) deep += objects ? "{\"a\":" : "[";
        deep += "1";
        for (std::size_t k = 0; k < depth; ++k) deep += objects ? "}" : "]";
        const auto pos = text.find("\"@@deep@@\"");
        if (pos != std::string::npos) text.replace(pos, 10, deep);
        return text;
      }
    }
  }

 private:
  std::mt19937_64 rng_;
  const std::vector<std::string>& keys_;
};

struct Outcome {
  bool accepted = false;
  std::string failure;  // non-empty: the input broke a rule
};

bool one_line(const std::string& s) { return !s.empty() && s.find('\n') == std::string::npos; }

/// Reads one input as spinnet does (text -> JSON -> validate -> read) and checks the rules.
Outcome handle(const std::string& text) {
  Outcome out;
  json config;
  try {
    config = parse_json_text(text, "fuzz.json");
  } catch (const ConfigError& e) {
    if (e.path().empty() || !one_line(e.what())) out.failure = std::string("bad parse error: ") + e.what();
    return out;
  } catch (const std::exception& e) {
    out.failure = std::string("parse threw a non-ConfigError: ") + e.what();
    return out;
  }
  std::vector<ConfigProblem> problems;
  try {
    problems = validate_config(config, "fuzz.json");
  } catch (const std::exception& e) {
    out.failure = std::string("validate_config threw: ") + e.what();
    return out;
  }
  for (const auto& p : problems)
    if (p.path.empty() || !one_line(p.message)) out.failure = "problem without path or on several lines: " + p.message;
  try {
    const RunConfig run = read_run_config(config, "fuzz.json");
    out.accepted = true;
    if (!problems.empty()) out.failure = "read_run_config accepted what validate_config rejects: " + problems[0].message;
  } catch (const ConfigError& e) {
    if (e.path().empty() || !one_line(e.what())) out.failure = std::string("rejection without path or one line: ") + e.what();
    if (problems.empty()) out.failure = std::string("validate_config accepted what read_run_config rejects: ") + e.what();
  } catch (const std::exception& e) {
    out.failure = std::string("read_run_config threw a non-ConfigError: ") + e.what();
  }
  return out;
}

TEST(ConfigFuzz, MutatedExampleConfigsAreHandledOrRejectedClearly) {
  const std::uint64_t seed = env_number("SPINNET_FUZZ_SEED", 20261128);
  const double budget_s = static_cast<double>(env_number("SPINNET_FUZZ_SECONDS", 20));
  const long replay = std::getenv("SPINNET_FUZZ_ITERATION") ? static_cast<long>(env_number("SPINNET_FUZZ_ITERATION", 0)) : -1;
  const auto limit = std::chrono::seconds(10);  // per input, on a loaded 2-core machine
  current_seed = seed;
  for (int s : {SIGSEGV, SIGABRT, SIGFPE, SIGBUS, SIGILL}) std::signal(s, report_crash);

  const std::vector<json> corpus = seed_corpus();
  ASSERT_FALSE(corpus.empty());
  const std::vector<std::string> keys = key_dictionary();
  const auto start = std::chrono::steady_clock::now();
  std::size_t tried = 0, accepted = 0, failures = 0;
  double slowest = 0;
  long slowest_iteration = -1;
  for (long iteration = replay >= 0 ? replay : 0;; ++iteration) {
    if (replay >= 0 && iteration > replay) break;
    if (replay < 0 && std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() > budget_s) break;
    current_iteration = static_cast<int>(iteration);
    // Each input is a pure function of (seed, iteration), so any failure can be replayed alone.
    Mutator mutator(seed ^ (0x9E3779B97F4A7C15ull * static_cast<std::uint64_t>(iteration + 1)), keys);
    json doc = corpus[mutator.below(corpus.size())];
    const std::size_t rounds = 1 + mutator.below(4);
    for (std::size_t r = 0; r < rounds; ++r) mutator.mutate(doc);
    const std::string text =
        mutator.chance(0.3) ? mutator.mutate_text(doc) : doc.dump(-1, ' ', false, json::error_handler_t::replace);

    if (replay >= 0) std::fprintf(stderr, "config fuzz: input %ld (%zu bytes): %.3000s\n", iteration, text.size(), text.c_str());
    const auto t0 = std::chrono::steady_clock::now();
    auto future = std::async(std::launch::async, [&text] { return handle(text); });
    if (future.wait_for(limit) != std::future_status::ready) {
      std::fprintf(stderr, "config fuzz: input took over %lld s at SPINNET_FUZZ_SEED=%llu SPINNET_FUZZ_ITERATION=%ld\n",
                   static_cast<long long>(limit.count()), static_cast<unsigned long long>(seed), iteration);
      std::_Exit(1);  // the worker cannot be stopped; a hang is a failure
    }
    const Outcome outcome = future.get();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (seconds > slowest) {
      slowest = seconds;
      slowest_iteration = iteration;
    }
    ++tried;
    accepted += outcome.accepted;
    if (!outcome.failure.empty()) {
      ++failures;
      if (failures <= 20)
        ADD_FAILURE() << "SPINNET_FUZZ_SEED=" << seed << " SPINNET_FUZZ_ITERATION=" << iteration << ": "
                      << outcome.failure << "\ninput: " << text.substr(0, 400);
    }
  }
  std::printf("config fuzz: %zu inputs tried (%zu accepted, %zu rejected), %zu rule violations, slowest input %.3f s "
              "(iteration %ld), seed %llu\n",
              tried, accepted, tried - accepted, failures, slowest, slowest_iteration,
              static_cast<unsigned long long>(seed));
  RecordProperty("inputs_tried", static_cast<int>(tried));
  if (replay >= 0) return;
  EXPECT_GT(tried, 100u);
  EXPECT_GT(accepted, 0u);  // the mutations do not only produce garbage
  EXPECT_GT(tried - accepted, 0u);
}

}  // namespace
}  // namespace spinnet
