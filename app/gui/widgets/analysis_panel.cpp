#include "widgets/analysis_panel.h"

#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QVBoxLayout>
#include <set>

#include "logic/pipeline.h"
#include "neurolens/plugins/plugin_manager.h"
#include "widgets/embedding_view.h"
#include "widgets/plot_widget.h"
#include "widgets/window_attribution_view.h"

namespace neurolens::gui {

namespace {

namespace fig = views::figure;

FloatArray toFloatArray(const Eigen::MatrixXd& matrix) {
  FloatArray array({static_cast<std::size_t>(matrix.rows()), static_cast<std::size_t>(matrix.cols())});
  for (Eigen::Index r = 0; r < matrix.rows(); ++r)
    for (Eigen::Index c = 0; c < matrix.cols(); ++c)
      array.values()[static_cast<std::size_t>(r * matrix.cols() + c)] = static_cast<float>(matrix(r, c));
  return array;
}

// The highlighted type is drawn with arrows around its group label.
std::string marked(const std::string& type, const QString& selected) {
  return QString::fromStdString(type) == selected ? "\u25b6 " + type + " \u25c0" : type;
}

std::vector<std::string> latentLabels(const std::vector<std::int64_t>& targets) {
  std::vector<std::string> labels;
  for (std::int64_t target : targets) labels.push_back("L" + std::to_string(target + 1));
  return labels;
}

}  // namespace

AnalysisPanel::AnalysisPanel(QWidget* parent) : QWidget(parent) {
  setObjectName("analysisPanelWidget");
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);

  auto* attributionBox = new QGroupBox(tr("Attribution and type-latent link"), this);
  auto* form = new QFormLayout(attributionBox);
  method_ = new QComboBox(attributionBox);
  method_->setObjectName("attributionMethod");
  method_->addItem(tr("Integrated gradients"), static_cast<int>(AttributionMethod::IntegratedGradients));
  method_->addItem(tr("Saliency"), static_cast<int>(AttributionMethod::Saliency));
  method_->addItem(tr("Input x gradient"), static_cast<int>(AttributionMethod::InputXGradient));
  method_->addItem(tr("SmoothGrad"), static_cast<int>(AttributionMethod::SmoothGrad));
  // Methods that plugins add (plugins/sdk AttributionMethodPlugin), e.g. occlusion.
  const plugins::PluginManager plugins(plugins::PluginManager::defaultFolders());
  for (const auto* plugin : plugins.attributionMethods())
    method_->addItem(tr("%1 (plugin)").arg(QString::fromStdString(plugin->methodName())),
                     QString::fromStdString(plugin->methodName()));
  steps_ = new QSpinBox(attributionBox);
  steps_->setObjectName("attributionSteps");
  steps_->setRange(1, 1024);
  steps_->setValue(20);
  steps_->setSpecialValueText(tr("auto (completeness within 0.01)"));
  steps_->setToolTip(
      tr("Integration steps (integrated gradients); the lowest value, auto, doubles the steps from "
         "16 until the completeness error is within 0.01 (up to 1024)"));
  baseline_ = new QComboBox(attributionBox);
  baseline_->addItem(tr("zero counts"), static_cast<int>(AttributionBaseline::Zero));
  baseline_->addItem(tr("mean counts"), static_cast<int>(AttributionBaseline::Mean));
  targets_ = new QLineEdit(attributionBox);
  targets_->setObjectName("attributionTargets");
  targets_->setPlaceholderText(tr("all latents, or e.g. 1,2,5"));
  trials_ = new QSpinBox(attributionBox);
  trials_->setObjectName("attributionTrials");
  trials_->setRange(0, 100000);
  trials_->setValue(16);
  trials_->setSpecialValueText(tr("all"));
  trials_->setToolTip(tr("Attribute the first N trials (0: all). Attribution is costly without a GPU."));
  typeColumn_ = new QComboBox(attributionBox);
  typeColumn_->setObjectName("typeColumn");
  typeColumn_->setToolTip(tr("Unit column that names unit types (cell type, area ...)"));
  permutations_ = new QSpinBox(attributionBox);
  permutations_->setRange(0, 100000);
  permutations_->setValue(200);
  permutations_->setToolTip(tr("Permutations of the type labels for the p-values of the type-latent association"));
  runAttribution_ = new QPushButton(tr("Run Attribution"), attributionBox);
  runAttribution_->setObjectName("runAttributionButton");
  form->addRow(tr("Method"), method_);
  form->addRow(tr("Steps"), steps_);
  form->addRow(tr("Baseline"), baseline_);
  form->addRow(tr("Latents"), targets_);
  form->addRow(tr("Trials"), trials_);
  form->addRow(tr("Unit types"), typeColumn_);
  form->addRow(tr("Permutations"), permutations_);
  form->addRow(runAttribution_);

