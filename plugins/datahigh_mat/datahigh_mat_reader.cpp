#include "datahigh_mat_reader.h"

#include <hdf5.h>
#include <matio.h>

#include <cmath>
#include <fstream>
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

std::size_t elementCount(const matvar_t& var) {
  std::size_t n = 1;
  for (int i = 0; i < var.rank; ++i) n *= var.dims[i];
  return n;
}

// Element i of a numeric matrix as double, whatever its stored class.
double numericAt(const matvar_t& var, std::size_t i) {
  switch (var.class_type) {
    case MAT_C_DOUBLE:
      return static_cast<const double*>(var.data)[i];
    case MAT_C_SINGLE:
      return static_cast<const float*>(var.data)[i];
    case MAT_C_INT8:
      return static_cast<const std::int8_t*>(var.data)[i];
    case MAT_C_UINT8:
      return static_cast<const std::uint8_t*>(var.data)[i];
    case MAT_C_INT16:
      return static_cast<const std::int16_t*>(var.data)[i];
    case MAT_C_UINT16:
      return static_cast<const std::uint16_t*>(var.data)[i];
    case MAT_C_INT32:
      return static_cast<const std::int32_t*>(var.data)[i];
    case MAT_C_UINT32:
      return static_cast<const std::uint32_t*>(var.data)[i];
    case MAT_C_INT64:
      return static_cast<double>(static_cast<const std::int64_t*>(var.data)[i]);
    case MAT_C_UINT64:
      return static_cast<double>(static_cast<const std::uint64_t*>(var.data)[i]);
    default:
      return std::nan("");
  }
}

bool isNumericClass(matio_classes c) {
  switch (c) {
    case MAT_C_DOUBLE:
    case MAT_C_SINGLE:
    case MAT_C_INT8:
    case MAT_C_UINT8:
    case MAT_C_INT16:
    case MAT_C_UINT16:
    case MAT_C_INT32:
    case MAT_C_UINT32:
    case MAT_C_INT64:
    case MAT_C_UINT64:
      return true;
    default:
      return false;
  }
}

std::string charText(const matvar_t* var) {
  if (var == nullptr || var->data == nullptr) return {};
  if (var->class_type == MAT_C_CELL) {  // {'reach1'}: a 1x1 cell holding a char array
    auto** cells = static_cast<matvar_t**>(var->data);
    return elementCount(*var) > 0 ? charText(cells[0]) : std::string{};
  }
  if (var->class_type != MAT_C_CHAR) return {};
  const std::size_t n = elementCount(*var);
  std::string text;
  text.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    unsigned int code = 0;
    if (var->data_type == MAT_T_UINT16 || var->data_type == MAT_T_UTF16)
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

  std::vector<std::vector<double>> perUnit;
  std::vector<double> starts;
  std::vector<double> stops;
  std::vector<std::string> conditions;
  double trialStart = 0.0;
  for (std::size_t trial = 0; trial < trials; ++trial) {
    const std::string where = name + ": D(" + std::to_string(trial + 1) + ")";
    matvar_t* counts = Mat_VarGetStructFieldByName(data.get(), "data", trial);
    if (counts == nullptr) throw InputError(where + " has no field 'data' (spike counts [units x 1 ms bins])");
    if (!isNumericClass(counts->class_type) || counts->rank != 2 || counts->data == nullptr)
      throw InputError(where + ".data is not a numeric units x bins matrix");
    const std::size_t units = counts->dims[0];
    const std::size_t bins = counts->dims[1];
    if (trial == 0) {
      if (units == 0) throw InputError(where + ".data has no units (rows)");
      perUnit.resize(units);
    } else if (units != perUnit.size()) {
      throw InputError(where + ".data has " + std::to_string(units) + " units, D(1).data has " +
                       std::to_string(perUnit.size()));
    }
    // Column-major [units x bins].
    for (std::size_t bin = 0; bin < bins; ++bin) {
      for (std::size_t unit = 0; unit < units; ++unit) {
        const double count = numericAt(*counts, bin * units + unit);
        if (!std::isfinite(count) || count < 0 || count != std::floor(count) || count > kMaxSpikesPerBin)
          throw InputError(where + ".data(" + std::to_string(unit + 1) + "," + std::to_string(bin + 1) +
                           ") is not a spike count (" + std::to_string(count) + ")");
        const double time = trialStart + (static_cast<double>(bin) + 0.5) * kBinS;
        for (int k = 0; k < static_cast<int>(count); ++k) perUnit[unit].push_back(time);
      }
    }
    starts.push_back(trialStart);
    stops.push_back(trialStart + static_cast<double>(bins) * kBinS);
    conditions.push_back(charText(Mat_VarGetStructFieldByName(data.get(), "condition", trial)));
    trialStart = stops.back() + kTrialGapS;
    progress.report(static_cast<double>(trial + 1) / static_cast<double>(trials),
                    "reading " + file.filename().string());
  }

  for (std::size_t unit = 0; unit < perUnit.size(); ++unit) {
    recording.unitIds.push_back(static_cast<std::int64_t>(unit));
    recording.spikes.times.insert(recording.spikes.times.end(), perUnit[unit].begin(), perUnit[unit].end());
    recording.spikes.end.push_back(recording.spikes.times.size());
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
