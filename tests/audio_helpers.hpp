// Helpers for the audio and reservoir tests: RIFF/WAVE files written byte by byte (so that chunk
// layouts libsndfile would never write can be tested), tones and clicks.
#pragma once

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace spinnet::test {

inline void put_u32(std::string& s, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) s += static_cast<char>((v >> (8 * i)) & 0xff);
}
inline void put_u16(std::string& s, std::uint32_t v) {
  for (int i = 0; i < 2; ++i) s += static_cast<char>((v >> (8 * i)) & 0xff);
}

/// A 16-bit PCM mono WAV: "fmt " then the extra chunks (id, payload; odd payloads get their pad
/// byte) then "data". `declared_samples` >= 0 overrides the data chunk's size field.
inline std::string wav_bytes(const std::vector<std::int16_t>& samples, std::uint32_t rate,
                             const std::vector<std::pair<std::string, std::string>>& extra_chunks = {},
                             long declared_samples = -1, int channels = 1) {
  std::string body = "WAVE";
  body += "fmt ";
  put_u32(body, 16);
  put_u16(body, 1);
  put_u16(body, static_cast<std::uint32_t>(channels));
  put_u32(body, rate);
  put_u32(body, rate * 2 * static_cast<std::uint32_t>(channels));
  put_u16(body, 2 * static_cast<std::uint32_t>(channels));
  put_u16(body, 16);
  for (const auto& [id, payload] : extra_chunks) {
    body += id;
    put_u32(body, static_cast<std::uint32_t>(payload.size()));
    body += payload;
    if (payload.size() % 2) body += '\0';
  }
  body += "data";
  put_u32(body, static_cast<std::uint32_t>(declared_samples >= 0 ? declared_samples * 2 : static_cast<long>(samples.size()) * 2));
  for (std::int16_t v : samples) put_u16(body, static_cast<std::uint16_t>(v));
  std::string file = "RIFF";
  put_u32(file, static_cast<std::uint32_t>(body.size()));
  return file + body;
}

inline void write_bytes(const std::filesystem::path& file, const std::string& bytes) {
  std::ofstream out(file, std::ios::binary);
  out << bytes;
}

/// amplitude sin(2 pi f n / rate), n < count, as floats.
inline std::vector<float> tone(double f, double rate, std::size_t count, double amplitude = 0.5) {
  std::vector<float> x(count);
  for (std::size_t n = 0; n < count; ++n) x[n] = static_cast<float>(amplitude * std::sin(2 * M_PI * f * n / rate));
  return x;
}

}  // namespace spinnet::test