  auto* probeBox = new QGroupBox(tr("Probe"), this);
  auto* probeForm = new QFormLayout(probeBox);
  probeTarget_ = new QComboBox(probeBox);
  probeTarget_->setObjectName("probeTarget");
  probeFeatures_ = new QComboBox(probeBox);
  probeFeatures_->setObjectName("probeFeatures");
  probeFeatures_->addItem(tr("model latents"), true);
  probeFeatures_->addItem(tr("binned counts"), false);
  runProbe_ = new QPushButton(tr("Run Probe"), probeBox);
  runProbe_->setObjectName("runProbeButton");
  probeForm->addRow(tr("Target"), probeTarget_);
  probeForm->addRow(tr("Features"), probeFeatures_);
  probeRows_ = new QComboBox(probeBox);
  probeRows_->setObjectName("probeRows");
  probeRows_->addItem(tr("one per bin"), false);
  probeRows_->addItem(tr("one per trial (window mean)"), true);
  probeRows_->setToolTip(
      tr("Rows the probe decodes: every (trial, bin), or each trial's features averaged over "
         "its window (e.g. a trial's label from its delay period)"));
  probeForm->addRow(tr("Rows"), probeRows_);
  probeForm->addRow(runProbe_);

  // Parented to this panel until the window places it (see resultsWidget()).
  resultsPage_ = new QWidget(this);
  resultsPage_->setObjectName("analysisResultsPage");
  auto* resultsLayout = new QVBoxLayout(resultsPage_);
  resultsLayout->setContentsMargins(2, 2, 2, 2);
  results_ = new QTabWidget(resultsPage_);
  results_->setObjectName("analysisResults");
  auto* attributionPage = new QWidget(results_);
  auto* pageLayout = new QHBoxLayout(attributionPage);
  pageLayout->setContentsMargins(0, 0, 0, 0);
  types_ = new QListWidget(attributionPage);
  types_->setObjectName("typeList");
  types_->setMaximumWidth(140);
  types_->setToolTip(tr("Select a unit type to highlight it here and in the units table"));
  attributionPlot_ = new PlotWidget(tr("Run attribution to see which units drive which latents."), attributionPage);
  attributionPlot_->setObjectName("attributionPlot");
  pageLayout->addWidget(types_);
  pageLayout->addWidget(attributionPlot_, 1);
  associationPlot_ = new PlotWidget(tr("The type x latent association appears after attribution."), results_);
  associationPlot_->setObjectName("associationPlot");
  probePlot_ = new PlotWidget(tr("Run a probe to see how well the target can be read out."), results_);
  probePlot_->setObjectName("probePlot");
  results_->addTab(attributionPage, tr("Attribution"));
  results_->addTab(associationPlot_, tr("Link"));
  results_->addTab(probePlot_, tr("Probe"));
  windowView_ = new WindowAttributionView(results_);
  results_->addTab(windowView_, tr("Cursor window"));
  embeddingView_ = new EmbeddingView(results_);  // the model's unit embeddings (issue 18 step 4)
  results_->addTab(embeddingView_, tr("Unit embeddings"));
  connect(embeddingView_, &EmbeddingView::unitClicked, this, &AnalysisPanel::unitClicked);
  summary_ = new QLabel(resultsPage_);
  summary_->setObjectName("analysisSummary");
  summary_->setWordWrap(true);
  summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);

  resultsLayout->addWidget(results_, 1);
  resultsLayout->addWidget(summary_);
  layout->addWidget(attributionBox);
  layout->addWidget(probeBox);
  layout->addStretch();

  connect(runAttribution_, &QPushButton::clicked, this, [this] { Q_EMIT attributionRequested(attributionRequest()); });
  connect(runProbe_, &QPushButton::clicked, this, [this] { Q_EMIT probeRequested(probeRequest()); });
  connect(results_, &QTabWidget::currentChanged, this,
          [this] { Q_EMIT cursorWindowShownChanged(cursorWindowShown()); });
  connect(method_, &QComboBox::currentIndexChanged, this, &AnalysisPanel::attributionOptionsChanged);
  connect(steps_, &QSpinBox::valueChanged, this, &AnalysisPanel::attributionOptionsChanged);
  connect(baseline_, &QComboBox::currentIndexChanged, this, &AnalysisPanel::attributionOptionsChanged);
  // Clicking the heatmap: a cell selects its unit, a group label its type.
  connect(attributionPlot_, &PlotWidget::heatmapClicked, this, [this](std::size_t row, int column) {
    if (shown_ == nullptr || row >= shown_->unitTypes.size()) return;
    if (column >= 0) {
      setSelectedUnit(row);
      Q_EMIT unitClicked(row);
      return;
    }
    const QString type = QString::fromStdString(shown_->unitTypes[row]);
    setSelectedUnit(std::nullopt);
    if (type != selectedType_) setSelectedType(type);
    Q_EMIT typeSelected(type);
  });
  connect(types_, &QListWidget::currentTextChanged, this, [this](const QString& text) {
    if (text == selectedType_) return;
    setSelectedType(text);
    Q_EMIT typeSelected(text);
  });
  setInputs(nullptr, 0, false);
}

