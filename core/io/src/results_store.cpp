// The results store (layout: docs/results-store.md). Plain HDF5 that h5py reads
// without NeuroLens: float32 arrays, float64 / int64 vectors, UTF-8 strings,
// attributes saying what made the file.
#include "neurolens/io/results_store.h"

#include <algorithm>
#include <optional>

#include "h5_util.h"
#include "neurolens/core/atomic_file.h"
#include "neurolens/core/errors.h"
#include "neurolens/core/version.h"
#include "neurolens/io/hdf5_session.h"

namespace neurolens::io {
namespace {

std::vector<hsize_t> toDims(const std::vector<std::size_t>& shape) { return {shape.begin(), shape.end()}; }

std::string parentOf(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos || slash == 0 ? "/" : path.substr(0, slash);
}

void checkPath(const std::string& path, const std::string& where) {
  if (path.empty() || path == "/" || path.back() == '/')
    throw ComputeError(where + ": '" + path + "' is not a dataset path");
}

}  // namespace

struct ResultsWriter::Impl {
  std::string where;
  std::optional<AtomicFile> output;  // declared before the file so the file closes first
  h5::Handle file;

  h5::Handle prepare(const std::string& path) {
    if (!file.valid()) throw ComputeError(where + ": the results file was already committed");
    checkPath(path, where);
    const std::string parent = parentOf(path);
    if (parent != "/") h5::createGroups(file.get(), parent);
    if (H5Lexists(file.get(), path.c_str(), H5P_DEFAULT) > 0) H5Ldelete(file.get(), path.c_str(), H5P_DEFAULT);
    return h5::groupHandle(H5Gopen2(file.get(), parent.c_str(), H5P_DEFAULT));
  }
};

ResultsWriter::ResultsWriter(const std::filesystem::path& file) : impl_(std::make_unique<Impl>()) {
  quietHdf5Errors();
  impl_->where = file.string();
  impl_->output.emplace(file);
  impl_->file =
      h5::fileHandle(H5Fcreate(impl_->output->temporaryPath().c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
  if (!impl_->file.valid())
    throw InputError(impl_->where + ": cannot create the results file there (permissions? read-only folder?)");
  h5::Handle root = h5::groupHandle(H5Gopen2(impl_->file.get(), "/", H5P_DEFAULT));
  h5::writeStringAttribute(root.get(), "format", "neurolens-results");
  h5::writeStringAttribute(root.get(), "format_version", "1");
  h5::writeStringAttribute(root.get(), "created_by", "NeuroLens " + versionString());
}

ResultsWriter::~ResultsWriter() {
  if (impl_) impl_->file.reset();  // then AtomicFile removes the uncommitted temporary file
}

void ResultsWriter::writeArray(const std::string& path, const FloatArray& array) {
  h5::Handle parent = impl_->prepare(path);
  const auto slash = path.rfind('/');
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  h5::writeDataset(parent.get(), name, H5T_NATIVE_FLOAT, toDims(array.shape()), array.data(),
                   impl_->where + ": " + path);
}

void ResultsWriter::writeDoubles(const std::string& path, const std::vector<double>& values) {
  h5::Handle parent = impl_->prepare(path);
  const std::string name = path.substr(path.rfind('/') + 1);
  h5::writeDataset(parent.get(), name, H5T_NATIVE_DOUBLE, {values.size()}, values.data(), impl_->where + ": " + path);
}

void ResultsWriter::writeInt64s(const std::string& path, const std::vector<std::int64_t>& values) {
  h5::Handle parent = impl_->prepare(path);
  const std::string name = path.substr(path.rfind('/') + 1);
  h5::writeDataset(parent.get(), name, H5T_NATIVE_INT64, {values.size()}, values.data(), impl_->where + ": " + path);
}

void ResultsWriter::writeStrings(const std::string& path, const std::vector<std::string>& values) {
  h5::Handle parent = impl_->prepare(path);
  const std::string name = path.substr(path.rfind('/') + 1);
  h5::writeStringDataset(parent.get(), name, values, false, impl_->where + ": " + path);
}

namespace {
h5::Handle openObject(hid_t file, const std::string& objectPath, const std::string& where) {
  h5::Handle object(H5Oopen(file, objectPath.empty() ? "/" : objectPath.c_str(), H5P_DEFAULT), H5Oclose);
  if (!object.valid()) throw ComputeError(where + ": no object " + objectPath + " to attach an attribute to");
  return object;
}
}  // namespace

void ResultsWriter::writeAttribute(const std::string& objectPath, const std::string& name, const std::string& value) {
  if (!impl_->file.valid()) throw ComputeError(impl_->where + ": the results file was already committed");
  h5::Handle object = openObject(impl_->file.get(), objectPath, impl_->where);
  h5::writeStringAttribute(object.get(), name, value);
}

void ResultsWriter::writeAttribute(const std::string& objectPath, const std::string& name, double value) {
  if (!impl_->file.valid()) throw ComputeError(impl_->where + ": the results file was already committed");
  h5::Handle object = openObject(impl_->file.get(), objectPath, impl_->where);
  h5::writeDoubleAttribute(object.get(), name, value);
}

ResultsWriter::Stream ResultsWriter::createStream(const std::string& path, const std::vector<std::size_t>& shape,
                                                  const std::vector<std::size_t>& chunk) {
  if (shape.empty()) throw ComputeError(impl_->where + ": " + path + ": a stream needs at least one axis");
  if (!chunk.empty() && chunk.size() != shape.size())
    throw ComputeError(impl_->where + ": " + path + ": the chunk shape has another rank than the dataset");
  h5::Handle parent = impl_->prepare(path);
  const std::string name = path.substr(path.rfind('/') + 1);
  const auto dims = toDims(shape);
  h5::Handle space = h5::dataspaceHandle(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr));
  h5::Handle create = h5::plistHandle(H5Pcreate(H5P_DATASET_CREATE));
  H5Pset_fill_value(create.get(), H5T_NATIVE_FLOAT, nullptr);  // rows never written read as 0
  bool empty = false;
  for (const auto extent : shape) empty = empty || extent == 0;
  if (!chunk.empty() && !empty) {  // HDF5 refuses chunks on an empty dataset
    std::vector<hsize_t> chunkDims;
    for (std::size_t axis = 0; axis < shape.size(); ++axis)
      chunkDims.push_back(std::max<hsize_t>(1, std::min<hsize_t>(chunk[axis], shape[axis])));
    if (H5Pset_chunk(create.get(), static_cast<int>(chunkDims.size()), chunkDims.data()) < 0)
      throw ComputeError(impl_->where + ": " + path + ": cannot set the chunk shape");
  }
  h5::Handle dataset = h5::datasetHandle(
      H5Dcreate2(parent.get(), name.c_str(), H5T_IEEE_F32LE, space.get(), H5P_DEFAULT, create.get(), H5P_DEFAULT));
  if (!dataset.valid()) throw ComputeError(impl_->where + ": " + path + ": cannot create the dataset");
  return Stream(this, path, shape);
}

void ResultsWriter::Stream::write(std::size_t firstRow, const FloatArray& slab) {
  const std::string where = owner_->impl_->where + ": " + path_;
  if (!owner_->impl_->file.valid()) throw ComputeError(where + ": the results file was already committed");
  if (slab.rank() != shape_.size()) throw ComputeError(where + ": the slab's rank does not match the dataset");
  for (std::size_t axis = 1; axis < shape_.size(); ++axis)
    if (slab.dim(axis) != shape_[axis]) throw ComputeError(where + ": the slab's shape does not match the dataset");
  if (firstRow + slab.dim(0) > shape_[0]) throw ComputeError(where + ": rows beyond the end of the dataset");
  if (slab.dim(0) == 0) return;
  h5::Handle dataset = h5::datasetHandle(H5Dopen2(owner_->impl_->file.get(), path_.c_str(), H5P_DEFAULT));
  h5::Handle fileSpace = h5::dataspaceHandle(H5Dget_space(dataset.get()));
  std::vector<hsize_t> start(shape_.size(), 0);
  if (start.empty()) throw ComputeError(where + ": a dataset of rank 0 has no rows");
  start[0] = firstRow;
  const auto count = toDims(slab.shape());
  H5Sselect_hyperslab(fileSpace.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr);
  h5::Handle memSpace = h5::dataspaceHandle(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr));
  if (H5Dwrite(dataset.get(), H5T_NATIVE_FLOAT, memSpace.get(), fileSpace.get(), H5P_DEFAULT, slab.data()) < 0)
    throw ComputeError(where + ": cannot write rows (disk full?)");
}

void ResultsWriter::Stream::writeBlock(const std::vector<std::size_t>& offset, const FloatArray& block) {
  const std::string where = owner_->impl_->where + ": " + path_;
  if (!owner_->impl_->file.valid()) throw ComputeError(where + ": the results file was already committed");
  if (block.rank() != shape_.size() || offset.size() != shape_.size())
    throw ComputeError(where + ": the block's rank does not match the dataset");
  for (std::size_t axis = 0; axis < shape_.size(); ++axis)
    if (offset[axis] + block.dim(axis) > shape_[axis])
      throw ComputeError(where + ": the block reaches beyond the end of the dataset");
  if (block.empty()) return;
  h5::Handle dataset = h5::datasetHandle(H5Dopen2(owner_->impl_->file.get(), path_.c_str(), H5P_DEFAULT));
  h5::Handle fileSpace = h5::dataspaceHandle(H5Dget_space(dataset.get()));
  const auto start = toDims(offset);
  const auto count = toDims(block.shape());
  H5Sselect_hyperslab(fileSpace.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr);
  h5::Handle memSpace = h5::dataspaceHandle(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr));
  if (H5Dwrite(dataset.get(), H5T_NATIVE_FLOAT, memSpace.get(), fileSpace.get(), H5P_DEFAULT, block.data()) < 0)
    throw ComputeError(where + ": cannot write the block (disk full?)");
}

