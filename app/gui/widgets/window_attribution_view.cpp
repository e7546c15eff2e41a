#include "widgets/window_attribution_view.h"

#include <QLabel>
#include <QVBoxLayout>

#include "neurolens/views/figure/plots.h"
#include "widgets/plot_widget.h"

namespace neurolens::gui {

namespace fig = views::figure;

WindowAttributionView::WindowAttributionView(QWidget* parent) : QWidget(parent) {
  setObjectName("windowAttributionView");
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  layout->setSpacing(2);
  header_ = new QLabel(this);
  header_->setObjectName("windowAttributionHeader");
  header_->setWordWrap(true);
  plot_ =
      new PlotWidget(tr("Open a recording and a model: the window under the time cursor is attributed here."), this);
  plot_->setObjectName("windowAttributionPlot");
  // With the two lines of text, no taller than the other result tabs: the tab must not grow the window.
  plot_->setMinimumHeight(110);
  summary_ = new QLabel(this);
  summary_->setObjectName("windowAttributionSummary");
  summary_->setWordWrap(true);
  summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(header_);
  layout->addWidget(plot_, 1);
  layout->addWidget(summary_);
}

void WindowAttributionView::setTiming(std::vector<double> binStartS, double binMs, bool continuous) {
  binStartS_ = std::move(binStartS);
  binMs_ = binMs;
  continuous_ = continuous;
}

QString WindowAttributionView::describe(const AttributionWindow& window) const {
  const double start = window.trial < binStartS_.size() ? binStartS_[window.trial] : 0.0;
  const auto at = [&](std::size_t bin) { return start + static_cast<double>(bin) * binMs_ / 1000.0; };
  const QString where = continuous_ ? tr("Recording") : tr("Trial %1").arg(window.trial + 1);
  QString text = tr("%1, %2\u2013%3 s (bins %4\u2013%5)")
                     .arg(where)
                     .arg(at(window.targetBegin), 0, 'f', 2)
                     .arg(at(window.targetEnd), 0, 'f', 2)
                     .arg(window.targetBegin)
                     .arg(window.targetEnd);
  if (window.inputBegin != window.targetBegin || window.inputEnd != window.targetEnd)
    text +=
        tr("; the model sees %1\u2013%2 s").arg(at(window.inputBegin), 0, 'f', 2).arg(at(window.inputEnd), 0, 'f', 2);
  return text;
}

void WindowAttributionView::showComputing(const AttributionWindow& window) {
  header_->setText(describe(window) + tr(" \u2014 computing\u2026"));
}

void WindowAttributionView::showResult(const std::shared_ptr<const WindowAttribution>& result, double latencySeconds,
                                       bool cached) {
  shown_ = result;
  if (result == nullptr) return;
  header_->setText(describe(result->window));
  fig::HeatmapData heatmap;
  heatmap.values = result->profile;
  heatmap.title = "Attribution of the cursor window: units x latents";
  heatmap.xTitle = "latent";
  heatmap.yTitle = "unit";
  heatmap.colourBarTitle = "summed attribution";
  heatmap.scale = fig::ColourScale::Diverging;
  for (std::int64_t target : result->targets) heatmap.columnLabels.push_back("L" + std::to_string(target + 1));
  plot_->setPlot(std::make_unique<fig::HeatmapPlot>(std::move(heatmap)));
  QString text = QString::fromStdString(result->method) + ". ";
  if (result->stepsUsed > 0) {  // integrated gradients: trustworthy only when they add up to F(x) - F(baseline)
    text += tr("Completeness error %1 of F(x) - F(baseline) with %2 steps. ")
                .arg(result->maxRelCompleteness, 0, 'g', 2)
                .arg(result->stepsUsed);
    if (result->maxRelCompleteness > result->tolerance)
      text += tr("\u26a0 Above the %1 tolerance: the path integral has not converged; use more steps (or auto). ")
                  .arg(result->tolerance);
  }
  text += cached ? tr("Shown %1 ms after the cursor moved (cached; computed in %2 ms).")
                 : tr("Shown %1 ms after the cursor moved (computed in %2 ms).");
  const double latencyMs = latencySeconds * 1000.0;
  text = text.arg(latencyMs, 0, 'f', latencyMs < 10.0 ? 1 : 0).arg(result->computeSeconds * 1000.0, 0, 'f', 0);
  if (result->field.before + result->field.after > 0)
    text += tr(" Context %1 + %2 bins (%3).")
                .arg(result->field.before)
                .arg(result->field.after)
                .arg(QString::fromStdString(result->field.source));
  summary_->setText(text);
}

void WindowAttributionView::showProblem(const QString& text) { summary_->setText(tr("\u26a0 %1").arg(text)); }

void WindowAttributionView::clear(const QString& why) {
  shown_.reset();
  header_->clear();
  summary_->clear();
  plot_->setPlot(nullptr);
  plot_->setEmptyText(why);
}

QString WindowAttributionView::headerText() const { return header_->text(); }
QString WindowAttributionView::summaryText() const { return summary_->text(); }

}  // namespace neurolens::gui
