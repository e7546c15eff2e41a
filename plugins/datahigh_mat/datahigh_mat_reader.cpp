#include "datahigh_mat_reader.h"

#include <hdf5.h>
#include <matio.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "neurolens/core/errors.h"

namespace neurolens::datahigh {
namespace {

struct MatCloser {
  void operator()(mat_t* mat) const { Mat_Close(mat); }
};
struct VarFreer {
  void operator()(matvar_t* var) const { Mat_VarFree(var); }
};
using MatFile = std::unique_ptr<mat_t, MatCloser>;
using MatVar = std::unique_ptr<matvar_t, VarFreer>;

// libmatio reads v7.3 files through libhdf5, whose default handler prints a page of error stack on a
// damaged file; the InputError thrown instead says it in one line. The caller's handler comes back after.
class QuietHdf5Errors {
 public:
  QuietHdf5Errors() {
    H5Eget_auto2(H5E_DEFAULT, &handler_, &data_);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  ~QuietHdf5Errors() { H5Eset_auto2(H5E_DEFAULT, handler_, data_); }
  QuietHdf5Errors(const QuietHdf5Errors&) = delete;
  QuietHdf5Errors& operator=(const QuietHdf5Errors&) = delete;

 private:
  H5E_auto2_t handler_ = nullptr;
  void* data_ = nullptr;
};

// Elements the dimensions claim; 0 when their product overflows (a damaged header), which reads as empty.
std::size_t elementCount(const matvar_t& var) {
  std::size_t n = 1;
  for (int i = 0; i < var.rank; ++i) {
    if (var.dims[i] != 0 && n > std::numeric_limits<std::size_t>::max() / var.dims[i]) return 0;
    n *= var.dims[i];
  }
  return n;
}

// libmatio takes a variable's dimensions from its header and its buffer from its data, and a damaged
// file makes them disagree: every read below is checked against the buffer libmatio really holds.
bool bufferHolds(const matvar_t& var, std::size_t elements, std::size_t bytesPerElement) {
  return var.data != nullptr && bytesPerElement > 0 && elements <= var.nbytes / bytesPerElement;
}

// Calls visit(const T* values) with the matrix's buffer typed by its class (a loop per type rather than a
// switch per element: damaged files can claim 67 M elements). Returns false for a non-numeric class.
template <typename Visit>
bool visitNumeric(const matvar_t& var, Visit&& visit) {
  switch (var.class_type) {
    case MAT_C_DOUBLE:
      visit(static_cast<const double*>(var.data));
      return true;
    case MAT_C_SINGLE:
      visit(static_cast<const float*>(var.data));
      return true;
    case MAT_C_INT8:
      visit(static_cast<const std::int8_t*>(var.data));
      return true;
    case MAT_C_UINT8:
      visit(static_cast<const std::uint8_t*>(var.data));
      return true;
    case MAT_C_INT16:
      visit(static_cast<const std::int16_t*>(var.data));
      return true;
    case MAT_C_UINT16:
      visit(static_cast<const std::uint16_t*>(var.data));
      return true;
    case MAT_C_INT32:
      visit(static_cast<const std::int32_t*>(var.data));
      return true;
    case MAT_C_UINT32:
      visit(static_cast<const std::uint32_t*>(var.data));
      return true;
    case MAT_C_INT64:
      visit(static_cast<const std::int64_t*>(var.data));
      return true;
    case MAT_C_UINT64:
      visit(static_cast<const std::uint64_t*>(var.data));
      return true;
    default:
      return false;
  }
}

// `where` names the variable in the error thrown when its buffer is shorter than its dimensions.
std::string charText(const matvar_t* var, const std::string& where) {
  if (var == nullptr || var->data == nullptr) return {};
  if (var->class_type == MAT_C_CELL) {  // {'reach1'}: a 1x1 cell holding a char array
    const bool holdsOne = elementCount(*var) > 0 && bufferHolds(*var, 1, sizeof(matvar_t*));
    return holdsOne ? charText(static_cast<matvar_t* const*>(var->data)[0], where) : std::string{};
  }
  if (var->class_type != MAT_C_CHAR) return {};
  const bool wide = var->data_type == MAT_T_UINT16 || var->data_type == MAT_T_UTF16;
  const std::size_t n = elementCount(*var);
  if (!bufferHolds(*var, n, wide ? 2 : 1))
    throw InputError(where + " says it holds " + std::to_string(n) +
                     " characters but the file holds fewer (truncated or damaged MAT-file?)");
  std::string text;
  text.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    unsigned int code = 0;
    if (wide)
      code = static_cast<const std::uint16_t*>(var->data)[i];
    else
      code = static_cast<const std::uint8_t*>(var->data)[i];
    text.push_back(code < 128 ? static_cast<char>(code) : '?');
  }
  return text;
}

// libmatio hands damaged struct arrays over as they are (no field names, no elements, fewer elements
// than the dimensions say), and its field lookup then dereferences null: refuse them here.
void checkStructIntact(matvar_t& structs, std::size_t elements, const std::string& name) {
  const std::size_t fields = Mat_VarGetNumberOfFields(&structs);
  char* const* names = Mat_VarGetStructFieldnames(&structs);
  bool named = fields > 0 && names != nullptr;
  for (std::size_t i = 0; named && i < fields; ++i) named = names[i] != nullptr;
  if (!named) throw InputError(name + ": struct array 'D' has damaged field names (truncated or damaged MAT-file?)");
  const std::size_t slots = structs.data == nullptr ? 0 : structs.nbytes / sizeof(matvar_t*);
  if (elements > slots / fields)
    throw InputError(name + ": struct array 'D' says it holds " + std::to_string(elements) +
                     " elements but the file holds fewer (truncated or damaged MAT-file?)");
}

// More spikes than this in one 1 ms bin is no recording (and would not fit in memory as spike times).
constexpr double kMaxSpikesPerBin = 1000.0;
// DataHigh holds dense 1 ms count matrices in MATLAB's memory; 2^27 spikes (1 GiB as spike times) is far
// beyond any file it can open, and the cap keeps a damaged compressed file from exhausting memory.
constexpr std::size_t kMaxSpikes = std::size_t{1} << 27;
// A units x 0 matrix holds no values, so its size bounds nothing; 2^20 units is far beyond any recording.
constexpr std::size_t kMaxUnits = std::size_t{1} << 20;
// Deflate, the only compression MATLAB uses (v7 and v7.3), expands at most 1032-fold (zlib's technical
// notes); libmatio hands over a zero-filled buffer of whatever size a damaged header claims.
constexpr std::uintmax_t kMaxDeflateRatio = 1032;

}  // namespace

bool looksLikeMatFile(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  char header[116] = {};
  in.read(header, sizeof header);
  const std::string text(header, static_cast<std::size_t>(in.gcount()));
  // v5/v7: "MATLAB 5.0 MAT-file", v7.3: "MATLAB 7.3 MAT-file" (HDF5 with a MATLAB user block).
  return text.rfind("MATLAB ", 0) == 0 && text.find("MAT-file") != std::string::npos;
}

Recording readDataHighMat(const std::filesystem::path& file, const Progress& progress) {
  const std::string name = file.string();
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) throw InputError(name + ": is a folder, not a MATLAB file");
  if (!std::filesystem::exists(file, ec)) throw InputError(name + ": no such file");
  if (!looksLikeMatFile(file)) throw InputError(name + ": not a MATLAB MAT-file (no 'MATLAB ... MAT-file' header)");

