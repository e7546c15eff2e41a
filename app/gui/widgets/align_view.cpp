#include "widgets/align_view.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <limits>
#include <tuple>

#include "neurolens/views/figure/align_overlay.h"
#include "neurolens/views/figure/figure_style.h"
#include "widgets/study_bar.h"

namespace neurolens::gui {

namespace fig = views::figure;

namespace {
constexpr const char* kAutoMatch = "auto";

QSpinBox* spinBox(QWidget* parent, const char* name, int minimum, int maximum, const QString& tip) {
  auto* box = new QSpinBox(parent);
  box->setObjectName(name);
  box->setRange(minimum, maximum);
  box->setToolTip(tip);
  return box;
}
}  // namespace

AlignOverlayWidget::AlignOverlayWidget(QWidget* parent) : QWidget(parent) {
  setObjectName("alignOverlay");
  setMinimumSize(320, 240);
  setAttribute(Qt::WA_OpaquePaintEvent);
}

AlignOverlayWidget::~AlignOverlayWidget() = default;

void AlignOverlayWidget::setPlot(std::unique_ptr<fig::AlignOverlayPlot> plot) {
  plot_ = std::move(plot);
  update();
}

void AlignOverlayWidget::paintEvent(QPaintEvent* /*event*/) {
  QPainter painter(this);
  painter.setRenderHint(QPainter::Antialiasing);
  const fig::FigureStyle style = fig::defaultFigureStyle();
  painter.fillRect(rect(),
                   QColor::fromRgbF(static_cast<float>(style.background.r), static_cast<float>(style.background.g),
                                    static_cast<float>(style.background.b)));
  if (!plot_) return;
  // On screen a point is a little larger than at 72 dpi, so that the figure's 7-8 pt text reads well.
  fig::PaintContext context{style, 1.4 * logicalDpiY()};
  plot_->paint(painter, QRectF(rect()), context);
}

AlignView::AlignView(QWidget* parent) : QWidget(parent) {
  setObjectName("alignView");
  auto* layout = new QVBoxLayout(this);
  // The options, as `align` takes them, in a form above the numbers (so that the view is no wider).
  auto* form = new QFormLayout;
  form->setFieldGrowthPolicy(QFormLayout::FieldsStayAtSizeHint);
  match_ = new QComboBox(this);
  match_->setObjectName("alignMatch");
  match_->setEditable(true);
  match_->addItems({kAutoMatch, "conditions", "time"});
  match_->setToolTip(
      tr("auto (conditions when both sides have trials, else time), conditions, time or "
         "behavior:NAME"));
  form->addRow(tr("Match:"), match_);
  conditionColumn_ = new QLineEdit(this);
  conditionColumn_->setObjectName("alignConditionColumn");
  conditionColumn_->setToolTip(tr("The trial column whose labels are matched (--condition-column)"));
  form->addRow(tr("Condition column:"), conditionColumn_);
  dims_ = spinBox(this, "alignDims", 0, 1000, tr("K principal components per side (auto: min(10, dims of either))"));
  dims_->setSpecialValueText(tr("auto"));
  form->addRow(tr("Dims (K):"), dims_);
  permutations_ = spinBox(this, "alignPermutations", 0, 100000, tr("Draws of each statistic's null (0: no p-values)"));
  form->addRow(tr("Permutations:"), permutations_);
  folds_ = spinBox(this, "alignFolds", 2, 100, tr("Contiguous folds of the consistency fit"));
  form->addRow(tr("Folds:"), folds_);
  smooth_ = new QDoubleSpinBox(this);
  smooth_->setObjectName("alignSmoothMs");
  smooth_->setRange(0.0, 10000.0);
  smooth_->setDecimals(1);
  smooth_->setSuffix(tr(" ms"));
  smooth_->setToolTip(tr("Gaussian sd on the counts of a side without a model (--smooth-ms)"));
  form->addRow(tr("Smoothing:"), smooth_);
  seed_ = spinBox(this, "alignSeed", 0, std::numeric_limits<int>::max(), tr("Makes the permutations repeatable"));
  form->addRow(tr("Seed:"), seed_);
  run_ = new QPushButton(tr("Run"), this);
  run_->setObjectName("alignRun");
  run_->setToolTip(tr("Align the same two pairs again with these options"));
  connect(run_, &QPushButton::clicked, this, &AlignView::runRequested);
  form->addRow(QString(), run_);
  setOptions({});

  auto* row = new QHBoxLayout;
  overlay_ = new AlignOverlayWidget(this);
  row->addWidget(overlay_, 3);
  table_ = new QTableWidget(0, 4, this);
  table_->setObjectName("alignNumbers");
  table_->setHorizontalHeaderLabels({tr("statistic"), tr("value"), tr("p"), tr("null 95%")});
  table_->verticalHeader()->setVisible(false);
  table_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setMinimumWidth(380);
  auto* side = new QVBoxLayout;
  side->addLayout(form);
  side->addWidget(table_, 1);
  row->addLayout(side, 1);
  layout->addLayout(row, 1);
  bar_ = new StudyBar("align", this);
  connect(bar_, &StudyBar::cancelRequested, this, &AlignView::cancelRequested);
  connect(bar_, &StudyBar::closeRequested, this, &AlignView::closeRequested);
  layout->addWidget(bar_);
}

AlignView::~AlignView() = default;

void AlignView::setOptions(const AlignViewOptions& options) {
  match_->setCurrentText(options.match.empty() ? QString(kAutoMatch) : QString::fromStdString(options.match));
  conditionColumn_->setText(QString::fromStdString(options.conditionColumn));
  dims_->setValue(static_cast<int>(std::min<std::size_t>(options.dims, static_cast<std::size_t>(dims_->maximum()))));
  permutations_->setValue(static_cast<int>(
      std::min<std::size_t>(options.permutations, static_cast<std::size_t>(permutations_->maximum()))));
  folds_->setValue(static_cast<int>(std::min<std::size_t>(options.folds, static_cast<std::size_t>(folds_->maximum()))));
  smooth_->setValue(options.smoothMs);
  seed_->setValue(
      static_cast<int>(std::min<std::uint64_t>(options.seed, static_cast<std::uint64_t>(seed_->maximum()))));
}

AlignViewOptions AlignView::options() const {
  AlignViewOptions options;
  const QString match = match_->currentText().trimmed();
  options.match = match == kAutoMatch ? std::string() : match.toStdString();
  options.conditionColumn = conditionColumn_->text().trimmed().toStdString();
  options.dims = static_cast<std::size_t>(dims_->value());
  options.permutations = static_cast<std::size_t>(permutations_->value());
  options.folds = static_cast<std::size_t>(folds_->value());
  options.smoothMs = smooth_->value();
  options.seed = static_cast<std::uint64_t>(seed_->value());
  return options;
}

void AlignView::showRunning(const QString& what) {
  hasResult_ = false;
  shownOptions_.clear();
  run_->setEnabled(false);
  bar_->showRunning(what);
}

void AlignView::setProgress(double fraction, const QString& stage) { bar_->setProgress(fraction, stage); }

void AlignView::showResult(const app::AlignStudyResult& result, std::pair<std::size_t, std::size_t> pairs,
                           const AlignViewOptions& options) {
  bar_->showStopped();
  run_->setEnabled(true);
  pairs_ = pairs;
  numbers_ = app::alignStudyJson(result, alignStudyOptions(options), "angular");
  numbers_.erase("seconds");
  rows_ = alignNumberRows(result);

  const app::AlignedTrajectories lines = app::alignedTrajectories(result);
  fig::AlignOverlayInput input;
  input.labels = lines.labels;
  input.a = lines.a;
  input.b = lines.b;
  std::tie(input.nameA, input.nameB) =
      app::alignSideNames({result.a.file, result.a.model, {}}, {result.b.file, result.b.model, {}});
  input.title = "aligned (" + result.match + ", " + std::to_string(result.stats.dims) + " dims)";
  overlay_->setPlot(std::make_unique<fig::AlignOverlayPlot>(input, fig::defaultFigureStyle()));

  table_->setRowCount(static_cast<int>(rows_.size()));
  for (int r = 0; r < static_cast<int>(rows_.size()); ++r) {
    const AlignNumberRow& row = rows_[static_cast<std::size_t>(r)];
    const auto cell = [&](int column, const std::string& text) {
      auto* item = new QTableWidgetItem(QString::fromStdString(text));
      item->setData(Qt::UserRole, QString::fromStdString(row.key));
      table_->setItem(r, column, item);
    };
    cell(0, row.label);
    cell(1, alignNumberText(row.value));
    cell(2, row.p ? alignNumberText(*row.p) : std::string());
    cell(3, row.null95 ? alignNumberText(*row.null95) : std::string());
  }
  table_->resizeColumnsToContents();
  shownOptions_ = QString::fromStdString(alignOptionsText(options));
  bar_->setText(tr("A: %1  (solid)    B: %2  (dashed)    %3 matched rows, p from %4 permutations (smallest "
                   "possible p %5)    options: %6")
                    .arg(QString::fromStdString(input.nameA), QString::fromStdString(input.nameB))
                    .arg(result.stats.rows)
                    .arg(result.stats.permutationsRun)
                    .arg(QString::fromStdString(alignNumberText(result.stats.pMin)), shownOptions_));
  hasResult_ = true;
}

void AlignView::showError(const QString& message) {
  bar_->showStopped();
  run_->setEnabled(true);
  hasResult_ = false;
  shownOptions_.clear();
  bar_->setText(message);
}

std::size_t AlignView::trajectories() const {
  const fig::AlignOverlayPlot* plot = overlay_->plot();
  return plot == nullptr ? 0 : plot->linesA() + plot->linesB();
}

}  // namespace neurolens::gui
