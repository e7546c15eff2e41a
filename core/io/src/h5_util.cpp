#include "h5_util.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <memory>
#include <system_error>

#include "neurolens/core/errors.h"
#include "neurolens/io/hdf5_session.h"

namespace neurolens::io::h5 {

Handle fileHandle(hid_t id) { return {id, H5Fclose}; }
Handle groupHandle(hid_t id) { return {id, H5Gclose}; }
Handle datasetHandle(hid_t id) { return {id, H5Dclose}; }
Handle dataspaceHandle(hid_t id) { return {id, H5Sclose}; }
Handle datatypeHandle(hid_t id) { return {id, H5Tclose}; }
Handle attributeHandle(hid_t id) { return {id, H5Aclose}; }
Handle plistHandle(hid_t id) { return {id, H5Pclose}; }

namespace {

[[noreturn]] void failRead(const std::string& where, const std::string& problem) {
  throw InputError(where + ": " + problem);
}

[[noreturn]] void failWrite(const std::string& where, const std::string& problem) {
  throw ComputeError(where + ": " + problem);
}

Handle variableStringType() {
  Handle type = datatypeHandle(H5Tcopy(H5T_C_S1));
  H5Tset_size(type.get(), H5T_VARIABLE);
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  return type;
}

std::vector<std::string> splitPath(const std::string& path) {
  std::vector<std::string> parts;
  std::string current;
  for (char c : path) {
    if (c == '/') {
      if (!current.empty()) parts.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) parts.push_back(current);
  return parts;
}

}  // namespace

Handle openFileReadOnly(const std::string& file) {
  quietHdf5Errors();
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status status = fs::status(file, ec);
  if (ec || !fs::exists(status)) failRead(file, "no such file");
  if (fs::is_directory(status)) failRead(file, "is a folder, not an NWB file");
  if (!fs::is_regular_file(status)) failRead(file, "is not a regular file");
  const auto size = fs::file_size(file, ec);
  if (ec) failRead(file, "cannot be read (" + ec.message() + ")");
  if (size == 0) failRead(file, "the file is empty");
  const htri_t isHdf5 = H5Fis_hdf5(file.c_str());
  if (isHdf5 <= 0) failRead(file, "is not an NWB file (not HDF5: no HDF5 signature found)");
  Handle access = plistHandle(H5Pcreate(H5P_FILE_ACCESS));
  H5Pset_fclose_degree(access.get(), H5F_CLOSE_STRONG);
  Handle handle = fileHandle(H5Fopen(file.c_str(), H5F_ACC_RDONLY, access.get()));
  if (!handle.valid()) failRead(file, "cannot be opened as HDF5: the file is truncated or damaged");
  return handle;
}

bool pathExists(hid_t loc, const std::string& path) {
  std::string prefix = path.rfind('/', 0) == 0 ? "/" : "";
  for (const auto& part : splitPath(path)) {
    prefix += part;
    if (H5Lexists(loc, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    if (H5Oexists_by_name(loc, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    prefix += '/';
  }
  return true;
}

namespace {
H5O_type_t objectType(hid_t loc, const std::string& path) {
  if (!pathExists(loc, path)) return H5O_TYPE_UNKNOWN;
  H5O_info_t info;
  if (H5Oget_info_by_name(loc, path.c_str(), &info, H5P_DEFAULT) < 0) return H5O_TYPE_UNKNOWN;
  return info.type;
}
}  // namespace

bool isGroup(hid_t loc, const std::string& path) { return objectType(loc, path) == H5O_TYPE_GROUP; }
bool isDataset(hid_t loc, const std::string& path) { return objectType(loc, path) == H5O_TYPE_DATASET; }

std::vector<std::string> memberNames(hid_t group, const std::string& where) {
  std::vector<std::string> names;
  H5G_info_t info;
  if (H5Gget_info(group, &info) < 0) failRead(where, "its members cannot be listed (damaged file?)");
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t length = H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    if (length <= 0) failRead(where, "the name of one of its members cannot be read (damaged file?)");
    std::string name(static_cast<std::size_t>(length), '\0');
    if (H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size() + 1, H5P_DEFAULT) < 0)
      failRead(where, "the name of one of its members cannot be read (damaged file?)");
    names.push_back(name);
  }
  return names;
}

bool isDamagedMember(hid_t group, const std::string& name) {
  H5L_info_t link;
  if (H5Lget_info(group, name.c_str(), &link, H5P_DEFAULT) < 0) return true;
  if (link.type != H5L_TYPE_HARD) return false;  // a soft or external link may dangle by design
  H5O_info_t object;
  return H5Oget_info_by_name(group, name.c_str(), &object, H5P_DEFAULT) < 0;
}

std::size_t DatasetInfo::elements() const {
  std::size_t n = 1;
  for (auto d : shape) n *= static_cast<std::size_t>(d);
  return n;
}

DatasetInfo describe(hid_t dataset, const std::string& where) {
  DatasetInfo info;
  Handle type = datatypeHandle(H5Dget_type(dataset));
  Handle space = dataspaceHandle(H5Dget_space(dataset));
  if (!type.valid() || !space.valid()) failRead(where, "the dataset cannot be read (damaged file?)");
  info.typeClass = H5Tget_class(type.get());
  if (info.typeClass == H5T_INTEGER) info.isSigned = H5Tget_sign(type.get()) == H5T_SGN_2;
  if (info.typeClass == H5T_STRING) info.isVariableString = H5Tis_variable_str(type.get()) > 0;
  if (info.typeClass == H5T_REFERENCE)
    info.referenceKind = H5Tequal(type.get(), H5T_STD_REF_OBJ) > 0 ? H5R_OBJECT : H5R_DATASET_REGION;
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) failRead(where, "the dataset's shape cannot be read (damaged file?)");
  info.shape.resize(static_cast<std::size_t>(rank));
  if (rank > 0) H5Sget_simple_extent_dims(space.get(), info.shape.data(), nullptr);
  // A damaged file can claim any shape. Refuse more values than the file could
  // hold even compressed (gzip tops out near 1:1032), before allocating for them.
  const Handle file = fileHandle(H5Iget_file_id(dataset));
  hsize_t fileBytes = 0;
  if (!file.valid() || H5Fget_filesize(file.get(), &fileBytes) < 0) fileBytes = 0;
  const long double limit = 1100.0L * static_cast<long double>(fileBytes) + static_cast<long double>(1U << 20);
  long double claimed = 1.0L;
  for (auto d : info.shape) claimed *= static_cast<long double>(d);
  if (claimed > limit)
    failRead(where, "claims " + std::to_string(static_cast<double>(claimed)) + " values, more than a file of " +
                        std::to_string(fileBytes) + " bytes can hold (damaged file?)");
  return info;
}

bool isNumericClass(H5T_class_t typeClass) { return typeClass == H5T_INTEGER || typeClass == H5T_FLOAT; }

std::vector<double> readDoubles(hid_t dataset, const std::string& where) {
  const DatasetInfo info = describe(dataset, where);
  if (!isNumericClass(info.typeClass))
    failRead(where, "holds text or other non-numeric values where numbers are expected");
  std::vector<double> values(info.elements());
  if (!values.empty() && H5Dread(dataset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0)
    failRead(where, "the values cannot be read (truncated or damaged file)");
  return values;
}

void readDoubleSlab(hid_t dataset, hsize_t first, hsize_t count, double* out, const std::string& where) {
  if (count == 0) return;
  Handle fileSpace = dataspaceHandle(H5Dget_space(dataset));
  if (H5Sselect_hyperslab(fileSpace.get(), H5S_SELECT_SET, &first, nullptr, &count, nullptr) < 0)
    failRead(where, "rows " + std::to_string(first) + ".." + std::to_string(first + count) + " are out of range");
  Handle memSpace = dataspaceHandle(H5Screate_simple(1, &count, nullptr));
  if (H5Dread(dataset, H5T_NATIVE_DOUBLE, memSpace.get(), fileSpace.get(), H5P_DEFAULT, out) < 0)
    failRead(where, "the values cannot be read (truncated or damaged file)");
}

std::vector<std::int64_t> readInt64s(hid_t dataset, const std::string& where) {
  const DatasetInfo info = describe(dataset, where);
  if (info.typeClass != H5T_INTEGER) failRead(where, "holds non-integer values where integers are expected");
  std::vector<std::int64_t> values(info.elements());
  if (!values.empty() && H5Dread(dataset, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0)
    failRead(where, "the values cannot be read (truncated or damaged file, or values beyond 64-bit range)");
  return values;
}

std::vector<std::uint64_t> readIndex(hid_t dataset, const std::string& where) {
  const DatasetInfo info = describe(dataset, where);
  if (info.typeClass != H5T_INTEGER) failRead(where, "the index holds non-integer values");
  std::vector<std::uint64_t> values(info.elements());
  if (values.empty()) return values;
  if (info.isSigned) {
    const auto signedValues = readInt64s(dataset, where);
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (signedValues[i] < 0) failRead(where, "the index holds a negative value at row " + std::to_string(i));
      values[i] = static_cast<std::uint64_t>(signedValues[i]);
    }
  } else if (H5Dread(dataset, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0) {
    failRead(where, "the index cannot be read (truncated or damaged file)");
  }
  return values;
}

std::vector<std::string> readStrings(hid_t dataset, const std::string& where) {
  const DatasetInfo info = describe(dataset, where);
  if (info.typeClass != H5T_STRING) failRead(where, "holds non-text values where text is expected");
  const std::size_t n = info.elements();
  std::vector<std::string> out;
  out.reserve(n);
  if (n == 0) return out;
  Handle fileType = datatypeHandle(H5Dget_type(dataset));
  Handle space = dataspaceHandle(H5Dget_space(dataset));
  if (info.isVariableString) {
    Handle memType = variableStringType();
    std::vector<char*> pointers(n, nullptr);
    if (H5Dread(dataset, memType.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()) < 0)
      failRead(where, "the text cannot be read (truncated or damaged file)");
    for (char* p : pointers) out.emplace_back(p != nullptr ? p : "");
    H5Dvlen_reclaim(memType.get(), space.get(), H5P_DEFAULT, pointers.data());
  } else {
    const std::size_t width = H5Tget_size(fileType.get());
    if (width == 0 || width > (std::size_t{1} << 20) || n > (std::size_t{1} << 31) / width)
      failRead(where, "has an implausible text width or length (damaged file?)");
    Handle memType = datatypeHandle(H5Tcopy(H5T_C_S1));
    H5Tset_size(memType.get(), width);
    H5Tset_strpad(memType.get(), H5T_STR_NULLPAD);
    std::vector<char> buffer(n * width);
    if (H5Dread(dataset, memType.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data()) < 0)
      failRead(where, "the text cannot be read (truncated or damaged file)");
    for (std::size_t i = 0; i < n; ++i) {
      std::string text(buffer.data() + i * width, width);
      text.erase(std::find(text.begin(), text.end(), '\0'), text.end());
      while (!text.empty() && text.back() == ' ') text.pop_back();
      out.push_back(std::move(text));
    }
  }
  return out;
}

std::vector<std::string> readReferenceNames(hid_t dataset, const std::string& where) {
  const DatasetInfo info = describe(dataset, where);
  if (info.typeClass != H5T_REFERENCE || info.referenceKind != H5R_OBJECT)
    failRead(where, "holds values that are not object references");
  std::vector<hobj_ref_t> refs(info.elements());
  if (!refs.empty() && H5Dread(dataset, H5T_STD_REF_OBJ, H5S_ALL, H5S_ALL, H5P_DEFAULT, refs.data()) < 0)
    failRead(where, "the references cannot be read (truncated or damaged file)");
  std::vector<std::string> names;
  names.reserve(refs.size());
  for (auto& ref : refs) {
    const ssize_t length = H5Rget_name(dataset, H5R_OBJECT, &ref, nullptr, 0);
    if (length <= 0) {
      names.emplace_back();
      continue;
    }
    std::string name(static_cast<std::size_t>(length), '\0');
    H5Rget_name(dataset, H5R_OBJECT, &ref, name.data(), name.size() + 1);
    const auto slash = name.rfind('/');
    names.push_back(slash == std::string::npos ? name : name.substr(slash + 1));
  }
  return names;
}

bool hasAttribute(hid_t object, const std::string& name) { return H5Aexists(object, name.c_str()) > 0; }

std::string readStringAttribute(hid_t object, const std::string& name, const std::string& fallback) {
  if (!hasAttribute(object, name)) return fallback;
  Handle attribute = attributeHandle(H5Aopen(object, name.c_str(), H5P_DEFAULT));
  if (!attribute.valid()) return fallback;
  Handle type = datatypeHandle(H5Aget_type(attribute.get()));
  Handle space = dataspaceHandle(H5Aget_space(attribute.get()));
  if (H5Tget_class(type.get()) != H5T_STRING) return fallback;
  const hssize_t n = H5Sget_simple_extent_npoints(space.get());
  if (n < 1 || n > (1 << 20)) return fallback;
  if (H5Tis_variable_str(type.get()) > 0) {
    Handle memType = variableStringType();
    std::vector<char*> pointers(static_cast<std::size_t>(n), nullptr);
    if (H5Aread(attribute.get(), memType.get(), pointers.data()) < 0) return fallback;
    std::string text = pointers[0] != nullptr ? pointers[0] : "";
    H5Dvlen_reclaim(memType.get(), space.get(), H5P_DEFAULT, pointers.data());
    return text;
  }
  const std::size_t width = H5Tget_size(type.get());
  if (width == 0 || width > (std::size_t{1} << 20) || static_cast<std::size_t>(n) > (std::size_t{1} << 24) / width)
    return fallback;
  Handle memType = datatypeHandle(H5Tcopy(H5T_C_S1));
  H5Tset_size(memType.get(), width);
  std::vector<char> buffer(width * static_cast<std::size_t>(n) + 1, '\0');
  if (H5Aread(attribute.get(), memType.get(), buffer.data()) < 0) return fallback;
  std::string text(buffer.data(), width);
  text.erase(std::find(text.begin(), text.end(), '\0'), text.end());
  return text;
}

std::vector<std::string> readStringArrayAttribute(hid_t object, const std::string& name) {
  std::vector<std::string> out;
  if (!hasAttribute(object, name)) return out;
  Handle attribute = attributeHandle(H5Aopen(object, name.c_str(), H5P_DEFAULT));
  if (!attribute.valid()) return out;
  Handle type = datatypeHandle(H5Aget_type(attribute.get()));
  Handle space = dataspaceHandle(H5Aget_space(attribute.get()));
  const hssize_t n = H5Sget_simple_extent_npoints(space.get());
  if (H5Tget_class(type.get()) != H5T_STRING || n < 1 || n > (1 << 20)) return out;
  if (H5Tis_variable_str(type.get()) > 0) {
    Handle memType = variableStringType();
    std::vector<char*> pointers(static_cast<std::size_t>(n), nullptr);
    if (H5Aread(attribute.get(), memType.get(), pointers.data()) < 0) return out;
    for (char* p : pointers) out.emplace_back(p != nullptr ? p : "");
    H5Dvlen_reclaim(memType.get(), space.get(), H5P_DEFAULT, pointers.data());
    return out;
  }
  const std::size_t width = H5Tget_size(type.get());
  if (width == 0 || width > (std::size_t{1} << 16) || static_cast<std::size_t>(n) > (std::size_t{1} << 24) / width)
    return out;
  Handle memType = datatypeHandle(H5Tcopy(H5T_C_S1));
  H5Tset_size(memType.get(), width);
  H5Tset_strpad(memType.get(), H5T_STR_NULLPAD);
  std::vector<char> buffer(width * static_cast<std::size_t>(n), '\0');
  if (H5Aread(attribute.get(), memType.get(), buffer.data()) < 0) return out;
  for (std::size_t i = 0; i < static_cast<std::size_t>(n); ++i) {
    std::string text(buffer.data() + i * width, width);
    text.erase(std::find(text.begin(), text.end(), '\0'), text.end());
    out.push_back(std::move(text));
  }
  return out;
}

double readDoubleAttribute(hid_t object, const std::string& name, double fallback) {
  if (!hasAttribute(object, name)) return fallback;
  Handle attribute = attributeHandle(H5Aopen(object, name.c_str(), H5P_DEFAULT));
  if (!attribute.valid()) return fallback;
  Handle type = datatypeHandle(H5Aget_type(attribute.get()));
  Handle space = dataspaceHandle(H5Aget_space(attribute.get()));
  if (!isNumericClass(H5Tget_class(type.get())) || H5Sget_simple_extent_npoints(space.get()) != 1) return fallback;
  double value = fallback;
  if (H5Aread(attribute.get(), H5T_NATIVE_DOUBLE, &value) < 0) return fallback;
  return value;
}

// ---- writing -----------------------------------------------------------------

Handle createGroups(hid_t file, const std::string& path) {
  Handle current = groupHandle(H5Gopen2(file, "/", H5P_DEFAULT));
  std::string prefix;
  for (const auto& part : splitPath(path)) {
    prefix += "/" + part;
    if (H5Lexists(file, prefix.c_str(), H5P_DEFAULT) > 0) {
      current = groupHandle(H5Gopen2(file, prefix.c_str(), H5P_DEFAULT));
    } else {
      current = groupHandle(H5Gcreate2(file, prefix.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    }
    if (!current.valid()) failWrite(prefix, "cannot create the group (a dataset of that name exists?)");
  }
  return current;
}

namespace {
void writeAttribute(hid_t object, const std::string& name, hid_t fileType, hid_t memType, hid_t space,
                    const void* data) {
  if (H5Aexists(object, name.c_str()) > 0) H5Adelete(object, name.c_str());
  Handle attribute = attributeHandle(H5Acreate2(object, name.c_str(), fileType, space, H5P_DEFAULT, H5P_DEFAULT));
  if (!attribute.valid() || H5Awrite(attribute.get(), memType, data) < 0)
    failWrite("attribute " + name, "cannot be written");
}
}  // namespace

void writeStringAttribute(hid_t object, const std::string& name, const std::string& value) {
  Handle type = variableStringType();
  Handle space = dataspaceHandle(H5Screate(H5S_SCALAR));
  const char* pointer = value.c_str();
  writeAttribute(object, name, type.get(), type.get(), space.get(), &pointer);
}

void writeStringArrayAttribute(hid_t object, const std::string& name, const std::vector<std::string>& values) {
  Handle type = variableStringType();
  const hsize_t n = values.size();
  Handle space = dataspaceHandle(H5Screate_simple(1, &n, nullptr));
  std::vector<const char*> pointers;
  pointers.reserve(values.size());
  for (const auto& v : values) pointers.push_back(v.c_str());
  writeAttribute(object, name, type.get(), type.get(), space.get(), pointers.data());
}

void writeDoubleAttribute(hid_t object, const std::string& name, double value) {
  Handle space = dataspaceHandle(H5Screate(H5S_SCALAR));
  writeAttribute(object, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, space.get(), &value);
}

void writeFloatAttribute(hid_t object, const std::string& name, float value) {
  Handle space = dataspaceHandle(H5Screate(H5S_SCALAR));
  writeAttribute(object, name, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, space.get(), &value);
}

void writeInt32Attribute(hid_t object, const std::string& name, std::int32_t value) {
  Handle space = dataspaceHandle(H5Screate(H5S_SCALAR));
  writeAttribute(object, name, H5T_STD_I32LE, H5T_NATIVE_INT32, space.get(), &value);
}

void writeReferenceAttribute(hid_t object, const std::string& name, hid_t file, const std::string& targetPath) {
  hobj_ref_t ref{};
  if (H5Rcreate(&ref, file, targetPath.c_str(), H5R_OBJECT, -1) < 0)
    failWrite(targetPath, "cannot create a reference to it");
  Handle space = dataspaceHandle(H5Screate(H5S_SCALAR));
  writeAttribute(object, name, H5T_STD_REF_OBJ, H5T_STD_REF_OBJ, space.get(), &ref);
}

Handle writeDataset(hid_t loc, const std::string& name, hid_t memType, const std::vector<hsize_t>& shape,
                    const void* data, const std::string& where) {
  Handle space = shape.empty()
                     ? dataspaceHandle(H5Screate(H5S_SCALAR))
                     : dataspaceHandle(H5Screate_simple(static_cast<int>(shape.size()), shape.data(), nullptr));
  Handle fileType = datatypeHandle(H5Tcopy(memType));
  // Little-endian IEEE / two's complement on disk whatever the host (matches h5py's defaults).
  H5Tset_order(fileType.get(), H5T_ORDER_LE);
  Handle linkProps = plistHandle(H5Pcreate(H5P_LINK_CREATE));
  H5Pset_create_intermediate_group(linkProps.get(), 1);
  Handle dataset = datasetHandle(
      H5Dcreate2(loc, name.c_str(), fileType.get(), space.get(), linkProps.get(), H5P_DEFAULT, H5P_DEFAULT));
  if (!dataset.valid()) failWrite(where, "cannot create the dataset (does it exist already?)");
  std::size_t elements = 1;
  for (auto d : shape) elements *= static_cast<std::size_t>(d);
  if (elements > 0 && data != nullptr && H5Dwrite(dataset.get(), memType, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
    failWrite(where, "cannot write the values (disk full?)");
  return dataset;
}

Handle writeStringDataset(hid_t loc, const std::string& name, const std::vector<std::string>& values, bool scalar,
                          const std::string& where) {
  Handle type = variableStringType();
  std::vector<const char*> pointers;
  pointers.reserve(values.size());
  for (const auto& v : values) pointers.push_back(v.c_str());
  const hsize_t n = values.size();
  Handle space = scalar ? dataspaceHandle(H5Screate(H5S_SCALAR)) : dataspaceHandle(H5Screate_simple(1, &n, nullptr));
  Handle linkProps = plistHandle(H5Pcreate(H5P_LINK_CREATE));
  H5Pset_create_intermediate_group(linkProps.get(), 1);
  Handle dataset =
      datasetHandle(H5Dcreate2(loc, name.c_str(), type.get(), space.get(), linkProps.get(), H5P_DEFAULT, H5P_DEFAULT));
  if (!dataset.valid()) failWrite(where, "cannot create the dataset (does it exist already?)");
  if (!pointers.empty() && H5Dwrite(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()) < 0)
    failWrite(where, "cannot write the text (disk full?)");
  return dataset;
}

}  // namespace neurolens::io::h5