  const QuietHdf5Errors quiet;
  MatFile mat(Mat_Open(name.c_str(), MAT_ACC_RDONLY));
  if (!mat) throw InputError(name + ": libmatio could not open it (truncated or damaged MAT-file?)");
  MatVar data(Mat_VarRead(mat.get(), "D"));
  if (!data)
    throw InputError(name + ": no variable 'D' (DataHigh layout: a struct array D with fields data and condition)");
  if (data->class_type != MAT_C_STRUCT)
    throw InputError(name + ": variable 'D' is not a struct array (DataHigh layout expected)");

  const std::size_t trials = elementCount(*data);
  if (trials == 0) throw InputError(name + ": struct array 'D' has no trials");
  checkStructIntact(*data, trials, name);

  Recording recording;
  recording.source = name;
  recording.sessionDescription = "DataHigh MAT-file " + file.filename().string();

  // Pass 1 checks every trial's counts and totals the spikes per unit, so that pass 2 writes the spike
  // times straight into one buffer of exactly the right size.
  std::vector<const matvar_t*> countsPerTrial(trials);
  std::vector<std::size_t> spikesPerUnit;
  std::size_t totalSpikes = 0;
  const std::uintmax_t fileBytes = std::filesystem::file_size(file, ec);
  const std::uintmax_t maxCountBytes = ec || fileBytes > std::numeric_limits<std::uintmax_t>::max() / kMaxDeflateRatio
                                           ? std::numeric_limits<std::uintmax_t>::max()
                                           : kMaxDeflateRatio * fileBytes;
  std::uintmax_t countBytes = 0;
  for (std::size_t trial = 0; trial < trials; ++trial) {
    const std::string where = name + ": D(" + std::to_string(trial + 1) + ")";
    const matvar_t* counts = Mat_VarGetStructFieldByName(data.get(), "data", trial);
    if (counts == nullptr) throw InputError(where + " has no field 'data' (spike counts [units x 1 ms bins])");
    std::size_t bytes = 0;
    const bool numeric = visitNumeric(*counts, [&](const auto* values) { bytes = sizeof(*values); });
    if (!numeric || counts->rank != 2 || counts->data == nullptr)
      throw InputError(where + ".data is not a numeric units x bins matrix");
    if (counts->isComplex != 0)  // libmatio's data is then a pair of pointers, not the values
      throw InputError(where + ".data is complex; spike counts are real");
    const std::size_t units = counts->dims[0];
    const std::size_t bins = counts->dims[1];
    const bool overflows = units != 0 && bins > std::numeric_limits<std::size_t>::max() / units;
    if (overflows || !bufferHolds(*counts, units * bins, bytes))
      throw InputError(where + ".data says it is " + std::to_string(units) + " x " + std::to_string(bins) +
                       " but the file holds fewer values (truncated or damaged MAT-file?)");
    countBytes += units * bins * bytes;
    if (countBytes > maxCountBytes)
      throw InputError(where + ".data says it is " + std::to_string(units) + " x " + std::to_string(bins) +
                       ", more than a file of this size can hold (damaged MAT-file?)");
    if (trial == 0) {
      if (units == 0) throw InputError(where + ".data has no units (rows)");
      if (units > kMaxUnits)
        throw InputError(where + ".data says it has " + std::to_string(units) + " units, more than " +
                         std::to_string(kMaxUnits) + " (damaged MAT-file?)");
      spikesPerUnit.assign(units, 0);
    } else if (units != spikesPerUnit.size()) {
      throw InputError(where + ".data has " + std::to_string(units) + " units, D(1).data has " +
                       std::to_string(spikesPerUnit.size()));
    }
    visitNumeric(*counts, [&](const auto* values) {
      for (std::size_t bin = 0; bin < bins; ++bin) {  // column-major [units x bins]
        for (std::size_t unit = 0; unit < units; ++unit) {
          const auto count = static_cast<double>(values[bin * units + unit]);
          if (!std::isfinite(count) || count < 0 || count != std::floor(count) || count > kMaxSpikesPerBin)
            throw InputError(where + ".data(" + std::to_string(unit + 1) + "," + std::to_string(bin + 1) +
                             ") is not a spike count (" + std::to_string(count) + ")");
          spikesPerUnit[unit] += static_cast<std::size_t>(count);
          totalSpikes += static_cast<std::size_t>(count);
        }
        if (totalSpikes > kMaxSpikes)
          throw InputError(name + ": more than " + std::to_string(kMaxSpikes) +
                           " spikes, beyond what a DataHigh file holds (damaged MAT-file? convert large "
                           "recordings to NWB)");
      }
    });
    countsPerTrial[trial] = counts;
    progress.report(0.5 * static_cast<double>(trial + 1) / static_cast<double>(trials),
                    "checking " + file.filename().string());
  }

