#pragma once
// The Recording and Model docks' contents and the centre's empty state: widgets that show what they are given
// and say what the user asked for (signals); the main window connects them to the controllers.
#include <QLabel>
#include <QWidget>

#include "neurolens/core/device.h"

class QComboBox;
class QDockWidget;
class QDoubleSpinBox;
class QMainWindow;

namespace neurolens::gui {

class TablePanel;
class AnalysisPanel;

// A wrapping, selectable rich-text label at the top of a dock.
[[nodiscard]] QLabel* placeholderLabel(const QString& text, QWidget* parent);
// Adds a dock named `name` holding `content` (in a scroll area when `scroll`) to `window`.
QDockWidget* addDock(QMainWindow& window, const QString& title, const QString& name, QWidget* content,
                     Qt::DockWidgetArea area, bool scroll);

// The centre before anything is drawn: what to open and how, with buttons for the usual first steps.
class EmptyState : public QWidget {
  Q_OBJECT

 public:
  explicit EmptyState(QWidget* parent = nullptr);
  // A recording is open but nothing is drawn yet: say how to see trajectories, or, when models are open but none
  // runs on it (`whyNoModel`, from workspace::Workspace::whyNoModelRuns), why.
  void showRecordingOpen(const QString& fileName, const QString& whyNoModel = {});

 Q_SIGNALS:
  void openRecordingClicked();
  void openDemoClicked();
  void showDemoClicked();

 private:
  QLabel* title_ = nullptr;
  QLabel* text_ = nullptr;
};

// The Recording dock: the open recording's summary, the bin width with Re-bin, the units and trials tables.
class RecordingPane : public QWidget {
  Q_OBJECT

 public:
  explicit RecordingPane(double binMs, QWidget* parent = nullptr);
  void setSummary(const QString& html);
  void showOpening(const QString& fileName);
  void showFailed(const QString& fileName, const QString& error);
  void showCancelled();
  void showPreparingDemo(const QString& folder);
  // Sets the bin size for the program (a model's own, a reopened session's): binMsChanged(ms, false).
  void setBinMs(double ms);
  [[nodiscard]] TablePanel* units() const { return units_; }
  [[nodiscard]] TablePanel* trials() const { return trials_; }

 Q_SIGNALS:
  // The bin size changed; `byUser`: typed or stepped in the spin box (the user's own default to remember).
  void binMsChanged(double ms, bool byUser);
  void rebinRequested();

 private:
  QLabel* summary_ = nullptr;
  QDoubleSpinBox* binSize_ = nullptr;
  bool settingBinMs_ = false;  // setBinMs is changing the spin box
  TablePanel* units_ = nullptr;
  TablePanel* trials_ = nullptr;
};

// The Model dock: what the open model states about itself and its last run, and the device it runs on.
class ModelPane : public QWidget {
  Q_OBJECT

 public:
  explicit ModelPane(DeviceChoice device, QWidget* parent = nullptr);
  void setSummary(const QString& html);
  void showLoading(const QString& fileName);
  void setDevice(DeviceChoice device);

 Q_SIGNALS:
  void deviceChanged(neurolens::DeviceChoice device);

 private:
  QLabel* summary_ = nullptr;
  QComboBox* device_ = nullptr;
};

// The Analysis dock: a line saying what is drawn, over the analysis controls.
class AnalysisPane : public QWidget {
  Q_OBJECT

 public:
  explicit AnalysisPane(QWidget* parent = nullptr);
  void setSummary(const QString& html);
  // Help > Show Demo Trajectories: what the synthetic trajectories are and how to move the camera.
  void showSyntheticDemo();
  [[nodiscard]] AnalysisPanel* panel() const { return panel_; }

 private:
  QLabel* summary_ = nullptr;
  AnalysisPanel* panel_ = nullptr;
};

}  // namespace neurolens::gui
