#include "widgets/trajectory_controls.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPainter>
#include <QPixmap>
#include <QSlider>
#include <QToolButton>
#include <QVBoxLayout>

namespace neurolens::gui {

namespace {
QIcon swatch(const views::Rgb& colour) {
  QPixmap pixmap(14, 14);
  pixmap.fill(
      QColor::fromRgbF(static_cast<float>(colour.r), static_cast<float>(colour.g), static_cast<float>(colour.b)));
  return QIcon(pixmap);
}
}  // namespace

TrajectoryControls::TrajectoryControls(QWidget* parent) : QWidget(parent) {
  setObjectName("trajectoryControls");
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  auto* form = new QFormLayout();
  projection_ = new QComboBox(this);
  projection_->setObjectName("projectionChoice");
  projection_->addItem(tr("PCA (latents, or rates without a model)"), static_cast<int>(Projection::Pca));
  projection_->addItem(tr("Latents 1-3"), static_cast<int>(Projection::Latents));
  colourBy_ = new QComboBox(this);
  colourBy_->setObjectName("colourByChoice");
  colourBy_->setToolTip(tr("Trial column whose values group the trajectories (legend, means)"));
  colourMode_ = new QComboBox(this);
  colourMode_->setObjectName("colourModeChoice");
  colourMode_->setToolTip(
      tr("Colour the trajectories by their group, by time in the trial, by a behaviour channel, or by the "
         "attribution of the selected units (perceptually uniform colour map with a colour bar)"));
  colourNote_ = new QLabel(this);
  colourNote_->setObjectName("colourNote");
  colourNote_->setWordWrap(true);
  colourNote_->setVisible(false);
  means_ = new QCheckBox(tr("Group means"), this);
  means_->setObjectName("meansToggle");
  means_->setToolTip(
      tr("Each group's mean drawn thick over its single trials (as `figure` draws them), instead of "
         "single trials alone"));
  smooth_ = new QDoubleSpinBox(this);
  smooth_->setObjectName("smoothingChoice");
  smooth_->setRange(0.0, 1000.0);
  smooth_->setDecimals(0);
  smooth_->setSingleStep(10.0);
  smooth_->setSuffix(tr(" ms"));
  smooth_->setValue(40.0);
  smooth_->setToolTip(
      tr("Gaussian smoothing along time (sd): of the spike counts for a recording alone, of the "
         "latents with a model; 0 = none"));
  // Means first: hundreds of single trials hide the shared structure at a first look.
  means_->setChecked(true);
  form->addRow(tr("Projection"), projection_);
  form->addRow(tr("Group by"), colourBy_);
  form->addRow(tr("Colour"), colourMode_);
  form->addRow(QString(), colourNote_);
  form->addRow(QString(), means_);
  form->addRow(tr("Smoothing"), smooth_);
  layout->addLayout(form);
  variance_ = new QLabel(this);
  variance_->setObjectName("explainedVariance");
  variance_->setWordWrap(true);
  layout->addWidget(variance_);
  legend_ = new QListWidget(this);
  legend_->setObjectName("conditionLegend");
  legend_->setToolTip(tr("Untick a group to hide it"));
  layout->addWidget(legend_, 1);
  auto* timeRow = new QHBoxLayout();
  play_ = new QToolButton(this);
  play_->setObjectName("playButton");
  play_->setText(tr("Play"));
  play_->setCheckable(true);
  play_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Space));
  play_->setToolTip(tr("Play / pause the time cursor (Ctrl+Space)"));
  time_ = new QSlider(Qt::Horizontal, this);
  time_->setObjectName("timeSlider");
  time_->setRange(0, 0);
  timeLabel_ = new QLabel(tr("bin 0"), this);
  timeRow->addWidget(play_);
  timeRow->addWidget(time_, 1);
  timeRow->addWidget(timeLabel_);
  layout->addLayout(timeRow);

  timer_.setInterval(60);
  connect(&timer_, &QTimer::timeout, this,
          [this] { time_->setValue(time_->value() >= time_->maximum() ? 0 : time_->value() + 1); });
  connect(play_, &QToolButton::toggled, this, [this](bool on) { setPlaying(on); });
  connect(time_, &QSlider::valueChanged, this, [this](int bin) {
    timeLabel_->setText(tr("bin %1").arg(bin));
    Q_EMIT timeChanged(bin);
  });
  connect(projection_, &QComboBox::currentIndexChanged, this, [this] { Q_EMIT requestChanged(); });
  connect(colourBy_, &QComboBox::currentIndexChanged, this, [this] { Q_EMIT requestChanged(); });
  connect(means_, &QCheckBox::toggled, this, [this] { Q_EMIT requestChanged(); });
  connect(smooth_, &QDoubleSpinBox::editingFinished, this, [this] {
    if (smooth_->value() != lastSmooth_) {
      lastSmooth_ = smooth_->value();
      Q_EMIT requestChanged();
    }
  });
  connect(colourMode_, &QComboBox::currentIndexChanged, this, [this] {
    wantedColour_ = ColourChoice::parse(colourMode_->currentData().toString().toStdString());
    Q_EMIT colourChanged();
  });
  setColourOptions({});
  connect(legend_, &QListWidget::itemChanged, this, [this](QListWidgetItem* item) {
    Q_EMIT groupVisibilityChanged(static_cast<std::size_t>(legend_->row(item)), item->checkState() == Qt::Checked);
  });
}

