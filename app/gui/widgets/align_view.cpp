#include "widgets/align_view.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPainter>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>
#include <tuple>

#include "neurolens/views/figure/align_overlay.h"
#include "neurolens/views/figure/figure_style.h"

namespace neurolens::gui {

namespace fig = views::figure;

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
  row->addWidget(table_, 1);
  layout->addLayout(row, 1);
  auto* bar = new QHBoxLayout;
  status_ = new QLabel(this);
  status_->setObjectName("alignStatus");
  status_->setWordWrap(true);
  progress_ = new QProgressBar(this);
  progress_->setRange(0, 100);
  progress_->setVisible(false);
  cancel_ = new QPushButton(tr("Cancel"), this);
  cancel_->setObjectName("alignCancel");
  cancel_->setVisible(false);
  connect(cancel_, &QPushButton::clicked, this, &AlignView::cancelRequested);
  close_ = new QPushButton(tr("Back to the Views"), this);
  close_->setObjectName("alignClose");
  connect(close_, &QPushButton::clicked, this, &AlignView::closeRequested);
  bar->addWidget(status_, 1);
  bar->addWidget(progress_);
  bar->addWidget(cancel_);
  bar->addWidget(close_);
  layout->addLayout(bar);
}

AlignView::~AlignView() = default;

void AlignView::showRunning(const QString& what) {
  hasResult_ = false;
  status_->setText(what);
  progress_->setValue(0);
  progress_->setVisible(true);
  cancel_->setVisible(true);
}

void AlignView::setProgress(double fraction, const QString& stage) {
  progress_->setValue(static_cast<int>(100.0 * fraction));
  progress_->setFormat(stage + " %p%");
}

void AlignView::showResult(const app::AlignStudyResult& result, std::pair<std::size_t, std::size_t> pairs) {
  progress_->setVisible(false);
  cancel_->setVisible(false);
  pairs_ = pairs;
  const app::AlignStudyOptions options = defaultAlignOptions();
  numbers_ = app::alignStudyJson(result, options, "angular");
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
  status_->setText(tr("A: %1  (solid)    B: %2  (dashed)    %3 matched rows, p from %4 permutations (smallest "
                      "possible p %5)")
                       .arg(QString::fromStdString(input.nameA), QString::fromStdString(input.nameB))
                       .arg(result.stats.rows)
                       .arg(result.stats.permutationsRun)
                       .arg(QString::fromStdString(alignNumberText(result.stats.pMin))));
  hasResult_ = true;
}

void AlignView::showError(const QString& message) {
  progress_->setVisible(false);
  cancel_->setVisible(false);
  hasResult_ = false;
  status_->setText(message);
}

std::size_t AlignView::trajectories() const {
  const fig::AlignOverlayPlot* plot = overlay_->plot();
  return plot == nullptr ? 0 : plot->linesA() + plot->linesB();
}

}  // namespace neurolens::gui
