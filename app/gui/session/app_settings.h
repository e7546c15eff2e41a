#pragma once
// What the window remembers between runs (QSettings; QtCore only): the recent files, the bin width, the device,
// the colouring, the Align and Lesion options, the last recording and model (opened again at start), whether the first
// start (which opens the demo) is done, and the window's layout. Values that cannot be read fall back to the defaults.
#include <QByteArray>
#include <QSettings>
#include <QString>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "logic/align_choice.h"
#include "logic/lesion_choice.h"
#include "logic/open_queue.h"
#include "neurolens/core/device.h"

namespace neurolens::gui {

class AppSettings {
 public:
  // `file` empty: the application's settings; else an INI file (tests).
  explicit AppSettings(QString file = {}) : file_(std::move(file)) {}

  [[nodiscard]] std::vector<std::string> recentFiles() const;
  void setRecentFiles(const std::vector<std::string>& paths) const;
  [[nodiscard]] double binMs() const;  // 20 ms by default
  void setBinMs(double ms) const;
  [[nodiscard]] DeviceChoice device() const;  // auto by default and for unknown names
  void setDevice(DeviceChoice device) const;
  [[nodiscard]] std::string colour() const;  // ColourChoice::spec(); "condition" by default
  void setColour(const std::string& spec) const;
  [[nodiscard]] QString lastRecording() const;
  void setLastRecording(const QString& path) const;
  [[nodiscard]] QString lastModel() const;
  void setLastModel(const QString& path) const;
  // True once: the very first start (then the demo opens); false on every later call and start.
  [[nodiscard]] bool takeFirstStart() const;
  // What a start without files opens: the demo the very first time, else the last recording (with the last
  // model, when both still exist); none when there is nothing to open.
  [[nodiscard]] std::optional<OpenRequest> takeStartRequest() const;
  // The figure style the export dialog last used: a built-in name or a style file's path; "default" by default.
  [[nodiscard]] std::string exportStyle() const;
  void setExportStyle(const std::string& style) const;
  // Compare > Align's and Compare > Lesion's options as last run (the CLI's defaults until then).
  [[nodiscard]] AlignViewOptions alignOptions() const;
  void setAlignOptions(const AlignViewOptions& options) const;
  [[nodiscard]] std::string lesionMode() const;  // "mean" by default
  [[nodiscard]] LesionViewOptions lesionOptions() const;
  void setLesionOptions(const std::string& mode, const LesionViewOptions& options) const;
  [[nodiscard]] QByteArray geometry() const;
  [[nodiscard]] QByteArray windowState() const;
  void setLayout(const QByteArray& geometry, const QByteArray& windowState) const;

 private:
  [[nodiscard]] std::unique_ptr<QSettings> open() const;
  QString file_;
};

}  // namespace neurolens::gui
