// Reading results.h5 in tests: dataset names, shapes, values and attributes (HDF5 C API).
#pragma once

#include <hdf5.h>

#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace spinnet::test {

struct Dataset {
  std::vector<hsize_t> shape;
  std::vector<double> values;
};

/// Every float64 dataset of the file by full name ("/observables/frequency_Hz").
inline std::map<std::string, Dataset> read_h5_datasets(const std::string& file) {
  std::map<std::string, Dataset> out;
  const hid_t h5 = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (h5 < 0) throw std::runtime_error("cannot open " + file);
  struct Context {
    hid_t file;
    std::map<std::string, Dataset>* out;
  } context{h5, &out};
  H5Ovisit(
      h5, H5_INDEX_NAME, H5_ITER_NATIVE,
      [](hid_t root, const char* name, const H5O_info_t* info, void* data) -> herr_t {
        if (info->type != H5O_TYPE_DATASET) return 0;
        auto* c = static_cast<Context*>(data);
        const hid_t set = H5Dopen2(root, name, H5P_DEFAULT);
        const hid_t space = H5Dget_space(set);
        Dataset d;
        d.shape.resize(static_cast<std::size_t>(H5Sget_simple_extent_ndims(space)));
        H5Sget_simple_extent_dims(space, d.shape.data(), nullptr);
        d.values.resize(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)));
        H5Dread(set, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, d.values.data());
        H5Sclose(space);
        H5Dclose(set);
        (*c->out)[std::string("/").append(name)] = std::move(d);
        return 0;
      },
      &context);
  H5Fclose(h5);
  return out;
}

/// A string attribute of the root group.
inline std::string read_h5_text_attribute(const std::string& file, const std::string& name) {
  const hid_t h5 = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (h5 < 0) throw std::runtime_error("cannot open " + file);
  const hid_t attribute = H5Aopen(h5, name.c_str(), H5P_DEFAULT);
  const hid_t type = H5Aget_type(attribute);
  std::string value(H5Tget_size(type), '\0');
  H5Aread(attribute, type, value.data());
  H5Tclose(type);
  H5Aclose(attribute);
  H5Fclose(h5);
  return value.substr(0, std::strlen(value.c_str()));
}

/// Bitwise equality of two runs' datasets: the same names, shapes and bytes.
inline std::string compare_h5_datasets(const std::string& a, const std::string& b) {
  const auto da = read_h5_datasets(a), db = read_h5_datasets(b);
  if (da.size() != db.size()) return "different dataset counts " + std::to_string(da.size()) + " and " + std::to_string(db.size());
  for (const auto& [name, set] : da) {
    const auto it = db.find(name);
    if (it == db.end()) return name + " is missing from " + b;
    if (it->second.shape != set.shape) return name + " has different shapes";
    if (std::memcmp(it->second.values.data(), set.values.data(), set.values.size() * sizeof(double)) != 0)
      return name + " differs";
  }
  return "";
}

}  // namespace spinnet::test
