#pragma once
// The results store: one HDF5 layout for everything NeuroLens computes (counts,
// latents, attributions, probe results, sessions), readable with plain h5py.
// Layout documented in docs/results-store.md. Writes are atomic: the file appears
// under its name only after commit(); destroying an uncommitted writer removes
// the partial file.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "neurolens/core/ndarray.h"

namespace neurolens::io {

class ResultsWriter {
 public:
  explicit ResultsWriter(const std::filesystem::path& file);
  ~ResultsWriter();
  ResultsWriter(const ResultsWriter&) = delete;
  ResultsWriter& operator=(const ResultsWriter&) = delete;

  // Dataset paths like "/counts" or "/probe/r2_per_dim"; parent groups are created.
  void writeArray(const std::string& path, const FloatArray& array);
  void writeDoubles(const std::string& path, const std::vector<double>& values);
  void writeInt64s(const std::string& path, const std::vector<std::int64_t>& values);
  void writeStrings(const std::string& path, const std::vector<std::string>& values);
  // Attributes on the root ("/") or on an existing object.
  void writeAttribute(const std::string& objectPath, const std::string& name, const std::string& value);
  void writeAttribute(const std::string& objectPath, const std::string& name, double value);

  // Streaming: a float32 dataset whose first axis is filled in slabs, so results
  // larger than memory (attributions of a whole recording) never sit in RAM whole.
  class Stream {
   public:
    // Writes rows [firstRow, firstRow + slab.dim(0)) of the dataset.
    void write(std::size_t firstRow, const FloatArray& slab);
    // Writes the block whose first element is at `offset` (one index per axis; the block's shape says how far
    // it reaches on each), e.g. a block of units [trials, bins, some units] of /counts.
    void writeBlock(const std::vector<std::size_t>& offset, const FloatArray& block);

   private:
    friend class ResultsWriter;
    Stream(ResultsWriter* owner, std::string path, std::vector<std::size_t> shape)
        : owner_(owner), path_(std::move(path)), shape_(std::move(shape)) {}
    ResultsWriter* owner_;  // not owning: a Stream lives inside its writer's scope
    std::string path_;
    std::vector<std::size_t> shape_;
  };
  // `chunk` (empty: a contiguous dataset) stores the dataset in HDF5 chunks of that shape, so that blocks
  // covering whole chunks are written without touching the rest of the file (each axis clipped to the shape).
  Stream createStream(const std::string& path, const std::vector<std::size_t>& shape,
                      const std::vector<std::size_t>& chunk = {});

  void commit();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class ResultsReader {
 public:
  explicit ResultsReader(const std::filesystem::path& file);  // throws InputError
  ~ResultsReader();
  ResultsReader(const ResultsReader&) = delete;
  ResultsReader& operator=(const ResultsReader&) = delete;

  [[nodiscard]] bool has(const std::string& path) const;
  [[nodiscard]] FloatArray readArray(const std::string& path) const;
  [[nodiscard]] std::vector<double> readDoubles(const std::string& path) const;
  [[nodiscard]] std::vector<std::int64_t> readInt64s(const std::string& path) const;
  [[nodiscard]] std::vector<std::string> readStrings(const std::string& path) const;
  [[nodiscard]] std::string readStringAttribute(const std::string& objectPath, const std::string& name) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace neurolens::io
