// Sound files read through libsndfile (Debian libsndfile1-dev): RIFF/WAVE with its chunks in any
// order and extra chunks (LIST, fact, cue ...) skipped, and every other format libsndfile knows;
// mixed down to mono, optionally brought to a required sample rate (resample.hpp).
#pragma once

#include <string>
#include <vector>

#include "spinnet/data/dataset.hpp"

namespace spinnet {

/// A mono recording, samples at full scale +-1.
struct AudioClip {
  std::string source;          // the file it was read from
  double sample_rate = 0;      // Hz
  std::vector<float> samples;  // mono (the mean of the channels of a multichannel file)

  double duration() const { return sample_rate > 0 ? static_cast<double>(samples.size()) / sample_rate : 0.0; }
};

/// Reads a sound file. Throws DataError naming the file when it is missing, is a directory, is not
/// a sound file libsndfile can parse (a corrupt or truncated header), holds fewer samples than its
/// header announces (truncated data), or holds none.
AudioClip read_audio_file(const std::string& path);

/// How a recording is brought to the sample rate the features expect.
struct AudioFormat {
  double sample_rate = 8000;  // Hz
  bool resample = false;      // false: a file at another rate is a DataError naming it
};

/// Reads a sound file at `format.sample_rate`: resampled (band-limited, resample.hpp) when the file
/// has another rate and `format.resample` is set, else a DataError naming the file and both rates.
AudioClip read_audio_file(const std::string& path, const AudioFormat& format);

/// Every file of `paths` (in parallel); the DataError of the first bad file in list order.
std::vector<AudioClip> read_audio_files(const std::vector<std::string>& paths, const AudioFormat& format);

}  // namespace spinnet
