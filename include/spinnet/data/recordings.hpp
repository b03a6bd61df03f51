// A folder of labelled recordings (spoken digits: {digit}_{speaker}_{take}.wav) and its splits into
// training, validation and test parts: by take number, by speaker or by file lists, and the
// leave-one-speaker-out folds.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "spinnet/data/dataset.hpp"

namespace spinnet {

struct Recording {
  std::string path;    // full path
  std::string name;    // file name
  std::string label_text, speaker;
  int label = -1;      // class index (-1: the pattern has no label field)
  int take = -1;       // take (repetition) number (-1: none in the pattern)
};

struct RecordingSet {
  std::string folder, pattern;
  std::vector<Recording> recordings;     // sorted by file name
  std::vector<std::string> class_names;  // index = class
  std::vector<std::string> speakers;     // sorted
  bool labelled() const { return !class_names.empty(); }
};

/// The files of `folder` whose names match `pattern`: literal text with the fields {digit} or
/// {label} (the class), {speaker} and {take} (an integer), e.g. "{digit}_{speaker}_{take}.wav".
/// Files that do not match are skipped. Classes: the integers 0..max when every label is an
/// integer (so "0".."9" for digits), else the sorted label names. Throws DataError naming the folder
/// when it is missing or no file matches, and naming the pattern when it is malformed.
RecordingSet list_recordings(const std::string& folder, const std::string& pattern);

/// The class indices of `names` in `set` when `set` was labelled with other class names (a trained
/// reservoir applied to another folder): DataError naming the recording of an unknown class.
void relabel(RecordingSet& set, const std::vector<std::string>& class_names);

/// Which recordings form one part of a split.
struct Selection {
  std::vector<int> takes;             // by take number
  std::vector<std::string> speakers;  // by speaker
  std::vector<std::string> files;     // by file name
  std::string description;            // names the part in errors: "data.split.validation (takes 5-9)"
  bool given() const { return !takes.empty() || !speakers.empty() || !files.empty(); }
  bool contains(const Recording& r) const;
};

/// Training, validation and test parts; an absent training selection means every recording in
/// neither of the others.
struct SplitRule {
  Selection train, validation, test;
};

struct RecordingSplit {
  std::vector<std::size_t> train, validation, test;  // indices into RecordingSet::recordings
};

/// Applies a rule. Throws DataError naming the folder and the part when a given part (or the
/// training part) holds no recording, and naming a recording that two given parts both claim.
RecordingSplit split_recordings(const RecordingSet& set, const SplitRule& rule);

/// File names, one per line (blank lines and lines starting with # skipped); DataError naming the
/// file when it is missing or lists nothing.
std::vector<std::string> read_file_list(const std::string& path);

/// "5-9" or "5,7,9-12" as take numbers; DataError naming `where` when malformed.
std::vector<int> parse_take_ranges(const std::string& text, const std::string& where);

/// Leave-one-speaker-out: for each speaker of the recordings at `indices`, train on the others and
/// test on that speaker (fold order: RecordingSet::speakers).
struct SpeakerFold {
  std::string speaker;
  std::vector<std::size_t> train, test;
};
std::vector<SpeakerFold> leave_one_speaker_out(const RecordingSet& set, const std::vector<std::size_t>& indices);

}  // namespace spinnet
