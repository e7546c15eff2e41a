#include "widgets/dock_panes.h"

#include <QComboBox>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QMainWindow>
#include <QPushButton>
#include <QScrollArea>
#include <QTabWidget>
#include <QVBoxLayout>

#include "widgets/analysis_panel.h"
#include "widgets/table_panel.h"

namespace neurolens::gui {

QLabel* placeholderLabel(const QString& text, QWidget* parent) {
  auto* label = new QLabel(text, parent);
  label->setWordWrap(true);
  label->setAlignment(Qt::AlignTop | Qt::AlignLeft);
  label->setMargin(6);
  label->setTextInteractionFlags(Qt::TextSelectableByMouse);
  return label;
}

QDockWidget* addDock(QMainWindow& window, const QString& title, const QString& name, QWidget* content,
                     Qt::DockWidgetArea area, bool scroll) {
  auto* dock = new QDockWidget(title, &window);
  dock->setObjectName(name);
  if (scroll) {
    auto* scrollArea = new QScrollArea(dock);
    scrollArea->setWidgetResizable(true);
    scrollArea->setFrameShape(QFrame::NoFrame);
    scrollArea->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scrollArea->setWidget(content);
    dock->setWidget(scrollArea);
  } else {
    dock->setWidget(content);
  }
  window.addDockWidget(area, dock);
  return dock;
}

EmptyState::EmptyState(QWidget* parent) : QWidget(parent) {
  setObjectName("emptyState");
  auto* layout = new QVBoxLayout(this);
  layout->addStretch(2);
  title_ = new QLabel(tr("<h2>No recording open</h2>"), this);
  title_->setAlignment(Qt::AlignCenter);
  text_ = new QLabel(tr("<p>Open a recording with <b>File &gt; Open Recording...</b> (Ctrl+O),<br>"
                        "or drag and drop an NWB or MATLAB file onto this window.</p>"
                        "<p>Then open a trained model (<b>File &gt; Open Model...</b>, Ctrl+M) to see its latent "
                        "trajectories here.</p>"
                        "<p>Or open the bundled demo (<b>File &gt; Open Demo</b>, Ctrl+D): a simulated reaching "
                        "session with a model trained on it.</p>"),
                     this);
  text_->setObjectName("emptyStateText");
  text_->setAlignment(Qt::AlignCenter);
  text_->setWordWrap(true);
  auto* openButton = new QPushButton(tr("Open Recording..."), this);
  auto* demoButton = new QPushButton(tr("Open Demo"), this);
  demoButton->setObjectName("openDemoButton");
  auto* syntheticButton = new QPushButton(tr("Show Demo Trajectories"), this);
  syntheticButton->setObjectName("showDemoButton");
  auto* buttons = new QHBoxLayout();
  buttons->addStretch();
  buttons->addWidget(openButton);
  buttons->addWidget(demoButton);
  buttons->addWidget(syntheticButton);
  buttons->addStretch();
  layout->addWidget(title_);
  layout->addWidget(text_);
  layout->addLayout(buttons);
  layout->addStretch(3);
  connect(openButton, &QPushButton::clicked, this, &EmptyState::openRecordingClicked);
  connect(demoButton, &QPushButton::clicked, this, &EmptyState::openDemoClicked);
  connect(syntheticButton, &QPushButton::clicked, this, &EmptyState::showDemoClicked);
}

void EmptyState::showRecordingOpen(const QString& fileName, const QString& whyNoModel) {
  title_->setText(tr("<h2>%1 is open</h2>").arg(fileName.toHtmlEscaped()));
  if (!whyNoModel.isEmpty()) {
    text_->setText(tr("<p>No open model runs on it yet.</p><p>%1</p><p>The Workspace dock says so too, with what "
                      "mends it where something can (Session..., Re-bin at N ms, Run again).</p>")
                       .arg(whyNoModel.toHtmlEscaped()));
    return;
  }
  text_->setText(
      tr("<p>Open a trained model with <b>File &gt; Open Model...</b> (Ctrl+M) to see its latent "
         "trajectories here.</p><p>Or open the bundled demo (Ctrl+D), or show synthetic demo "
         "trajectories: 8 conditions x 20 trials.</p>"));
}

RecordingPane::RecordingPane(double binMs, QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  summary_ = placeholderLabel(tr("<b>No recording.</b><p>The open recording's units, trials, duration and "
                                 "behavioural signals will be listed here, with the binning settings.</p>"),
                              this);
  summary_->setObjectName("recordingPanel");
  auto* binningRow = new QHBoxLayout();
  binSize_ = new QDoubleSpinBox(this);
  binSize_->setObjectName("binSize");
  binSize_->setRange(1.0, 1000.0);
  binSize_->setDecimals(1);
  binSize_->setSuffix(tr(" ms"));
  binSize_->setValue(binMs);
  binSize_->setToolTip(tr("Bin width for spike counts (the model's bin size must match)"));
  auto* rebin = new QPushButton(tr("Re-bin"), this);
  rebin->setObjectName("rebinButton");
  rebin->setToolTip(tr("Bin the open recording again with this bin width (and rerun the model)"));
  binningRow->addWidget(new QLabel(tr("Bins"), this));
  binningRow->addWidget(binSize_, 1);
  binningRow->addWidget(rebin);
  auto* tables = new QTabWidget(this);
  units_ = new TablePanel(tr("Filter units (any column, e.g. rotational)"), tables);
  units_->setObjectName("unitsTable");
  trials_ = new TablePanel(tr("Filter trials (any column, e.g. reach_090)"), tables);
  trials_->setObjectName("trialsTable");
  tables->addTab(units_, tr("Units"));
  tables->addTab(trials_, tr("Trials"));
  layout->addWidget(summary_);
  layout->addLayout(binningRow);
  layout->addWidget(tables, 1);
  connect(binSize_, &QDoubleSpinBox::valueChanged, this,
          [this](double ms) { Q_EMIT binMsChanged(ms, !settingBinMs_); });
  connect(rebin, &QPushButton::clicked, this, &RecordingPane::rebinRequested);
}

void RecordingPane::setSummary(const QString& html) { summary_->setText(html); }

void RecordingPane::showOpening(const QString& fileName) {
  summary_->setText(tr("<b>Opening %1 ...</b>").arg(fileName.toHtmlEscaped()));
}

void RecordingPane::showFailed(const QString& fileName, const QString& error) {
  summary_->setText(tr("<b>Could not open %1</b><p>%2</p>").arg(fileName.toHtmlEscaped(), error.toHtmlEscaped()));
}

void RecordingPane::showCancelled() { summary_->setText(tr("<b>No recording.</b><p>Opening was cancelled.</p>")); }

void RecordingPane::showPreparingDemo(const QString& folder) {
  summary_->setText(tr("<b>Preparing the demo ...</b><p>Simulating a reaching session (first time only) in %1</p>")
                        .arg(folder.toHtmlEscaped()));
}
void RecordingPane::setBinMs(double ms) {
  settingBinMs_ = true;
  binSize_->setValue(ms);
  settingBinMs_ = false;
}

ModelPane::ModelPane(DeviceChoice device, QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  summary_ = placeholderLabel(tr("<b>No model.</b><p>The trained model (TorchScript) will be described here: "
                                 "its name, expected units and bin size, latent size, and whether it matches "
                                 "the recording.</p>"),
                              this);
  summary_->setObjectName("modelPanel");
  auto* deviceRow = new QFormLayout();
  device_ = new QComboBox(this);
  device_->setObjectName("deviceChoice");
  device_->addItem(tr("auto (GPU when available)"), "auto");
  device_->addItem(tr("CPU"), "cpu");
  device_->addItem(tr("CUDA GPU"), "cuda");
  if (!queryDevices().cudaAvailable) {
    // Kept visible so the user sees why: no GPU that LibTorch can use.
    device_->setItemData(2, false, Qt::UserRole - 1);
    device_->setItemData(2, tr("No CUDA GPU visible to LibTorch"), Qt::ToolTipRole);
  }
  setDevice(device);
  deviceRow->addRow(tr("Device"), device_);
  layout->addWidget(summary_);
  layout->addLayout(deviceRow);
  layout->addStretch();
  connect(device_, &QComboBox::currentIndexChanged, this,
          [this] { Q_EMIT deviceChanged(parseDeviceChoice(device_->currentData().toString().toStdString())); });
}

void ModelPane::setSummary(const QString& html) { summary_->setText(html); }

void ModelPane::showLoading(const QString& fileName) {
  summary_->setText(tr("<b>Loading %1 ...</b>").arg(fileName.toHtmlEscaped()));
}

void ModelPane::setDevice(DeviceChoice device) {
  device_->setCurrentIndex(std::max(0, device_->findData(QString::fromStdString(deviceName(device)))));
}

AnalysisPane::AnalysisPane(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  summary_ = placeholderLabel(tr("<b>Analysis.</b> Attributions of latents to units, the type-latent link and "
                                 "probes decoding behaviour will be run here once a model ran on a recording."),
                              this);
  summary_->setObjectName("analysisPanel");
  panel_ = new AnalysisPanel(this);
  layout->addWidget(summary_);
  layout->addWidget(panel_, 1);
}

void AnalysisPane::setSummary(const QString& html) { summary_->setText(html); }

void AnalysisPane::showSyntheticDemo() {
  summary_->setText(
      tr("<b>Demo trajectories</b><p>Synthetic rotational dynamics: 8 conditions x 20 "
         "trials, 80 bins. Spheres mark the start of each trial, squares its end, the larger "
         "spheres the time cursor (bin 40).</p><p>Drag to rotate, wheel or right-drag to "
         "zoom, middle-drag or Shift+drag to pan.</p>"));
}

}  // namespace neurolens::gui