void ResultsWriter::commit() {
  if (!impl_->file.valid()) throw ComputeError(impl_->where + ": the results file was already committed");
  if (H5Fflush(impl_->file.get(), H5F_SCOPE_GLOBAL) < 0)
    throw ComputeError(impl_->where + ": cannot write the results (disk full?)");
  const herr_t closed = H5Fclose(impl_->file.get());
  impl_->file = h5::Handle();
  if (closed < 0) throw ComputeError(impl_->where + ": cannot close the results file (disk full?)");
  impl_->output->commit();
}

// ---- reader ------------------------------------------------------------------------

struct ResultsReader::Impl {
  std::string where;
  h5::Handle file;

  h5::Handle open(const std::string& path) const {
    if (!h5::isDataset(file.get(), path)) throw InputError(where + ": no dataset " + path + " in this results file");
    h5::Handle dataset = h5::datasetHandle(H5Dopen2(file.get(), path.c_str(), H5P_DEFAULT));
    if (!dataset.valid()) throw InputError(where + ": " + path + " cannot be opened (damaged file?)");
    return dataset;
  }
};

ResultsReader::ResultsReader(const std::filesystem::path& file) : impl_(std::make_unique<Impl>()) {
  impl_->where = file.string();
  impl_->file = h5::openFileReadOnly(impl_->where);
}