void AnalysisPanel::setInputs(const BinnedRecording* recording, std::int64_t latentCount, bool hasLatents) {
  hasLatents_ = hasLatents;
  const QString previousColumn = typeColumn_->currentText();
  const QString previousTarget = probeTarget_->currentData().toString();
  typeColumn_->clear();
  probeTarget_->clear();
  if (recording != nullptr) {
    const std::string preferred = defaultTypeColumn(recording->units);
    for (const Column& column : recording->units.columns()) {
      if (column.isText() && !column.isRagged()) typeColumn_->addItem(QString::fromStdString(column.name));
    }
    const int index =
        typeColumn_->findText(previousColumn.isEmpty() ? QString::fromStdString(preferred) : previousColumn);
    if (index >= 0) typeColumn_->setCurrentIndex(index);
    for (const auto& entry : recording->behavior) {
      const QString spec = QString::fromStdString("behavior:" + entry.first);
      probeTarget_->addItem(tr("behaviour: %1").arg(QString::fromStdString(entry.first)), spec);
    }
    for (const Column& column : recording->trials.columns()) {
      if (column.isRagged() || column.name == "start_time" || column.name == "stop_time") continue;
      const QString spec = QString::fromStdString("trials:" + column.name);
      probeTarget_->addItem(tr("trial column: %1").arg(QString::fromStdString(column.name)), spec);
    }
    const int target = probeTarget_->findData(previousTarget);
    if (target >= 0) probeTarget_->setCurrentIndex(target);
  }
  targets_->setToolTip(latentCount > 0 ? tr("Latents 1 to %1; empty for all").arg(latentCount) : QString());
  setBusy(busy_);
}

bool AnalysisPanel::cursorWindowShown() const { return results_->currentWidget() == windowView_; }
void AnalysisPanel::showCursorWindow() { results_->setCurrentWidget(windowView_); }
void AnalysisPanel::showEmbeddings() { results_->setCurrentWidget(embeddingView_); }

void AnalysisPanel::setBusy(bool busy) {
  busy_ = busy;
  runAttribution_->setEnabled(!busy && hasLatents_);
  runProbe_->setEnabled(!busy && probeTarget_->count() > 0);
}

