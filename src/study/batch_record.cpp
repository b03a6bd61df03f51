#include "study/batch_record.hpp"

#include <cstring>

namespace spinnet::detail {

namespace {

constexpr char magic[8] = {'S', 'P', 'N', 'B', 'A', 'T', '0', '2'};

class Writer {
 public:
  void raw(const void* p, std::size_t n) { bytes_.append(static_cast<const char*>(p), n); }
  void u64(std::uint64_t v) { raw(&v, sizeof v); }
  void f64(double v) { raw(&v, sizeof v); }
  void text(const std::string& s) {
    u64(s.size());
    raw(s.data(), s.size());
  }
  void doubles(const std::vector<double>& v) {
    u64(v.size());
    raw(v.data(), v.size() * sizeof(double));
  }
  std::string take() { return std::move(bytes_); }

 private:
  std::string bytes_;
};

class Reader {
 public:
  Reader(const std::string& bytes, const std::string& file) : bytes_(bytes), file_(file) {}
  void raw(void* p, std::size_t n) {
    if (n > bytes_.size() - at_) fail("it ends early");
    std::memcpy(p, bytes_.data() + at_, n);
    at_ += n;
  }
  std::uint64_t u64() {
    std::uint64_t v;
    raw(&v, sizeof v);
    return v;
  }
  double f64() {
    double v;
    raw(&v, sizeof v);
    return v;
  }
  std::size_t count(std::size_t element) {
    const std::uint64_t n = u64();
    if (n > (bytes_.size() - at_) / element) fail("a length runs past its end");
    return static_cast<std::size_t>(n);
  }
  std::string text() {
    std::string s(count(1), '\0');
    raw(s.data(), s.size());
    return s;
  }
  std::vector<double> doubles() {
    std::vector<double> v(count(sizeof(double)));
    raw(v.data(), v.size() * sizeof(double));
    return v;
  }
  bool at_end() const { return at_ == bytes_.size(); }
  [[noreturn]] void fail(const std::string& why) const {
    throw RunError("checkpoint file " + file_ + " is damaged (" + why +
                   "); delete it and resume to recompute that batch");
  }

 private:
  const std::string& bytes_;
  const std::string& file_;
  std::size_t at_ = 0;
};

}  // namespace

std::string batch_file_name(const BatchRange& range) {
  return "items-" + std::to_string(range.first_item) + "-" + std::to_string(range.end_item()) + ".bin";
}

std::string encode_batch(const BatchRecord& r) {
  Writer w;
  w.raw(magic, sizeof magic);
  w.u64(r.range.first_item);
  w.u64(r.range.items);
  w.u64(r.first_device);
  w.u64(r.devices);
  w.text(r.backend);
  w.f64(r.wall_seconds);
  w.f64(r.device_steps);
  w.u64(r.observables.size());
  for (const auto& [name, values] : r.observables) {
    w.text(name);
    w.doubles(values);
  }
  w.doubles(r.trace_time);
  w.u64(r.trace_index.size());
  for (std::uint64_t k : r.trace_index) w.u64(k);
  w.u64(r.trace_columns.size());
  for (std::size_t c = 0; c < r.trace_columns.size(); ++c) {
    w.text(r.trace_columns[c]);
    w.doubles(r.trace_values[c]);
  }
  w.doubles(r.spectrum_frequency);
  w.u64(r.first_spectrum_row);
  w.u64(r.spectrum_density.size());
  for (const auto& row : r.spectrum_density) w.doubles(row);
  w.doubles(r.network_trace_time);
  w.u64(r.first_network);
  w.u64(r.network_trace_columns.size());
  for (std::size_t c = 0; c < r.network_trace_columns.size(); ++c) {
    w.text(r.network_trace_columns[c]);
    w.doubles(r.network_trace_values[c]);
  }
  w.raw(magic, sizeof magic);  // a complete record ends with the magic again
  return w.take();
}

BatchRecord decode_batch(const std::string& bytes, const std::string& file) {
  Reader in(bytes, file);
  char head[8];
  in.raw(head, sizeof head);
  if (std::memcmp(head, magic, sizeof magic) != 0) in.fail("not a spinnet batch record");
  BatchRecord r;
  r.range.first_item = in.u64();
  r.range.items = in.u64();
  r.first_device = in.u64();
  r.devices = in.u64();
  r.backend = in.text();
  r.wall_seconds = in.f64();
  r.device_steps = in.f64();
  const std::size_t observables = in.count(16);
  for (std::size_t k = 0; k < observables; ++k) {
    std::string name = in.text();
    std::vector<double> values = in.doubles();
    if (values.size() != r.devices) in.fail("observable " + name + " has a wrong length");
    r.observables.emplace_back(std::move(name), std::move(values));
  }
  r.trace_time = in.doubles();
  const std::size_t traced = in.count(8);
  for (std::size_t k = 0; k < traced; ++k) r.trace_index.push_back(in.u64());
  const std::size_t columns = in.count(16);
  for (std::size_t c = 0; c < columns; ++c) {
    r.trace_columns.push_back(in.text());
    r.trace_values.push_back(in.doubles());
  }
  r.spectrum_frequency = in.doubles();
  r.first_spectrum_row = in.u64();
  const std::size_t rows = in.count(8);
  for (std::size_t k = 0; k < rows; ++k) r.spectrum_density.push_back(in.doubles());
  r.network_trace_time = in.doubles();
  r.first_network = in.u64();
  const std::size_t network_columns = in.count(16);
  for (std::size_t c = 0; c < network_columns; ++c) {
    r.network_trace_columns.push_back(in.text());
    r.network_trace_values.push_back(in.doubles());
  }
  char tail[8];
  in.raw(tail, sizeof tail);
  if (std::memcmp(tail, magic, sizeof magic) != 0 || !in.at_end()) in.fail("it does not end where a record ends");
  return r;
}

}  // namespace spinnet::detail
