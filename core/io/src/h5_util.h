#pragma once
// Thin RAII layer over the HDF5 C API, private to neurolens_io. Every failure is
// turned into an InputError (reading) or ComputeError (writing) whose message
// names the file and the object, so no HDF5 stack dump or error code escapes.
#include <hdf5.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace neurolens::io::h5 {

// Owns one HDF5 identifier and closes it with the matching H5?close.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  ~Handle() { reset(); }
  Handle(Handle&& other) noexcept : id_(std::exchange(other.id_, H5I_INVALID_HID)), closer_(other.closer_) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
      closer_ = other.closer_;
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  [[nodiscard]] hid_t get() const { return id_; }
  [[nodiscard]] bool valid() const { return id_ >= 0; }
  void reset() {
    if (id_ >= 0 && closer_ != nullptr) closer_(id_);
    id_ = H5I_INVALID_HID;
  }

 private:
  hid_t id_ = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

Handle fileHandle(hid_t id);
Handle groupHandle(hid_t id);
Handle datasetHandle(hid_t id);
Handle dataspaceHandle(hid_t id);
Handle datatypeHandle(hid_t id);
Handle attributeHandle(hid_t id);
Handle plistHandle(hid_t id);

// Opens an existing HDF5 file read-only; InputError for a missing path, a folder,
// an empty or truncated file, or a file that is not HDF5.
Handle openFileReadOnly(const std::string& file);

// True when every component of the slash-separated path exists under loc.
bool pathExists(hid_t loc, const std::string& path);
bool isGroup(hid_t loc, const std::string& path);
bool isDataset(hid_t loc, const std::string& path);

// Names of the direct members of a group, in creation (or name) order.
// The names of a group's links; throws InputError naming `where` when the group's link table is damaged.
std::vector<std::string> memberNames(hid_t group, const std::string& where);
// A hard link whose object cannot be read (a damaged object header): libhdf5 then says only that the object
// does not exist, which must not pass for an optional member that is absent.
bool isDamagedMember(hid_t group, const std::string& name);

// Reading. `where` is "<file>: <object>" for messages.
struct DatasetInfo {
  H5T_class_t typeClass = H5T_NO_CLASS;
  bool isSigned = false;
  bool isVariableString = false;
  H5R_type_t referenceKind = H5R_BADTYPE;
  std::vector<hsize_t> shape;
  [[nodiscard]] std::size_t elements() const;
};
DatasetInfo describe(hid_t dataset, const std::string& where);

bool isNumericClass(H5T_class_t typeClass);
std::vector<double> readDoubles(hid_t dataset, const std::string& where);
// Rows [first, first + count) of a 1-D dataset, converted to double.
void readDoubleSlab(hid_t dataset, hsize_t first, hsize_t count, double* out, const std::string& where);
// Integer dataset as unsigned 64-bit (negative values are refused).
std::vector<std::uint64_t> readIndex(hid_t dataset, const std::string& where);
std::vector<std::int64_t> readInt64s(hid_t dataset, const std::string& where);
std::vector<std::string> readStrings(hid_t dataset, const std::string& where);
// Object references resolved to the name (last path component) of their target.
std::vector<std::string> readReferenceNames(hid_t dataset, const std::string& where);

bool hasAttribute(hid_t object, const std::string& name);
std::string readStringAttribute(hid_t object, const std::string& name, const std::string& fallback = {});
std::vector<std::string> readStringArrayAttribute(hid_t object, const std::string& name);
double readDoubleAttribute(hid_t object, const std::string& name, double fallback);

// Writing (ComputeError on failure).
Handle createGroups(hid_t file, const std::string& path);  // like mkdir -p; returns the last group
void writeStringAttribute(hid_t object, const std::string& name, const std::string& value);
void writeStringArrayAttribute(hid_t object, const std::string& name, const std::vector<std::string>& values);
void writeDoubleAttribute(hid_t object, const std::string& name, double value);
void writeFloatAttribute(hid_t object, const std::string& name, float value);
void writeInt32Attribute(hid_t object, const std::string& name, std::int32_t value);
void writeReferenceAttribute(hid_t object, const std::string& name, hid_t file, const std::string& targetPath);
// Datasets of native types; an empty shape means a scalar.
Handle writeDataset(hid_t loc, const std::string& name, hid_t memType, const std::vector<hsize_t>& shape,
                    const void* data, const std::string& where);
Handle writeStringDataset(hid_t loc, const std::string& name, const std::vector<std::string>& values, bool scalar,
                          const std::string& where);

}  // namespace neurolens::io::h5
