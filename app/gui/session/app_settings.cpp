#include "session/app_settings.h"

#include <QFileInfo>
#include <QStringList>

#include "neurolens/core/errors.h"

namespace neurolens::gui {

namespace {

constexpr const char* kRecentKey = "recentFiles";
constexpr const char* kGeometryKey = "mainWindow/geometry";
constexpr const char* kStateKey = "mainWindow/state";
constexpr const char* kFirstStartKey = "startup/firstStartDone";
constexpr const char* kLastRecordingKey = "startup/lastRecording";
constexpr const char* kLastModelKey = "startup/lastModel";
constexpr const char* kBinKey = "binning/binMs";
constexpr const char* kDeviceKey = "model/device";
constexpr const char* kColourKey = "view/colour";
constexpr const char* kExportStyleKey = "export/style";
constexpr const char* kAlignMatchKey = "align/match";
constexpr const char* kAlignConditionKey = "align/conditionColumn";
constexpr const char* kAlignDimsKey = "align/dims";
constexpr const char* kAlignPermutationsKey = "align/permutations";
constexpr const char* kAlignFoldsKey = "align/folds";
constexpr const char* kAlignSmoothKey = "align/smoothMs";
constexpr const char* kAlignSeedKey = "align/seed";
constexpr const char* kLesionModeKey = "lesion/mode";
constexpr const char* kLesionRepeatsKey = "lesion/randomRepeats";
constexpr const char* kLesionSeedKey = "lesion/seed";

// A remembered count or seed; the default when it is missing or not a non-negative integer.
template <typename T>
T unsignedValue(const QSettings& settings, const char* key, T fallback) {
  bool ok = false;
  const qulonglong value = settings.value(key).toULongLong(&ok);
  return ok ? static_cast<T>(value) : fallback;
}

}  // namespace

std::unique_ptr<QSettings> AppSettings::open() const {
  if (file_.isEmpty()) return std::make_unique<QSettings>();
  return std::make_unique<QSettings>(file_, QSettings::IniFormat);
}

std::vector<std::string> AppSettings::recentFiles() const {
  std::vector<std::string> paths;
  for (const QString& path : open()->value(kRecentKey).toStringList()) paths.push_back(path.toStdString());
  return paths;
}

void AppSettings::setRecentFiles(const std::vector<std::string>& paths) const {
  QStringList list;
  for (const std::string& path : paths) list << QString::fromStdString(path);
  open()->setValue(kRecentKey, list);
}

double AppSettings::binMs() const { return open()->value(kBinKey, 20.0).toDouble(); }
void AppSettings::setBinMs(double ms) const { open()->setValue(kBinKey, ms); }

DeviceChoice AppSettings::device() const {
  try {
    return parseDeviceChoice(open()->value(kDeviceKey, "auto").toString().toStdString());
  } catch (const InputError&) {
    return DeviceChoice::Auto;
  }
}

void AppSettings::setDevice(DeviceChoice device) const {
  open()->setValue(kDeviceKey, QString::fromStdString(deviceName(device)));
}

std::string AppSettings::exportStyle() const {
  return open()->value(kExportStyleKey, "default").toString().toStdString();
}
void AppSettings::setExportStyle(const std::string& style) const {
  open()->setValue(kExportStyleKey, QString::fromStdString(style));
}

std::string AppSettings::colour() const { return open()->value(kColourKey, "condition").toString().toStdString(); }
void AppSettings::setColour(const std::string& spec) const {
  open()->setValue(kColourKey, QString::fromStdString(spec));
}

QString AppSettings::lastRecording() const { return open()->value(kLastRecordingKey).toString(); }
void AppSettings::setLastRecording(const QString& path) const { open()->setValue(kLastRecordingKey, path); }
QString AppSettings::lastModel() const { return open()->value(kLastModelKey).toString(); }
void AppSettings::setLastModel(const QString& path) const { open()->setValue(kLastModelKey, path); }

bool AppSettings::takeFirstStart() const {
  const std::unique_ptr<QSettings> settings = open();
  if (settings->value(kFirstStartKey, false).toBool()) return false;
  settings->setValue(kFirstStartKey, true);
  return true;
}

std::optional<OpenRequest> AppSettings::takeStartRequest() const {
  if (takeFirstStart()) return OpenRequest{OpenKind::Demo, {}, {}};
  const QString recording = lastRecording();
  const QString model = lastModel();
  if (recording.isEmpty() || !QFileInfo::exists(recording)) return std::nullopt;
  return OpenRequest{OpenKind::RecordingWithModel, recording.toStdString(),
                     QFileInfo::exists(model) ? model.toStdString() : std::string()};
}

AlignViewOptions AppSettings::alignOptions() const {
  const std::unique_ptr<QSettings> settings = open();
  const AlignViewOptions defaults;
  AlignViewOptions options;
  options.match = settings->value(kAlignMatchKey, QString::fromStdString(defaults.match)).toString().toStdString();
  options.conditionColumn =
      settings->value(kAlignConditionKey, QString::fromStdString(defaults.conditionColumn)).toString().toStdString();
  options.dims = unsignedValue(*settings, kAlignDimsKey, defaults.dims);
  options.permutations = unsignedValue(*settings, kAlignPermutationsKey, defaults.permutations);
  options.folds = unsignedValue(*settings, kAlignFoldsKey, defaults.folds);
  bool ok = false;
  const double smooth = settings->value(kAlignSmoothKey).toDouble(&ok);
  options.smoothMs = ok && smooth >= 0.0 ? smooth : defaults.smoothMs;
  options.seed = unsignedValue(*settings, kAlignSeedKey, defaults.seed);
  return options;
}

void AppSettings::setAlignOptions(const AlignViewOptions& options) const {
  const std::unique_ptr<QSettings> settings = open();
  settings->setValue(kAlignMatchKey, QString::fromStdString(options.match));
  settings->setValue(kAlignConditionKey, QString::fromStdString(options.conditionColumn));
  settings->setValue(kAlignDimsKey, static_cast<qulonglong>(options.dims));
  settings->setValue(kAlignPermutationsKey, static_cast<qulonglong>(options.permutations));
  settings->setValue(kAlignFoldsKey, static_cast<qulonglong>(options.folds));
  settings->setValue(kAlignSmoothKey, options.smoothMs);
  settings->setValue(kAlignSeedKey, static_cast<qulonglong>(options.seed));
}

std::string AppSettings::lesionMode() const { return open()->value(kLesionModeKey, "mean").toString().toStdString(); }

LesionViewOptions AppSettings::lesionOptions() const {
  const std::unique_ptr<QSettings> settings = open();
  const LesionViewOptions defaults;
  return {unsignedValue(*settings, kLesionRepeatsKey, defaults.randomRepeats),
          unsignedValue(*settings, kLesionSeedKey, defaults.seed)};
}

void AppSettings::setLesionOptions(const std::string& mode, const LesionViewOptions& options) const {
  const std::unique_ptr<QSettings> settings = open();
  settings->setValue(kLesionModeKey, QString::fromStdString(mode));
  settings->setValue(kLesionRepeatsKey, static_cast<qulonglong>(options.randomRepeats));
  settings->setValue(kLesionSeedKey, static_cast<qulonglong>(options.seed));
}

QByteArray AppSettings::geometry() const { return open()->value(kGeometryKey).toByteArray(); }
QByteArray AppSettings::windowState() const { return open()->value(kStateKey).toByteArray(); }
void AppSettings::setLayout(const QByteArray& geometry, const QByteArray& windowState) const {
  const std::unique_ptr<QSettings> settings = open();
  settings->setValue(kGeometryKey, geometry);
  settings->setValue(kStateKey, windowState);
}

}  // namespace neurolens::gui
