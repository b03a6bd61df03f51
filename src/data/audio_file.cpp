// Sound files through libsndfile (audio_file.hpp).
#include "spinnet/data/audio_file.hpp"

#include <sndfile.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "spinnet/data/resample.hpp"

namespace spinnet {
namespace {

[[noreturn]] void fail(const std::string& file, const std::string& message) { throw DataError(file + ": " + message); }

std::uint32_t little_endian_u32(const unsigned char* b) {
  return std::uint32_t{b[0]} | (std::uint32_t{b[1]} << 8) | (std::uint32_t{b[2]} << 16) | (std::uint32_t{b[3]} << 24);
}

/// For a RIFF/WAVE file: walks its chunks (each id, size, payload and a pad byte when the size is
/// odd) and throws when the data chunk claims more bytes than the file holds. libsndfile reads such
/// a file as if it were whole (it only notes "should be ..." in its log), which would hide a
/// truncated download. Streamed files with an unknown data size (0 or 0xffffffff) pass.
void check_riff_chunks(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  unsigned char header[12];
  if (!in.read(reinterpret_cast<char*>(header), 12)) return;
  if (std::memcmp(header, "RIFF", 4) != 0 || std::memcmp(header + 8, "WAVE", 4) != 0) return;
  in.seekg(0, std::ios::end);
  const auto size = static_cast<std::uint64_t>(in.tellg());
  std::uint64_t offset = 12;
  while (offset + 8 <= size) {
    unsigned char chunk[8];
    in.seekg(static_cast<std::streamoff>(offset));
    if (!in.read(reinterpret_cast<char*>(chunk), 8)) return;
    const std::uint64_t length = little_endian_u32(chunk + 4);
    if (std::memcmp(chunk, "data", 4) == 0) {
      const std::uint64_t held = size - offset - 8;
      if (length != 0 && length != 0xffffffffu && length > held)
        fail(path, "truncated: its data chunk declares " + std::to_string(length) + " bytes, the file holds " +
                       std::to_string(held));
      return;
    }
    offset += 8 + length + (length & 1);
  }
}

std::string rate_text(double rate) {
  std::ostringstream text;
  text << rate;
  return text.str();
}

}  // namespace

AudioClip read_audio_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) fail(path, "no such file");
  if (std::filesystem::is_directory(path, ec)) fail(path, "is a directory, expected a sound file");
  check_riff_chunks(path);
  SF_INFO info{};
  SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
  if (!file) fail(path, std::string("not a readable sound file (libsndfile: ") + sf_strerror(nullptr) + ")");
  struct Closer {
    SNDFILE* file;
    ~Closer() { sf_close(file); }
  } closer{file};
  if (info.channels < 1 || info.samplerate < 1) fail(path, "the header gives no channels or no sample rate");
  if (info.frames <= 0) fail(path, "holds no samples");
  const auto frames = static_cast<std::size_t>(info.frames);
  const auto channels = static_cast<std::size_t>(info.channels);
  std::vector<float> interleaved(frames * channels);
  const sf_count_t got = sf_readf_float(file, interleaved.data(), info.frames);
  if (got != info.frames)
    fail(path, "truncated: the header announces " + std::to_string(info.frames) + " samples, the file holds " +
                   std::to_string(got));
  AudioClip clip;
  clip.source = path;
  clip.sample_rate = info.samplerate;
  clip.samples.resize(frames);
  for (std::size_t i = 0; i < frames; ++i) {
    float sum = 0;
    for (std::size_t c = 0; c < channels; ++c) sum += interleaved[i * channels + c];
    clip.samples[i] = sum / static_cast<float>(channels);
    if (!std::isfinite(clip.samples[i])) fail(path, "sample " + std::to_string(i) + " is not a finite number");
  }
  return clip;
}

AudioClip read_audio_file(const std::string& path, const AudioFormat& format) {
  AudioClip clip = read_audio_file(path);
  if (clip.sample_rate == format.sample_rate) return clip;
  if (!format.resample)
    fail(path, "sample rate " + rate_text(clip.sample_rate) + " Hz, expected " + rate_text(format.sample_rate) +
                   " Hz (set data.resample to true to resample)");
  clip.samples = resample(clip.samples, clip.sample_rate, format.sample_rate);
  clip.sample_rate = format.sample_rate;
  if (clip.samples.empty()) fail(path, "too short to resample to " + rate_text(format.sample_rate) + " Hz");
  return clip;
}

std::vector<AudioClip> read_audio_files(const std::vector<std::string>& paths, const AudioFormat& format) {
  std::vector<AudioClip> clips(paths.size());
  std::vector<std::string> errors(paths.size());
  const auto count = static_cast<std::ptrdiff_t>(paths.size());
#pragma omp parallel for schedule(dynamic, 16)
  for (std::ptrdiff_t i = 0; i < count; ++i) {
    try {
      clips[static_cast<std::size_t>(i)] = read_audio_file(paths[static_cast<std::size_t>(i)], format);
    } catch (const std::exception& e) {
      errors[static_cast<std::size_t>(i)] = e.what();
    }
  }
  for (const auto& e : errors)
    if (!e.empty()) throw DataError(e);
  return clips;
}

}  // namespace spinnet
