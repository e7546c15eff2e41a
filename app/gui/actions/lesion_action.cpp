#include "actions/lesion_action.h"

#include <QStackedWidget>

#include "main_window.h"
#include "widgets/lesion_view.h"
#include "widgets/table_panel.h"

namespace neurolens::gui {

// What the worker fills in and the main thread reads once the job has finished.
struct LesionAction::Pending {
  LesionChoice choice;
  app::LesionStudySpec spec;
  std::shared_ptr<app::LesionStudyResult> result;
};

LesionAction::LesionAction(QAction* action, MainWindow& window, QStackedWidget& centre)
    : QObject(action), window_(window), centre_(centre), job_(tr("Lesioning units")) {
  action->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L));
  action->setStatusTip(
      tr("Lesion units of a pair (a unit column's value or the selected units): intact and lesioned "
         "trajectories, effects against random lesions"));
  connect(action, &QAction::triggered, this, [this] { open(); });
  connect(&job_, &BackgroundJob::finished, this, &LesionAction::onFinished);
}

void LesionAction::ensureView() {
  if (view_ != nullptr) return;
  view_ = new LesionView(&centre_);
  centre_.addWidget(view_);
  connect(view_, &LesionView::cancelRequested, &job_, &BackgroundJob::cancel);
  connect(&job_, &BackgroundJob::progressChanged, view_, &LesionView::setProgress);
  connect(view_, &LesionView::runRequested, this, [this] { run(view_->units(), view_->mode()); });
  connect(view_, &LesionView::undoRequested, this, &LesionAction::undo);
  connect(view_, &LesionView::useSelectedRequested, this, &LesionAction::useSelectedUnits);
  connect(view_, &LesionView::closeRequested, this, [this] {
    job_.cancel();
    if (previous_) centre_.setCurrentWidget(previous_);
  });
  view_->setMode(startWithDefaults_ ? QString("mean") : QString::fromStdString(settings_.lesionMode()));
  view_->setOptions(startWithDefaults_ ? LesionViewOptions{} : settings_.lesionOptions());
}

void LesionAction::fail(const QString& message) {
  error_ = message;
  view_->showError(error_);
  window_.showStatus(error_);
  Q_EMIT lesionFinished(false);
}

bool LesionAction::open(bool focused) {
  ensureView();
  if (centre_.currentWidget() != view_) previous_ = centre_.currentWidget();
  centre_.setCurrentWidget(view_);
  const workspace::Workspace& space = window_.workspace().workspace();
  std::vector<LesionPairInput> pairs;
  std::optional<std::size_t> focusedIndex;
  const std::optional<workspace::Id> focus = window_.workspace().focusedPair();
  for (const workspace::PairItem& item : space.pairs()) {
    LesionPairInput pair;
    pair.recording = space.recording(item.recording)->path;
    if (item.model) pair.model = space.model(*item.model)->path;
    pair.session = item.requestedSession;
    pair.ready = item.state == workspace::State::Ready;
    if (focused && focus == item.id) focusedIndex = pairs.size();
    pairs.push_back(std::move(pair));
  }
  choice_ = chooseLesionPair(pairs, focusedIndex);
  if (!choice_.ok()) {
    fail(QString::fromStdString(choice_.error));
    return false;
  }
  const workspace::PairItem& item = space.pairs()[choice_.pair];
  QStringList choices;
  if (const auto* recording = space.recording(item.recording); recording != nullptr && recording->data)
    for (const auto& text : lesionColumnChoices(recording->data->units)) choices << QString::fromStdString(text);
  view_->setUnitChoices(choices);
  return true;
}

bool LesionAction::run(const QString& units, const QString& mode, bool focused) {
  if (job_.isRunning()) return false;
  if (!open(focused)) return false;
  if (units.isEmpty()) {
    fail(tr("Lesion: choose the units (a unit column's value, or Use Selected Units)"));
    return false;
  }
  view_->setUnits(units);
  view_->setMode(mode);
  auto pending = std::make_shared<Pending>();
  pending->choice = choice_;
  const LesionViewOptions options = view_->options();
  pending->spec = lesionSpecFor(choice_, units.toStdString(), mode.toStdString(), options);
  if (!startWithDefaults_) settings_.setLesionOptions(mode.toStdString(), options);
  pending_ = pending;
  error_.clear();
  view_->showRunning(tr("Lesioning %1 (%2) in pair %3 against %4 random lesions...")
                         .arg(units, mode)
                         .arg(choice_.pair + 1)
                         .arg(pending->spec.randomRepeats));
  job_.start([pending](const Progress& progress) {
    pending->result = std::make_shared<app::LesionStudyResult>(app::runLesionStudyFor(pending->spec, progress));
  });
  return true;
}

void LesionAction::onFinished() {
  const std::shared_ptr<Pending> pending = std::move(pending_);
  if (job_.outcome() == BackgroundJob::Outcome::Succeeded && pending && pending->result) {
    try {
      view_->showResult(*pending->result, pending->choice.pair);
      history_.push(pending->result);
      view_->setUndoEnabled(history_.canUndo());
      window_.showStatus(
          tr("Lesioned %1 in pair %2").arg(QString::fromStdString(pending->spec.lesion)).arg(pending->choice.pair + 1));
      Q_EMIT lesionFinished(true);
      return;
    } catch (const std::exception& error) {
      fail(QString::fromUtf8(error.what()));
      return;
    }
  }
  if (job_.outcome() == BackgroundJob::Outcome::Cancelled)
    fail(tr("Lesion cancelled"));
  else
    fail(tr("Lesion failed: %1").arg(job_.errorMessage()));
}

void LesionAction::undo() {
  if (view_ == nullptr || job_.isRunning() || !history_.canUndo()) return;
  const auto shown = history_.undo();
  if (shown)
    view_->showResult(*shown, view_->pair());
  else if (history_.intactSource())
    view_->showIntact(*history_.intactSource(), view_->pair());
  view_->setUndoEnabled(history_.canUndo());
}

void LesionAction::useSelectedUnits() {
  ensureView();
  const TablePanel* table = window_.unitsTable();
  const Column* ids = table == nullptr ? nullptr : table->table().find("id");
  std::vector<std::int64_t> chosen;
  if (ids != nullptr && ids->isNumeric())
    for (const std::size_t row : table->selectedRows())
      if (row < ids->rows()) chosen.push_back(static_cast<std::int64_t>(ids->numbers()[row]));
  if (chosen.empty()) {
    window_.showStatus(tr("Lesion: no units are selected (select rows in the Units table)"));
    return;
  }
  view_->setUnits(QString::fromStdString(lesionUnitList(chosen)));
}

}  // namespace neurolens::gui