ResultsReader::~ResultsReader() = default;

bool ResultsReader::has(const std::string& path) const { return h5::pathExists(impl_->file.get(), path); }

FloatArray ResultsReader::readArray(const std::string& path) const {
  h5::Handle dataset = impl_->open(path);
  const std::string where = impl_->where + ": " + path;
  const auto info = h5::describe(dataset.get(), where);
  if (!h5::isNumericClass(info.typeClass)) throw InputError(where + ": not a numeric array");
  std::vector<std::size_t> shape(info.shape.begin(), info.shape.end());
  FloatArray array(shape);
  if (!array.empty() && H5Dread(dataset.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, array.data()) < 0)
    throw InputError(where + ": the values cannot be read (truncated or damaged file)");
  return array;
}

std::vector<double> ResultsReader::readDoubles(const std::string& path) const {
  h5::Handle dataset = impl_->open(path);
  return h5::readDoubles(dataset.get(), impl_->where + ": " + path);
}

std::vector<std::int64_t> ResultsReader::readInt64s(const std::string& path) const {
  h5::Handle dataset = impl_->open(path);
  return h5::readInt64s(dataset.get(), impl_->where + ": " + path);
}

std::vector<std::string> ResultsReader::readStrings(const std::string& path) const {
  h5::Handle dataset = impl_->open(path);
  return h5::readStrings(dataset.get(), impl_->where + ": " + path);
}

std::string ResultsReader::readStringAttribute(const std::string& objectPath, const std::string& name) const {
  if (objectPath != "/" && !h5::pathExists(impl_->file.get(), objectPath))
    throw InputError(impl_->where + ": no object " + objectPath);
  h5::Handle object(H5Oopen(impl_->file.get(), objectPath.c_str(), H5P_DEFAULT), H5Oclose);
  if (!object.valid() || !h5::hasAttribute(object.get(), name))
    throw InputError(impl_->where + ": " + objectPath + " has no attribute " + name);
  return h5::readStringAttribute(object.get(), name);
}

}  // namespace neurolens::io
