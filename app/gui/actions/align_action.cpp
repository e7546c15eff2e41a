#include "actions/align_action.h"

#include <QStackedWidget>

#include "logic/align_choice.h"
#include "main_window.h"
#include "widgets/align_view.h"

namespace neurolens::gui {

// What the worker fills in and the main thread reads once the job has finished.
struct AlignAction::Pending {
  AlignChoice choice;
  AlignViewOptions viewOptions;
  app::AlignStudyOptions options;
  std::optional<app::AlignStudyResult> result;
};

AlignAction::AlignAction(QAction* action, MainWindow& window, QStackedWidget& centre)
    : QObject(action), window_(window), centre_(centre), job_(tr("Aligning two pairs")) {
  action->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A));
  action->setStatusTip(
      tr("Two pairs in one common space (align's CCA), with held-out CCA, Procrustes and "
         "consistency and their permutation p-values"));
  connect(action, &QAction::triggered, this, [this] { run(); });
  connect(&job_, &BackgroundJob::finished, this, &AlignAction::onFinished);
}

bool AlignAction::run(const std::vector<std::size_t>& selected) {
  if (job_.isRunning()) return false;
  if (view_ == nullptr) {
    view_ = new AlignView(&centre_);
    centre_.addWidget(view_);
    connect(view_, &AlignView::cancelRequested, &job_, &BackgroundJob::cancel);
    connect(&job_, &BackgroundJob::progressChanged, view_, &AlignView::setProgress);
    connect(view_, &AlignView::closeRequested, this, [this] {
      job_.cancel();
      if (previous_) centre_.setCurrentWidget(previous_);
    });
    connect(view_, &AlignView::runRequested, this, [this] { run(selected_); });
    view_->setOptions(startWithDefaults_ ? AlignViewOptions{} : settings_.alignOptions());
  }
  selected_ = selected;
  if (centre_.currentWidget() != view_) previous_ = centre_.currentWidget();
  centre_.setCurrentWidget(view_);
  const workspace::Workspace& space = window_.workspace().workspace();
  std::vector<AlignPairInput> pairs;
  for (const workspace::PairItem& item : space.pairs()) {
    AlignPairInput pair;
    pair.recording = space.recording(item.recording)->path;
    if (item.model) pair.model = space.model(*item.model)->path;
    pair.session = item.requestedSession;
    pair.ready = item.state == workspace::State::Ready;
    pairs.push_back(std::move(pair));
  }
  auto pending = std::make_shared<Pending>();
  pending->choice = chooseAlignPairs(pairs, selected);
  pending->viewOptions = view_->options();
  pending->options = alignStudyOptions(pending->viewOptions);
  if (pending->choice.ok() && !alignOptionsProblem(pending->viewOptions).empty())
    pending->choice.error = alignOptionsProblem(pending->viewOptions);
  if (!pending->choice.ok()) {
    error_ = QString::fromStdString(pending->choice.error);
    view_->showError(error_);
    window_.showStatus(error_);
    Q_EMIT alignFinished(false);
    return false;
  }
  if (!startWithDefaults_) settings_.setAlignOptions(pending->viewOptions);
  pending_ = pending;
  error_.clear();
  view_->showRunning(tr("Aligning pair %1 (A) with pair %2 (B), options %3...")
                         .arg(pending->choice.first + 1)
                         .arg(pending->choice.second + 1)
                         .arg(QString::fromStdString(alignOptionsText(pending->viewOptions))));
  job_.start([pending](const Progress& progress) {
    pending->result = app::runAlignStudy(pending->choice.a, pending->choice.b, pending->options, progress);
  });
  return true;
}

void AlignAction::onFinished() {
  const std::shared_ptr<Pending> pending = std::move(pending_);
  if (job_.outcome() == BackgroundJob::Outcome::Succeeded && pending && pending->result) {
    try {
      view_->showResult(*pending->result, {pending->choice.first, pending->choice.second}, pending->viewOptions);
      window_.showStatus(
          tr("Aligned pair %1 with pair %2").arg(pending->choice.first + 1).arg(pending->choice.second + 1));
      Q_EMIT alignFinished(true);
      return;
    } catch (const std::exception& error) {
      error_ = QString::fromUtf8(error.what());
    }
  } else if (job_.outcome() == BackgroundJob::Outcome::Cancelled) {
    error_ = tr("Align cancelled");
  } else {
    error_ = tr("Align failed: %1").arg(job_.errorMessage());
  }
  view_->showError(error_);
  window_.showStatus(error_);
  Q_EMIT alignFinished(false);
}

}  // namespace neurolens::gui
