// Folders of labelled recordings and their splits (recordings.hpp).
#include "spinnet/data/recordings.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>

namespace spinnet {
namespace {

[[noreturn]] void fail(const std::string& where, const std::string& message) { throw DataError(where + ": " + message); }

enum class Field { label, speaker, take };

/// The pattern as a regular expression, and the field each capture group holds.
std::regex pattern_regex(const std::string& pattern, std::vector<Field>& fields) {
  std::string expression;
  std::size_t i = 0;
  while (i < pattern.size()) {
    if (pattern[i] == '{') {
      const std::size_t close = pattern.find('}', i);
      if (close == std::string::npos) fail("data.pattern \"" + pattern + "\"", "a '{' without its '}'");
      const std::string name = pattern.substr(i + 1, close - i - 1);
      if (name == "digit" || name == "label") {
        fields.push_back(Field::label);
        expression += name == "digit" ? "([0-9]+)" : "([^/]+?)";
      } else if (name == "speaker") {
        fields.push_back(Field::speaker);
        expression += "([^/]+?)";
      } else if (name == "take") {
        fields.push_back(Field::take);
        expression += "([0-9]+)";
      } else {
        fail("data.pattern \"" + pattern + "\"", "unknown field {" + name + "} (known: {digit}, {label}, {speaker}, {take})");
      }
      i = close + 1;
    } else {
      const char c = pattern[i++];
      if (std::string("\\^$.|?*+()[]{}").find(c) != std::string::npos) expression += '\\';
      expression += c;
    }
  }
  if (std::count(fields.begin(), fields.end(), Field::label) > 1 ||
      std::count(fields.begin(), fields.end(), Field::speaker) > 1 ||
      std::count(fields.begin(), fields.end(), Field::take) > 1)
    fail("data.pattern \"" + pattern + "\"", "a field appears twice");
  return std::regex(expression);
}

bool is_integer(const std::string& text) {
  return !text.empty() && text.size() < 9 && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

RecordingSet list_recordings(const std::string& folder, const std::string& pattern) {
  std::error_code ec;
  if (!std::filesystem::exists(folder, ec)) fail(folder, "no such folder");
  if (!std::filesystem::is_directory(folder, ec)) fail(folder, "is a file, expected a folder of recordings");
  std::vector<Field> fields;
  const std::regex expression = pattern_regex(pattern, fields);
  RecordingSet set;
  set.folder = folder;
  set.pattern = pattern;
  for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
    if (!entry.is_regular_file(ec)) continue;
    const std::string name = entry.path().filename().string();
    std::smatch match;
    if (!std::regex_match(name, match, expression)) continue;
    Recording r;
    r.path = entry.path().string();
    r.name = name;
    for (std::size_t k = 0; k < fields.size(); ++k) {
      const std::string value = match[static_cast<int>(k) + 1].str();
      if (fields[k] == Field::label) r.label_text = value;
      if (fields[k] == Field::speaker) r.speaker = value;
      if (fields[k] == Field::take) r.take = std::stoi(value);
    }
    set.recordings.push_back(std::move(r));
  }
  if (ec) fail(folder, "cannot be listed (" + ec.message() + ")");
  if (set.recordings.empty()) fail(folder, "no file matches the pattern \"" + pattern + "\"");
  std::sort(set.recordings.begin(), set.recordings.end(),
            [](const Recording& a, const Recording& b) { return a.name < b.name; });

  const bool labelled = std::find(fields.begin(), fields.end(), Field::label) != fields.end();
  if (labelled) {
    bool integers = true;
    for (const auto& r : set.recordings) integers = integers && is_integer(r.label_text);
    if (integers) {
      int top = 0;
      for (const auto& r : set.recordings) top = std::max(top, std::stoi(r.label_text));
      for (int c = 0; c <= top; ++c) set.class_names.push_back(std::to_string(c));
    } else {
      std::set<std::string> names;
      for (const auto& r : set.recordings) names.insert(r.label_text);
      set.class_names.assign(names.begin(), names.end());
    }
    relabel(set, set.class_names);
  }
  std::set<std::string> speakers;
  for (const auto& r : set.recordings)
    if (!r.speaker.empty()) speakers.insert(r.speaker);
  set.speakers.assign(speakers.begin(), speakers.end());
  return set;
}

void relabel(RecordingSet& set, const std::vector<std::string>& class_names) {
  std::map<std::string, int> index;
  for (std::size_t c = 0; c < class_names.size(); ++c) index[class_names[c]] = static_cast<int>(c);
  const bool integers = std::all_of(class_names.begin(), class_names.end(), is_integer);
  for (auto& r : set.recordings) {
    if (r.label_text.empty()) continue;
    std::string key = r.label_text;
    if (integers && is_integer(key)) key = std::to_string(std::stoi(key));  // "07" is class "7"
    const auto found = index.find(key);
    if (found == index.end()) fail(r.path, "class \"" + r.label_text + "\" is not one of the " +
                                               std::to_string(class_names.size()) + " classes the reservoir knows");
    r.label = found->second;
  }
  set.class_names = class_names;
}

bool Selection::contains(const Recording& r) const {
  if (!takes.empty() && std::find(takes.begin(), takes.end(), r.take) != takes.end()) return true;
  if (!speakers.empty() && std::find(speakers.begin(), speakers.end(), r.speaker) != speakers.end()) return true;
  if (!files.empty() && std::find(files.begin(), files.end(), r.name) != files.end()) return true;
  return false;
}

RecordingSplit split_recordings(const RecordingSet& set, const SplitRule& rule) {
  RecordingSplit split;
  for (std::size_t i = 0; i < set.recordings.size(); ++i) {
    const Recording& r = set.recordings[i];
    const bool in_test = rule.test.given() && rule.test.contains(r);
    const bool in_validation = rule.validation.given() && rule.validation.contains(r);
    const bool in_train = rule.train.given() ? rule.train.contains(r) : !in_test && !in_validation;
    if (in_test + in_validation + in_train > 1)
      fail(r.path, std::string("claimed by two parts of the split (") + (in_train ? "train " : "") +
                       (in_validation ? "validation " : "") + (in_test ? "test" : "") + ")");
    if (in_test) split.test.push_back(i);
    if (in_validation) split.validation.push_back(i);
    if (in_train) split.train.push_back(i);
  }
  const auto check = [&](const std::vector<std::size_t>& part, const Selection& selection, const char* fallback) {
    if (part.empty())
      fail(set.folder, std::string("no recording matching \"") + set.pattern + "\" is in " +
                           (selection.description.empty() ? fallback : selection.description.c_str()));
  };
  if (rule.validation.given()) check(split.validation, rule.validation, "the validation part");
  if (rule.test.given()) check(split.test, rule.test, "the test part");
  check(split.train, rule.train, "the training part (every recording is in the validation or test part)");
  return split;
}

std::vector<std::string> read_file_list(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) fail(path, "no such file list");
  std::ifstream in(path);
  if (!in) fail(path, "cannot be opened for reading");
  std::vector<std::string> names;
  for (std::string line; std::getline(in, line);) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
    const std::size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    names.push_back(std::filesystem::path(line.substr(start)).filename().string());
  }
  if (names.empty()) fail(path, "lists no file");
  return names;
}