AttributionRequest AnalysisPanel::attributionRequest() const {
  AttributionRequest request;
  const QVariant method = method_->currentData();
  if (method.typeId() == QMetaType::QString)
    request.pluginMethod = method.toString().toStdString();
  else
    request.method = static_cast<AttributionMethod>(method.toInt());
  request.steps = steps_->value() == steps_->minimum() ? 0 : steps_->value();
  request.baseline = static_cast<AttributionBaseline>(baseline_->currentData().toInt());
  for (const QString& part : targets_->text().split(',', Qt::SkipEmptyParts)) {
    bool ok = false;
    const int latent = part.trimmed().toInt(&ok);
    if (ok && latent >= 1) request.targets.push_back(latent - 1);  // the user counts from 1
  }
  request.trials = static_cast<std::size_t>(trials_->value());
  request.typeColumn = typeColumn_->currentText().toStdString();
  request.permutations = static_cast<std::size_t>(permutations_->value());
  return request;
}

void AnalysisPanel::setAttributionRequest(const AttributionRequest& request) {
  method_->setCurrentIndex(std::max(0, request.pluginMethod.empty()
                                           ? method_->findData(static_cast<int>(request.method))
                                           : method_->findData(QString::fromStdString(request.pluginMethod))));
  steps_->setValue(request.steps <= 0 ? steps_->minimum() : request.steps);
  baseline_->setCurrentIndex(std::max(0, baseline_->findData(static_cast<int>(request.baseline))));
  QStringList targets;
  for (std::int64_t target : request.targets) targets << QString::number(target + 1);
  targets_->setText(targets.join(","));
  trials_->setValue(static_cast<int>(request.trials));
  const int column = typeColumn_->findText(QString::fromStdString(request.typeColumn));
  if (column >= 0) typeColumn_->setCurrentIndex(column);
  permutations_->setValue(static_cast<int>(request.permutations));
}

ProbeRequest AnalysisPanel::probeRequest() const {
  ProbeRequest request;
  request.target = probeTarget_->currentData().toString().toStdString();
  request.useLatents = probeFeatures_->currentData().toBool();
  request.rowsPerTrial = probeRows_->currentData().toBool();
  return request;
}

void AnalysisPanel::setSelectedType(const QString& type) {
  selectedType_ = type;
  const QList<QListWidgetItem*> items = types_->findItems(type, Qt::MatchExactly);
  {
    const QSignalBlocker blocker(types_);
    if (items.isEmpty()) {
      types_->clearSelection();
      types_->setCurrentRow(-1);
    } else {
      types_->setCurrentItem(items.first());
    }
  }
  redrawAttribution();
}

void AnalysisPanel::setSelectedUnit(std::optional<std::size_t> unit) {
  attributionPlot_->setHighlightedRow(unit);
  embeddingView_->setSelectedUnit(unit);
}

void AnalysisPanel::showAttribution(std::shared_ptr<const AttributionOutcome> outcome) {
  shown_ = std::move(outcome);
  {
    const QSignalBlocker blocker(types_);
    types_->clear();
    if (shown_ != nullptr) {
      const std::set<std::string> distinct(shown_->unitTypes.begin(), shown_->unitTypes.end());
      for (const std::string& type : distinct) types_->addItem(QString::fromStdString(type));
    }
  }
  setSelectedType(selectedType_);
  if (shown_ == nullptr) {
    associationPlot_->setPlot(nullptr);
    summary_->clear();
    return;
  }
  const bool plugin = !shown_->request.pluginMethod.empty();
  QString text = tr("Attribution (%1, %2 trials): ")
                     .arg(plugin ? tr("%1 (plugin)").arg(QString::fromStdString(shown_->request.pluginMethod))
                                 : QString::fromStdString(methodName(shown_->request.method)))
                     .arg(shown_->trialsUsed);
  if (!plugin && shown_->request.method == AttributionMethod::IntegratedGradients) {
    text += tr("completeness error %1 of F(x) - F(baseline) with %2 steps. ")
                .arg(shown_->maxRelCompleteness, 0, 'g', 2)
                .arg(shown_->maxStepsUsed);
    // Integrated gradients are only trustworthy when they add up to F(x) - F(baseline).
    if (shown_->maxRelCompleteness > shown_->request.tolerance)
      text += tr("\u26a0 Above the %1 tolerance%2: the path integral has not converged; use more steps (or "
                 "auto) before reading these attributions. ")
                  .arg(shown_->request.tolerance)
                  .arg(shown_->unconverged > 0
                           ? tr(" (%1 trials at the %2-step cap)").arg(shown_->unconverged).arg(shown_->maxStepsUsed)
                           : QString());
  }
  if (shown_->link) {
    const LinkResult& link = *shown_->link;
    fig::HeatmapData heatmap;
    heatmap.values = toFloatArray(link.association);
    heatmap.title = "Type x latent association";
    heatmap.xTitle = "latent";
    heatmap.yTitle = "";
    heatmap.colourBarTitle = "share of profile";
    heatmap.rowLabels = link.types;
    heatmap.columnLabels = latentLabels(shown_->targets);
    heatmap.pValues = toFloatArray(link.pValues);
    associationPlot_->setPlot(std::make_unique<fig::HeatmapPlot>(std::move(heatmap)));
    text += tr("unit type predicted from attribution profiles with accuracy %1 (chance %2).")
                .arg(link.typeAccuracy, 0, 'f', 2)
                .arg(link.chance, 0, 'f', 2);
  } else {
    associationPlot_->setPlot(nullptr);
    associationPlot_->setEmptyText(tr("No type-latent link: %1").arg(shown_->linkProblem));
  }
  summary_->setText(text);
  results_->setCurrentIndex(0);
}

