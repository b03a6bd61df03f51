// Reading recordings (libsndfile behind a RIFF chunk check), resampling, and folders of labelled
// recordings with their splits: the data layer of the reservoir experiments.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "audio_helpers.hpp"
#include "cli_helpers.hpp"
#include "spinnet/data/audio_file.hpp"
#include "spinnet/data/recordings.hpp"
#include "spinnet/data/resample.hpp"

namespace spinnet {
namespace {

using test::TempDir;
namespace fs = std::filesystem;

std::vector<std::int16_t> ramp(std::size_t n) {
  std::vector<std::int16_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::int16_t>(static_cast<int>(i * 97 % 20000) - 10000);
  return v;
}

/// The DataError message of `body`, or "" when it throws none.
template <class Body>
std::string data_error(Body body) {
  try {
    body();
  } catch (const DataError& e) {
    return e.what();
  }
  return "";
}

TEST(AudioFile, ReadsPcmWhateverChunksComeBeforeTheData) {
  // A LIST/INFO chunk of odd size (17 bytes and its pad byte) and an unknown chunk between fmt
  // and data: the samples start at byte 44 + 26 + 12 = 82, not 44. Samples come back as x / 32768.
  TempDir dir;
  const auto samples = ramp(500);
  const std::string info = std::string("INFOISFT") + std::string("\x05\0\0\0", 4) + std::string("test\0", 5);
  test::write_bytes(dir / "chunks.wav", test::wav_bytes(samples, 8000, {{"LIST", info}, {"abcd", "wxyz"}}));
  const AudioClip clip = read_audio_file((dir / "chunks.wav").string());
  EXPECT_EQ(clip.sample_rate, 8000);
  ASSERT_EQ(clip.samples.size(), samples.size());
  for (std::size_t i = 0; i < samples.size(); ++i) ASSERT_EQ(clip.samples[i], samples[i] / 32768.0f) << i;
}

TEST(AudioFile, MixesChannelsDownToMono) {
  TempDir dir;
  std::vector<std::int16_t> stereo;
  for (int i = 0; i < 100; ++i) stereo.push_back(static_cast<std::int16_t>(100 * i)), stereo.push_back(static_cast<std::int16_t>(-50 * i));
  test::write_bytes(dir / "stereo.wav", test::wav_bytes(stereo, 8000, {}, -1, 2));
  const AudioClip clip = read_audio_file((dir / "stereo.wav").string());
  ASSERT_EQ(clip.samples.size(), 100u);
  EXPECT_FLOAT_EQ(clip.samples[10], (1000 - 500) / 2 / 32768.0f);
}

TEST(AudioFile, BadFilesAreOneErrorNamingTheFile) {
  TempDir dir;
  const std::string missing = (dir / "missing.wav").string();
  EXPECT_NE(data_error([&] { read_audio_file(missing); }).find(missing + ": no such file"), std::string::npos);
  test::write_bytes(dir / "text.wav", "this is not a sound file");
  const std::string text = (dir / "text.wav").string();
  EXPECT_NE(data_error([&] { read_audio_file(text); }).find(text + ": not a readable sound file"), std::string::npos);
  test::write_bytes(dir / "truncated.wav", test::wav_bytes(ramp(10), 8000, {}, 1000));
  const std::string truncated = (dir / "truncated.wav").string();
  EXPECT_NE(data_error([&] { read_audio_file(truncated); }).find(truncated + ": truncated"), std::string::npos);
  test::write_bytes(dir / "empty.wav", test::wav_bytes({}, 8000));
  const std::string empty = (dir / "empty.wav").string();
  EXPECT_NE(data_error([&] { read_audio_file(empty); }).find(empty + ": holds no samples"), std::string::npos);
}

TEST(AudioFile, AnotherSampleRateIsAnErrorUnlessResampled) {
  TempDir dir;
  test::write_bytes(dir / "fast.wav", test::wav_bytes(ramp(1600), 16000));
  const std::string file = (dir / "fast.wav").string();
  const std::string message = data_error([&] { read_audio_file(file, AudioFormat{8000, false}); });
  EXPECT_NE(message.find(file + ": sample rate 16000 Hz, expected 8000 Hz"), std::string::npos) << message;
  const AudioClip clip = read_audio_file(file, AudioFormat{8000, true});
  EXPECT_EQ(clip.sample_rate, 8000);
  EXPECT_EQ(clip.samples.size(), 800u);
}

TEST(Resample, KeepsAToneBelowTheNewNyquistFrequency) {
  // 1 kHz at 16 kHz to 8 kHz: the Kaiser-windowed sinc (beta 9, 24 zero crossings) passes 1 kHz
  // with a ripple far below 1e-3, so away from the ends the output is the tone sampled at 8 kHz.
  const double f = 1000;
  const std::vector<float> x = test::tone(f, 16000, 16000);
  const std::vector<float> y = resample(x, 16000, 8000);
  ASSERT_EQ(y.size(), 8000u);
  double worst = 0;
  for (std::size_t n = 500; n < 7500; ++n) worst = std::max(worst, std::abs(y[n] - 0.5 * std::sin(2 * M_PI * f * n / 8000)));
  EXPECT_LT(worst, 1e-3);
  // Upsampling 8 kHz to 11.025 kHz (a non-integer ratio) as well.
  const std::vector<float> z = resample(test::tone(f, 8000, 8000), 8000, 11025);
  worst = 0;
  for (std::size_t n = 500; n + 500 < z.size(); ++n)
    worst = std::max(worst, std::abs(z[n] - 0.5 * std::sin(2 * M_PI * f * n / 11025)));
  EXPECT_LT(worst, 1e-3);
}

TEST(Resample, SuppressesWhatWouldAlias) {
  // 5 kHz at 16 kHz is above the 4 kHz Nyquist frequency of 8 kHz: it would alias to 3 kHz. The
  // filter's stop band (from 0.9 x 4 kHz + its transition) attenuates it by more than 60 dB.
  const std::vector<float> y = resample(test::tone(5000, 16000, 16000), 16000, 8000);
  double rms = 0;
  for (std::size_t n = 500; n < 7500; ++n) rms += y[n] * y[n];
  rms = std::sqrt(rms / 7000);
  EXPECT_LT(rms, 0.5 / std::sqrt(2.0) * 1e-3);
}

TEST(Recordings, ListsLabelsSpeakersAndTakesFromFileNames) {
  TempDir dir;
  for (const char* name : {"3_alice_5.wav", "3_alice_12.wav", "7_bob_5.wav", "0_bob_40.wav", "README.md", "x_y.wav"})
    test::write_bytes(dir / name, "");
  const RecordingSet set = list_recordings(dir.path().string(), "{digit}_{speaker}_{take}.wav");
  ASSERT_EQ(set.recordings.size(), 4u);
  ASSERT_EQ(set.class_names.size(), 8u);  // 0 .. 7
  EXPECT_EQ(set.speakers, (std::vector<std::string>{"alice", "bob"}));
  EXPECT_EQ(set.recordings[0].name, "0_bob_40.wav");
  EXPECT_EQ(set.recordings[0].label, 0);
  EXPECT_EQ(set.recordings[0].take, 40);
  EXPECT_EQ(set.recordings[1].speaker, "alice");
  EXPECT_EQ(set.recordings[1].label, 3);
}

TEST(Recordings, SplitsByTakeSpeakerAndFileList) {
  TempDir dir;
  for (const char* name : {"1_a_5.wav", "1_a_6.wav", "1_a_20.wav", "2_b_5.wav", "2_b_30.wav", "2_c_31.wav"})
    test::write_bytes(dir / name, "");
  const RecordingSet set = list_recordings(dir.path().string(), "{digit}_{speaker}_{take}.wav");
  SplitRule by_take;
  by_take.validation.takes = parse_take_ranges("5-9", "validation");
  const RecordingSplit takes = split_recordings(set, by_take);
  EXPECT_EQ(takes.validation.size(), 3u);
  EXPECT_EQ(takes.train.size(), 3u);
  SplitRule by_speaker;
  by_speaker.validation.speakers = {"c"};
  by_speaker.test.speakers = {"b"};
  const RecordingSplit speakers = split_recordings(set, by_speaker);
  EXPECT_EQ(speakers.validation.size(), 1u);
  EXPECT_EQ(speakers.test.size(), 2u);
  EXPECT_EQ(speakers.train.size(), 3u);
  test::write_text(dir / "val.txt", "# held out\n1_a_20.wav\n\n/some/where/2_b_30.wav\n");
  SplitRule by_list;
  by_list.validation.files = read_file_list((dir / "val.txt").string());
  EXPECT_EQ(split_recordings(set, by_list).validation.size(), 2u);
  const auto folds = leave_one_speaker_out(set, takes.train);
  ASSERT_EQ(folds.size(), 3u);
  EXPECT_EQ(folds[0].speaker, "a");
  EXPECT_EQ(folds[0].test.size(), 1u);
}

TEST(Recordings, EmptyPartsAndBadFoldersNameWhatIsWrong) {
  TempDir dir;
  test::write_bytes(dir / "1_a_5.wav", "");
  const RecordingSet set = list_recordings(dir.path().string(), "{digit}_{speaker}_{take}.wav");
  SplitRule rule;
  rule.validation.takes = {99};
  rule.validation.description = "data.split.validation (takes 99)";
  const std::string message = data_error([&] { split_recordings(set, rule); });
  EXPECT_NE(message.find(dir.path().string() + ": no recording"), std::string::npos) << message;
  EXPECT_NE(message.find("data.split.validation (takes 99)"), std::string::npos) << message;
  const std::string missing = (dir / "nowhere").string();
  EXPECT_NE(data_error([&] { list_recordings(missing, "{digit}.wav"); }).find(missing + ": no such folder"),
            std::string::npos);
  EXPECT_NE(data_error([&] { list_recordings(dir.path().string(), "{digit}.flac"); }).find("no file matches"),
            std::string::npos);
  EXPECT_NE(data_error([&] { list_recordings(dir.path().string(), "{colour}.wav"); }).find("unknown field {colour}"),
            std::string::npos);
  EXPECT_NE(data_error([&] { parse_take_ranges("9-5", "x"); }).find("x: expected take numbers"), std::string::npos);
  const std::string list = (dir / "none.txt").string();
  EXPECT_NE(data_error([&] { read_file_list(list); }).find(list + ": no such file list"), std::string::npos);
}

TEST(Recordings, TheSharedSpokenDigitsParse) {
  // The FSDD copy the project reads (../shared/data/fsdd/recordings): 2700 recordings, 10 digits,
  // 6 speakers, takes 5-49, every file 8 kHz mono.
  const std::string folder = default_data_directory() + "/fsdd/recordings";
  if (default_data_directory().empty() || !fs::is_directory(folder)) GTEST_SKIP() << "no shared data folder";
  const RecordingSet set = list_recordings(folder, "{digit}_{speaker}_{take}.wav");
  EXPECT_EQ(set.recordings.size(), 2700u);
  EXPECT_EQ(set.class_names.size(), 10u);
  EXPECT_EQ(set.speakers.size(), 6u);
  const AudioClip clip = read_audio_file(set.recordings.front().path, AudioFormat{8000, false});
  EXPECT_GT(clip.duration(), 0.1);
}

}  // namespace
}  // namespace spinnet
