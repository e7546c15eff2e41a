#include "actions/matrix_action.h"

#include <QStackedWidget>
#include <optional>

#include "actions/align_action.h"
#include "logic/matrix_choice.h"
#include "main_window.h"
#include "widgets/matrix_view.h"

namespace neurolens::gui {

namespace {
std::vector<AlignPairInput> pairInputs(MainWindow& window) {
  const workspace::Workspace& space = window.workspace().workspace();
  std::vector<AlignPairInput> pairs;
  for (const workspace::PairItem& item : space.pairs()) {
    AlignPairInput pair;
    pair.recording = space.recording(item.recording)->path;
    if (item.model) pair.model = space.model(*item.model)->path;
    pair.session = item.requestedSession;
    pair.ready = item.state == workspace::State::Ready;
    pairs.push_back(std::move(pair));
  }
  return pairs;
}
}  // namespace

// What the worker fills in and the main thread reads once the job has finished.
struct MatrixAction::Pending {
  MatrixChoice choice;
  app::AlignMatrixOptions options;
  std::optional<app::AlignMatrixResult> result;
};

MatrixAction::MatrixAction(QAction* action, MainWindow& window, QStackedWidget& centre)
    : QObject(action), action_(action), window_(window), centre_(centre), job_(tr("Alignment matrix")) {
  action->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_M));
  action->setStatusTip(
      tr("Every ready pair aligned with every other (align --matrix: held-out CCA and its permutation p-value), as "
         "a clustered heatmap; click a cell to see its two pairs aligned"));
  connect(action, &QAction::triggered, this, [this] { run(); });
  connect(&job_, &BackgroundJob::finished, this, &MatrixAction::onFinished);
  WorkspaceController& space = window.workspace();
  connect(&space, &WorkspaceController::itemAdded, this, &MatrixAction::updateEnabled);
  connect(&space, &WorkspaceController::itemChanged, this, &MatrixAction::updateEnabled);
  connect(&space, &WorkspaceController::itemRemoved, this, &MatrixAction::updateEnabled);
  updateEnabled();
}

void MatrixAction::updateEnabled() { action_->setEnabled(matrixAvailable(pairInputs(window_))); }

bool MatrixAction::run() {
  if (job_.isRunning()) return false;
  if (view_ == nullptr) {
    view_ = new MatrixView(&centre_);
    centre_.addWidget(view_);
    connect(view_, &MatrixView::cancelRequested, &job_, &BackgroundJob::cancel);
    connect(&job_, &BackgroundJob::progressChanged, view_, &MatrixView::setProgress);
    connect(view_, &MatrixView::closeRequested, this, [this] {
      job_.cancel();
      if (previous_) centre_.setCurrentWidget(previous_);
    });
    connect(view_, &MatrixView::pairsChosen, this, &MatrixAction::openAligned);
  }
  if (centre_.currentWidget() != view_) previous_ = centre_.currentWidget();
  centre_.setCurrentWidget(view_);
  auto pending = std::make_shared<Pending>();
  pending->choice = chooseMatrixPairs(pairInputs(window_));
  pending->options = defaultMatrixOptions();
  if (!pending->choice.ok()) {
    error_ = QString::fromStdString(pending->choice.error);
    view_->showError(error_);
    window_.showStatus(error_);
    Q_EMIT matrixFinished(false);
    return false;
  }
  pending_ = pending;
  error_.clear();
  view_->showRunning(tr("Aligning %1 pairs with each other...").arg(pending->choice.pairs.size()));
  job_.start([pending](const Progress& progress) {
    pending->result =
        app::runAlignMatrix(pending->choice.sides, pending->options, progress, [](const std::string& /*note*/) {});
  });
  return true;
}

void MatrixAction::onFinished() {
  const std::shared_ptr<Pending> pending = std::move(pending_);
  if (job_.outcome() == BackgroundJob::Outcome::Succeeded && pending && pending->result) {
    try {
      view_->showResult(*pending->result, pending->choice);
      window_.showStatus(tr("Alignment matrix of %1 pairs").arg(pending->choice.pairs.size()));
      Q_EMIT matrixFinished(true);
      return;
    } catch (const std::exception& error) {
      error_ = QString::fromUtf8(error.what());
    }
  } else if (job_.outcome() == BackgroundJob::Outcome::Cancelled) {
    error_ = tr("Matrix cancelled");
  } else {
    error_ = tr("Matrix failed: %1").arg(job_.errorMessage());
  }
  view_->showError(error_);
  window_.showStatus(error_);
  Q_EMIT matrixFinished(false);
}

void MatrixAction::openAligned(std::size_t first, std::size_t second) {
  auto* align = window_.findChild<AlignAction*>();
  if (align == nullptr) return;
  align->run({first, second});  // its Back returns here, to the matrix
}

}  // namespace neurolens::gui