  // Unit u's spikes go to [spikes.end[u-1], spikes.end[u]); within a unit, trials and bins come in time order.
  std::vector<std::size_t> next(spikesPerUnit.size());
  std::size_t offset = 0;
  for (std::size_t unit = 0; unit < spikesPerUnit.size(); ++unit) {
    next[unit] = offset;
    offset += spikesPerUnit[unit];
    recording.unitIds.push_back(static_cast<std::int64_t>(unit));
    recording.spikes.end.push_back(offset);
  }
  recording.spikes.times.resize(totalSpikes);
  std::vector<double> starts;
  std::vector<double> stops;
  std::vector<std::string> conditions;
  double trialStart = 0.0;
  for (std::size_t trial = 0; trial < trials; ++trial) {
    const matvar_t& counts = *countsPerTrial[trial];
    const std::size_t units = counts.dims[0];
    const std::size_t bins = counts.dims[1];
    visitNumeric(counts, [&](const auto* values) {
      for (std::size_t bin = 0; bin < bins; ++bin) {
        const double time = trialStart + (static_cast<double>(bin) + 0.5) * kBinS;
        for (std::size_t unit = 0; unit < units; ++unit) {
          const auto count = static_cast<std::size_t>(values[bin * units + unit]);
          for (std::size_t k = 0; k < count; ++k) recording.spikes.times[next[unit]++] = time;
        }
      }
    });
    starts.push_back(trialStart);
    stops.push_back(trialStart + static_cast<double>(bins) * kBinS);
    conditions.push_back(charText(Mat_VarGetStructFieldByName(data.get(), "condition", trial),
                                  name + ": D(" + std::to_string(trial + 1) + ").condition"));
    trialStart = stops.back() + kTrialGapS;
    progress.report(0.5 + 0.5 * static_cast<double>(trial + 1) / static_cast<double>(trials),
                    "reading " + file.filename().string());
  }

  Table trialTable;
  trialTable.add(Column{"start_time", "trial start (s), trials laid end to end with a 0.2 s gap", starts, {}});
  trialTable.add(Column{"stop_time", "trial stop (s)", stops, {}});
  trialTable.add(Column{"condition", "DataHigh D.condition", conditions, {}});
  recording.trials = std::move(trialTable);
  for (std::size_t trial = 0; trial < trials; ++trial) recording.trialIds.push_back(static_cast<std::int64_t>(trial));
  return recording;
}

}  // namespace neurolens::datahigh