void AnalysisPanel::redrawAttribution() {
  if (shown_ == nullptr || shown_->profiles.size() == 0) {
    attributionPlot_->setPlot(nullptr);
    return;
  }
  fig::HeatmapData heatmap;
  heatmap.values = toFloatArray(shown_->profiles);
  heatmap.title = "Attribution: units x latents";
  heatmap.xTitle = "latent";
  heatmap.yTitle = "unit";
  heatmap.colourBarTitle = "summed attribution";
  heatmap.scale = fig::ColourScale::Diverging;
  heatmap.columnLabels = latentLabels(shown_->targets);
  for (const std::string& type : shown_->unitTypes) heatmap.rowGroups.push_back(marked(type, selectedType_));
  if (shown_->link) {
    heatmap.pValues = toFloatArray(shown_->link->pValues);
    for (const std::string& type : shown_->link->types) heatmap.pValueGroups.push_back(marked(type, selectedType_));
  }
  attributionPlot_->setPlot(std::make_unique<fig::HeatmapPlot>(std::move(heatmap)));
}

void AnalysisPanel::showProbe(const std::shared_ptr<const ProbeOutcome>& outcome) {
  if (outcome == nullptr) {
    probePlot_->setPlot(nullptr);
    return;
  }
  const ProbeResult& result = outcome->result;
  fig::BarData bars;
  const QString target = QString::fromStdString(outcome->request.target);
  const QString features = outcome->request.useLatents ? tr("latents") : tr("counts");
  if (result.categorical) {
    bars.values = {result.accuracy, result.chance};
    bars.barLabels = {"accuracy", "chance"};
    bars.yTitle = "fraction correct";
    bars.range = std::make_pair(0.0, 1.0);
    summary_->setText(tr("Probe %1 from %2: accuracy %3 (chance %4), %5 folds, one row per %6")
                          .arg(target, features)
                          .arg(result.accuracy, 0, 'f', 3)
                          .arg(result.chance, 0, 'f', 3)
                          .arg(QString::fromLatin1(foldsKindName(result.foldsKind)))
                          .arg(result.rowsKind == ProbeRowsKind::Trials ? tr("trial") : tr("bin")));
  } else {
    bars.values = result.r2PerDim;
    for (std::size_t d = 0; d < result.r2PerDim.size(); ++d) bars.barLabels.push_back("dim " + std::to_string(d + 1));
    summary_->setText(tr("Probe %1 from %2: cross-validated R\u00b2 %3, %4 folds, one row per %5")
                          .arg(target, features)
                          .arg(result.r2, 0, 'f', 3)
                          .arg(QString::fromLatin1(foldsKindName(result.foldsKind)))
                          .arg(result.rowsKind == ProbeRowsKind::Trials ? tr("trial") : tr("bin")));
  }
  bars.title = "Probe: " + outcome->request.target;
  probePlot_->setPlot(std::make_unique<fig::BarPlot>(std::move(bars)));
  results_->setCurrentWidget(probePlot_);
}

}  // namespace neurolens::gui
