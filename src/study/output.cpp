#include "spinnet/study/output.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <unistd.h>

#include "spinnet/core/errors.hpp"

namespace spinnet {

namespace fs = std::filesystem;

void prepare_output_directory(const std::string& directory) {
  std::error_code ec;
  fs::create_directories(directory, ec);
  if (ec) throw RunError("cannot create output directory " + directory + ": " + ec.message());
  const std::string probe = (fs::path(directory) / ".spinnet-write-probe").string();
  std::FILE* f = std::fopen(probe.c_str(), "wb");
  if (f == nullptr) throw RunError("cannot write to output directory " + directory + ": " + std::strerror(errno));
  std::fclose(f);
  std::remove(probe.c_str());
}

void check_injected_write_failure(const std::string& path) {
  static const long fail_at = [] {
    const char* value = std::getenv("SPINNET_INJECT_WRITE_FAILURE");
    return value ? std::atol(value) : 0L;
  }();
  static long writes = 0;
  if (fail_at > 0 && ++writes == fail_at)
    throw RunError("cannot write " + path + ": " + std::strerror(ENOSPC) + " (injected by SPINNET_INJECT_WRITE_FAILURE)");
}

void sync_directory(const std::string& directory) {
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;  // best effort: the file itself is already synced
  ::fsync(fd);
  ::close(fd);
}

void write_atomically_with(const std::string& path, const std::function<void(const std::string&)>& write) {
  check_injected_write_failure(path);
  const std::string temporary = path + ".tmp." + std::to_string(::getpid());
  try {
    write(temporary);
  } catch (...) {
    std::remove(temporary.c_str());
    throw;
  }
  const int fd = ::open(temporary.c_str(), O_RDONLY);
  const bool synced = fd >= 0 && ::fsync(fd) == 0;
  const int saved = errno;
  if (fd >= 0) ::close(fd);
  if (!synced) {
    std::remove(temporary.c_str());
    throw RunError("cannot write " + path + ": " + std::strerror(saved));
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    const int e = errno;
    std::remove(temporary.c_str());
    throw RunError("cannot rename " + temporary + " to " + path + ": " + std::strerror(e));
  }
}

void write_file_atomically(const std::string& path, const std::string& content) {
  write_atomically_with(path, [&](const std::string& temporary) {
    std::FILE* f = std::fopen(temporary.c_str(), "wb");
    if (f == nullptr) throw RunError("cannot write " + temporary + ": " + std::strerror(errno));
    const bool written = std::fwrite(content.data(), 1, content.size(), f) == content.size();
    const bool flushed = std::fflush(f) == 0;
    const int saved = errno;
    std::fclose(f);
    if (!written || !flushed) throw RunError("cannot write " + path + ": " + std::strerror(saved));
  });
}

}  // namespace spinnet