void TrajectoryControls::setColumns(const std::vector<std::string>& columns) {
  const QSignalBlocker blocker(colourBy_);
  const QString previous = colourBy_->currentText();
  colourBy_->clear();
  for (const std::string& column : columns) colourBy_->addItem(QString::fromStdString(column));
  if (columns.empty()) colourBy_->addItem(tr("(no trial groups)"), QString());
  const int index = colourBy_->findText(previous);
  colourBy_->setCurrentIndex(index >= 0 ? index : 0);
}

void TrajectoryControls::setLegend(const std::vector<std::string>& names, const std::vector<views::Rgb>& colours,
                                   std::size_t bins) {
  {
    const QSignalBlocker blocker(legend_);
    legend_->clear();
    for (std::size_t i = 0; i < names.size(); ++i) {
      auto* item = new QListWidgetItem(swatch(colours.at(i)), QString::fromStdString(names[i]), legend_);
      item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
      item->setCheckState(Qt::Checked);
    }
  }
  const QSignalBlocker blocker(time_);
  time_->setRange(0, bins == 0 ? 0 : static_cast<int>(bins) - 1);
  timeLabel_->setText(tr("bin %1").arg(time_->value()));
}

void TrajectoryControls::setExplainedVariance(const std::vector<double>& ratios) {
  if (ratios.empty()) {
    variance_->clear();
    return;
  }
  QStringList parts;
  for (std::size_t i = 0; i < ratios.size(); ++i) parts << tr("PC%1 %2%").arg(i + 1).arg(100.0 * ratios[i], 0, 'f', 1);
  variance_->setText(tr("Explained variance: %1").arg(parts.join(", ")));
}

void TrajectoryControls::setColourOptions(const std::vector<ColourChoice>& behaviour) {
  const QSignalBlocker blocker(colourMode_);
  colourMode_->clear();
  std::vector<ColourChoice> choices = {ColourChoice{}, ColourChoice{ColourMode::Time, {}, -1}};
  choices.insert(choices.end(), behaviour.begin(), behaviour.end());
  choices.push_back(ColourChoice{ColourMode::Attribution, {}, -1});
  for (const ColourChoice& choice : choices) {
    QString text;
    switch (choice.mode) {
      case ColourMode::Condition:
        text = tr("Group colours");
        break;
      case ColourMode::Time:
        text = tr("Time in trial");
        break;
      case ColourMode::Behaviour:
        text = choice.dimension < 0 ? tr("Behaviour: %1 (magnitude)").arg(QString::fromStdString(choice.behaviour))
                                    : tr("Behaviour: %1").arg(QString::fromStdString(choice.title()));
        break;
      case ColourMode::Attribution:
        text = tr("Attribution of selected units");
        break;
    }
    colourMode_->addItem(text, QString::fromStdString(choice.spec()));
  }
  const int index = colourMode_->findData(QString::fromStdString(wantedColour_.spec()));
  colourMode_->setCurrentIndex(std::max(0, index));
}

ColourChoice TrajectoryControls::colourChoice() const { return wantedColour_; }

void TrajectoryControls::setColourChoice(const ColourChoice& choice) {
  wantedColour_ = choice;
  const int index = colourMode_->findData(QString::fromStdString(choice.spec()));
  const QSignalBlocker blocker(colourMode_);
  colourMode_->setCurrentIndex(std::max(0, index));
}

void TrajectoryControls::setColourNote(const QString& note) {
  colourNote_->setText(note);
  colourNote_->setVisible(!note.isEmpty());
}

TrajectoryRequest TrajectoryControls::request() const {
  TrajectoryRequest request;
  request.projection = static_cast<Projection>(projection_->currentData().toInt());
  request.conditionMeans = means_->isChecked();
  request.smoothMs = smooth_->value();
  request.groupColumn = colourBy_->currentData().isValid() && colourBy_->currentData().toString().isEmpty()
                            ? std::string()
                            : colourBy_->currentText().toStdString();
  return request;
}

void TrajectoryControls::setRequest(const TrajectoryRequest& request) {
  const QSignalBlocker a(projection_);
  const QSignalBlocker b(colourBy_);
  const QSignalBlocker c(means_);
  projection_->setCurrentIndex(std::max(0, projection_->findData(static_cast<int>(request.projection))));
  const int column = colourBy_->findText(QString::fromStdString(request.groupColumn));
  if (column >= 0) colourBy_->setCurrentIndex(column);
  means_->setChecked(request.conditionMeans);
  const QSignalBlocker d(smooth_);
  smooth_->setValue(request.smoothMs);
  lastSmooth_ = smooth_->value();
}

std::vector<bool> TrajectoryControls::groupVisibility() const {
  std::vector<bool> visible;
  for (int row = 0; row < legend_->count(); ++row) visible.push_back(legend_->item(row)->checkState() == Qt::Checked);
  return visible;
}

void TrajectoryControls::setGroupVisibility(const std::vector<bool>& visible) {
  for (int row = 0; row < legend_->count() && static_cast<std::size_t>(row) < visible.size(); ++row)
    legend_->item(row)->setCheckState(visible[static_cast<std::size_t>(row)] ? Qt::Checked : Qt::Unchecked);
}

int TrajectoryControls::time() const { return time_->value(); }
void TrajectoryControls::setTime(int bin) { time_->setValue(bin); }

void TrajectoryControls::setPlaying(bool play) {
  if (play) {
    timer_.start();
  } else {
    timer_.stop();
  }
  const QSignalBlocker blocker(play_);
  play_->setChecked(play);
  play_->setText(play ? tr("Pause") : tr("Play"));
}

}  // namespace neurolens::gui
