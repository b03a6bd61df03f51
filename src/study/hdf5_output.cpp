#include "spinnet/study/hdf5_output.hpp"

#include <hdf5.h>

#include <cstdio>
#include <cstring>

#include "spinnet/core/errors.hpp"
#include "spinnet/study/output.hpp"
#include "spinnet/study/scheduler.hpp"

namespace spinnet {

namespace {

/// An HDF5 handle closed on every exit path.
class Handle {
 public:
  Handle(hid_t id, herr_t (*close)(hid_t), const std::string& what, const std::string& file)
      : id_(id), close_(close) {
    if (id < 0) throw RunError("cannot write " + file + ": HDF5 could not " + what);
  }
  ~Handle() {
    if (id_ >= 0) close_(id_);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  hid_t get() const { return id_; }
  /// Closes now (a file's close flushes it, and can fail).
  bool close() {
    const herr_t status = close_(id_);
    id_ = -1;
    return status >= 0;
  }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

class Writer {
 public:
  explicit Writer(const std::string& file) : file_(file) {}

  void check(herr_t status, const std::string& what) const {
    if (status < 0) throw RunError("cannot write " + file_ + ": HDF5 could not " + what);
  }

  Handle group(hid_t parent, const std::string& name) const {
    return Handle(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose,
                  "create group " + name, file_);
  }

  void doubles(hid_t parent, const std::string& name, const std::vector<hsize_t>& shape,
               const double* values) const {
    Handle space(H5Screate_simple(static_cast<int>(shape.size()), shape.data(), nullptr), H5Sclose,
                 "create a dataspace for " + name, file_);
    Handle set(H5Dcreate2(parent, name.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
               H5Dclose, "create dataset " + name, file_);
    check(H5Dwrite(set.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values), "write dataset " + name);
  }

  void text_attribute(hid_t object, const std::string& name, const std::string& value) const {
    Handle type(H5Tcopy(H5T_C_S1), H5Tclose, "copy a string type", file_);
    check(H5Tset_size(type.get(), std::max<std::size_t>(value.size(), 1)), "size a string type");
    check(H5Tset_cset(type.get(), H5T_CSET_UTF8), "set a string type's character set");
    Handle space(H5Screate(H5S_SCALAR), H5Sclose, "create a scalar dataspace", file_);
    Handle attribute(H5Acreate2(object, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
                     "create attribute " + name, file_);
    const std::string padded = value.empty() ? std::string(1, '\0') : value;
    check(H5Awrite(attribute.get(), type.get(), padded.data()), "write attribute " + name);
  }

  template <class T>
  void number_attribute(hid_t object, const std::string& name, T value) const {
    const hid_t file_type = std::is_floating_point_v<T> ? H5T_IEEE_F64LE : H5T_STD_U64LE;
    const hid_t memory_type = std::is_floating_point_v<T> ? H5T_NATIVE_DOUBLE : H5T_NATIVE_UINT64;
    Handle space(H5Screate(H5S_SCALAR), H5Sclose, "create a scalar dataspace", file_);
    Handle attribute(H5Acreate2(object, name.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
                     "create attribute " + name, file_);
    using Stored = std::conditional_t<std::is_floating_point_v<T>, double, std::uint64_t>;
    const Stored stored = static_cast<Stored>(value);
    check(H5Awrite(attribute.get(), memory_type, &stored), "write attribute " + name);
  }

 private:
  std::string file_;
};

void write_content(const std::string& file, const RunConfig& config, const ExperimentResult& result) {
  const Writer w(file);
  Handle h5(H5Fcreate(file.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose, "create the file", file);
  const WorkLayout layout = work_layout(config);
  const std::vector<hsize_t> shape{layout.points, layout.instances, layout.devices_per_item};
  const hid_t root = h5.get();
  w.text_attribute(root, "spinnet_version", SPINNET_VERSION);
  w.text_attribute(root, "name", config.name);
  w.text_attribute(root, "model", to_string(config.model));
  w.text_attribute(root, "precision", to_string(config.control.precision));
  w.text_attribute(root, "config", config.resolved.dump());
  w.text_attribute(root, "backend", result.backend);
  w.number_attribute(root, "seed", config.control.seed);
  w.number_attribute(root, "points", layout.points);
  w.number_attribute(root, "instances", layout.instances);
  w.number_attribute(root, "devices_per_instance", layout.devices_per_item);
  w.number_attribute(root, "steps", config.control.steps);
  w.number_attribute(root, "transient_steps", config.control.transient_steps);
  w.number_attribute(root, "dt_s", config.control.dt);
  w.number_attribute(root, "wall_seconds", result.wall_seconds);
  w.number_attribute(root, "device_steps_per_second", result.device_steps_per_second);

  {
    Handle observables = w.group(root, "observables");
    for (const auto& [name, values] : result.observables) {
      if (values.size() != layout.devices())
        throw RunError("cannot write " + file + ": observable " + name + " has " + std::to_string(values.size()) +
                       " values for " + std::to_string(layout.devices()) + " devices");
      w.doubles(observables.get(), name, shape, values.data());
    }
  }
  {
    Handle parameters = w.group(root, "parameters");
    for (const auto& [path, values] : config.varied_parameters) {
      if (values.size() != layout.devices())
        throw RunError("cannot write " + file + ": varied parameter " + path + " has " +
                       std::to_string(values.size()) + " values for " + std::to_string(layout.devices()) + " devices");
      w.doubles(parameters.get(), path, shape, values.data());
    }
  }
  {
    Handle sweep = w.group(root, "sweep");
    std::vector<double> point_values(config.sweep.points * config.sweep.axes.size());
    for (std::size_t a = 0; a < config.sweep.axes.size(); ++a) {
      const std::string name = "axis" + std::to_string(a);
      const auto& values = config.sweep.axes[a].values;
      w.doubles(sweep.get(), name, {values.size()}, values.data());
      Handle set(H5Dopen2(sweep.get(), name.c_str(), H5P_DEFAULT), H5Dclose, "open dataset " + name, file);
      w.text_attribute(set.get(), "path", config.sweep.axes[a].path);
      for (std::size_t p = 0; p < config.sweep.points; ++p)
        point_values[p * config.sweep.axes.size() + a] = config.sweep.value(p, a);
    }
    if (!config.sweep.axes.empty())
      w.doubles(sweep.get(), "point_values", {config.sweep.points, config.sweep.axes.size()}, point_values.data());
  }
  if (!h5.close()) throw RunError("cannot write " + file + ": HDF5 could not close (flush) the file");
}

}  // namespace

void write_results_h5(const std::string& path, const RunConfig& config, const ExperimentResult& result) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // errors become RunErrors naming the file, not HDF5 stacks
  write_atomically_with(path, [&](const std::string& temporary) { write_content(temporary, config, result); });
}

}  // namespace spinnet
