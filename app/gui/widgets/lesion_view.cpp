#include "widgets/lesion_view.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QScrollBar>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <limits>
#include <memory>

#include "neurolens/views/figure/align_overlay.h"
#include "neurolens/views/figure/figure_style.h"
#include "widgets/align_view.h"
#include "widgets/study_bar.h"

namespace neurolens::gui {

namespace fig = views::figure;

namespace {

fig::AlignOverlayInput overlayInput(const app::LesionStudyResult& result, bool lesioned) {
  const app::LesionTrajectories lines = app::lesionTrajectories(result);
  fig::AlignOverlayInput input;
  input.labels = lines.labels;
  input.a = lines.intact;
  input.b = lesioned ? lines.lesioned : std::vector<std::vector<std::array<double, 2>>>(lines.labels.size());
  input.prefixA.clear();
  input.prefixB.clear();
  input.nameA = "intact";
  input.nameB = lesioned ? app::lesionedName(result) : std::string("lesioned: none (undone)");
  // The numbers are in the effects table beside the plot: the title only names the lesion.
  input.title = lesioned ? "intact and " + app::lesionedName(result) : std::string("intact");
  input.xTitle = "PC 1";
  input.yTitle = "PC 2";
  input.conditionColumn = result.spec.condition;
  return input;
}

}  // namespace

LesionView::LesionView(QWidget* parent) : QWidget(parent) {
  setObjectName("lesionView");
  auto* layout = new QVBoxLayout(this);
  auto* controls = new QHBoxLayout;
  controls->addWidget(new QLabel(tr("Units:"), this));
  units_ = new QComboBox(this);
  units_->setObjectName("lesionUnits");
  units_->setEditable(true);
  units_->setMinimumWidth(220);
  units_->setToolTip(tr("COLUMN=VALUE of the units table, or unit ids (3,7,12)"));
  controls->addWidget(units_, 1);
  selected_ = new QPushButton(tr("Use Selected Units"), this);
  selected_->setObjectName("lesionUseSelected");
  connect(selected_, &QPushButton::clicked, this, &LesionView::useSelectedRequested);
  controls->addWidget(selected_);
  controls->addWidget(new QLabel(tr("Mode:"), this));
  mode_ = new QComboBox(this);
  mode_->setObjectName("lesionMode");
  mode_->setEditable(true);
  mode_->addItems({"mean", "zero", "shuffle", "boost:2"});
  mode_->setToolTip(tr("zero, mean, shuffle or boost:F (counts x F)"));
  controls->addWidget(mode_);
  run_ = new QPushButton(tr("Lesion"), this);
  run_->setObjectName("lesionRun");
  connect(run_, &QPushButton::clicked, this, &LesionView::runRequested);
  controls->addWidget(run_);
  undo_ = new QPushButton(tr("Undo"), this);
  undo_->setObjectName("lesionUndo");
  undo_->setEnabled(false);
  undo_->setToolTip(tr("Back to the previous lesion, then to the intact view"));
  connect(undo_, &QPushButton::clicked, this, &LesionView::undoRequested);
  controls->addWidget(undo_);
  layout->addLayout(controls);

  // The null's options, as `lesion` takes them, in a form above the effects (so that the panel is no wider).
  auto* form = new QFormLayout;
  form->setFieldGrowthPolicy(QFormLayout::FieldsStayAtSizeHint);
  repeats_ = new QSpinBox(this);
  repeats_->setObjectName("lesionRandomRepeats");
  repeats_->setRange(0, 100000);
  repeats_->setToolTip(tr("Random lesions of as many units that make each effect's null (--random-repeats)"));
  form->addRow(tr("Random lesions:"), repeats_);
  seed_ = new QSpinBox(this);
  seed_->setObjectName("lesionSeed");
  seed_->setRange(0, std::numeric_limits<int>::max());
  seed_->setToolTip(tr("Makes the random lesions (and shuffles) repeatable (--seed)"));
  form->addRow(tr("Seed:"), seed_);
  setOptions({});

  auto* row = new QHBoxLayout;
  overlay_ = new AlignOverlayWidget(this);
  overlay_->setObjectName("lesionOverlay");
  row->addWidget(overlay_, 3);
  table_ = new QTableWidget(0, 4, this);
  table_->setObjectName("lesionEffects");
  table_->setHorizontalHeaderLabels({tr("effect"), tr("value"), tr("random %ile"), tr("p")});
  table_->verticalHeader()->setVisible(false);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setFixedWidth(380);
  auto* side = new QVBoxLayout;
  side->addLayout(form);
  side->addWidget(table_, 1);
  row->addLayout(side);
  layout->addLayout(row, 1);

  bar_ = new StudyBar("lesion", this);
  connect(bar_, &StudyBar::cancelRequested, this, &LesionView::cancelRequested);
  connect(bar_, &StudyBar::closeRequested, this, &LesionView::closeRequested);
  layout->addWidget(bar_);
}

LesionView::~LesionView() = default;

void LesionView::setUnitChoices(const QStringList& choices) {
  const QString kept = units_->currentText();
  units_->clear();
  units_->addItems(choices);
  if (!kept.isEmpty()) units_->setCurrentText(kept);
}

void LesionView::setUnits(const QString& units) { units_->setCurrentText(units); }
void LesionView::setMode(const QString& mode) { mode_->setCurrentText(mode); }
QString LesionView::units() const { return units_->currentText().trimmed(); }
QString LesionView::mode() const { return mode_->currentText().trimmed(); }

void LesionView::setOptions(const LesionViewOptions& options) {
  repeats_->setValue(
      static_cast<int>(std::min<std::size_t>(options.randomRepeats, static_cast<std::size_t>(repeats_->maximum()))));
  seed_->setValue(
      static_cast<int>(std::min<std::uint64_t>(options.seed, static_cast<std::uint64_t>(seed_->maximum()))));
}

LesionViewOptions LesionView::options() const {
  return {static_cast<std::size_t>(repeats_->value()), static_cast<std::uint64_t>(seed_->value())};
}

void LesionView::showRunning(const QString& what) {
  bar_->showRunning(what);
  run_->setEnabled(false);
}

void LesionView::setProgress(double fraction, const QString& stage) { bar_->setProgress(fraction, stage); }

void LesionView::showResult(const app::LesionStudyResult& result, std::size_t pair) {
  bar_->showStopped();
  run_->setEnabled(true);
  pair_ = pair;
  numbers_ = app::lesionEntryJson(result, 0);
  rows_ = lesionNumberRows(numbers_);
  overlay_->setPlot(std::make_unique<fig::AlignOverlayPlot>(overlayInput(result, true), fig::defaultFigureStyle()));
  fillTable();
  bar_->setText(tr("Pair %1: %2 (%3 units, mode %4): intact solid, lesioned dashed; percentiles and p against "
                   "%5 random lesions of as many units (seed %6; options: %7)")
                    .arg(pair + 1)
                    .arg(QString::fromStdString(result.study.lesions.front().label))
                    .arg(result.study.lesions.front().units.size())
                    .arg(QString::fromStdString(lesionManipulationName(result.options.manipulation)))
                    .arg(result.spec.randomRepeats)
                    .arg(result.spec.seed)
                    .arg(QString::fromStdString(
                        lesionOptionsText(result.spec.mode, {result.spec.randomRepeats, result.spec.seed}))));
  hasResult_ = true;
}

void LesionView::showIntact(const app::LesionStudyResult& result, std::size_t pair) {
  bar_->showStopped();
  run_->setEnabled(true);
  pair_ = pair;
  numbers_ = nlohmann::json();
  rows_.clear();
  overlay_->setPlot(std::make_unique<fig::AlignOverlayPlot>(overlayInput(result, false), fig::defaultFigureStyle()));
  fillTable();
  bar_->setText(tr("Pair %1: intact (every lesion undone)").arg(pair + 1));
  hasResult_ = false;
}

void LesionView::showError(const QString& message) {
  bar_->showStopped();
  run_->setEnabled(true);
  bar_->setText(message);
}

void LesionView::setUndoEnabled(bool enabled) { undo_->setEnabled(enabled); }

void LesionView::fillTable() {
  table_->setRowCount(static_cast<int>(rows_.size()));
  for (int r = 0; r < static_cast<int>(rows_.size()); ++r) {
    const LesionNumberRow& row = rows_[static_cast<std::size_t>(r)];
    const auto cell = [&](int column, const std::string& text) {
      auto* item = new QTableWidgetItem(QString::fromStdString(text));
      item->setData(Qt::UserRole, QString::fromStdString(row.key));
      table_->setItem(r, column, item);
    };
    cell(0, row.label);
    cell(1, lesionNumberText(row.value));
    cell(2, row.percentile ? lesionNumberText(*row.percentile) : std::string());
    cell(3, row.p ? lesionNumberText(*row.p) : std::string());
  }
  table_->resizeColumnsToContents();
  // As wide as its columns (the plot takes the rest), so that no column is cut.
  int width = 2 * table_->frameWidth() + table_->verticalScrollBar()->sizeHint().width() + 4;
  for (int c = 0; c < table_->columnCount(); ++c) width += table_->columnWidth(c);
  table_->setFixedWidth(std::max(380, width));
}

std::size_t LesionView::trajectories() const {
  const fig::AlignOverlayPlot* plot = overlay_->plot();
  return plot == nullptr ? 0 : plot->linesA() + plot->linesB();
}

std::size_t LesionView::lesionedLines() const {
  const fig::AlignOverlayPlot* plot = overlay_->plot();
  return plot == nullptr ? 0 : plot->linesB();
}

}  // namespace neurolens::gui