std::vector<int> parse_take_ranges(const std::string& text, const std::string& where) {
  std::vector<int> takes;
  std::size_t i = 0;
  const auto bad = [&] { fail(where, "expected take numbers such as \"5-9\" or \"5,7,10-12\", got \"" + text + "\""); };
  while (i < text.size()) {
    std::size_t used = 0;
    int first = 0, last = 0;
    try {
      first = std::stoi(text.substr(i), &used);
    } catch (const std::exception&) {
      bad();
    }
    i += used;
    last = first;
    if (i < text.size() && text[i] == '-') {
      ++i;
      try {
        last = std::stoi(text.substr(i), &used);
      } catch (const std::exception&) {
        bad();
      }
      i += used;
    }
    if (first < 0 || last < first) bad();
    for (int t = first; t <= last; ++t) takes.push_back(t);
    if (i < text.size()) {
      if (text[i] != ',') bad();
      ++i;
    }
  }
  if (takes.empty()) bad();
  return takes;
}

std::vector<SpeakerFold> leave_one_speaker_out(const RecordingSet& set, const std::vector<std::size_t>& indices) {
  std::vector<SpeakerFold> folds;
  for (const std::string& speaker : set.speakers) {
    SpeakerFold fold;
    fold.speaker = speaker;
    for (std::size_t i : indices) (set.recordings[i].speaker == speaker ? fold.test : fold.train).push_back(i);
    if (!fold.test.empty() && !fold.train.empty()) folds.push_back(std::move(fold));
  }
  if (folds.empty()) fail(set.folder, "leave-one-speaker-out needs recordings of at least two speakers ({speaker} in the pattern)");
  return folds;
}

}  // namespace spinnet
