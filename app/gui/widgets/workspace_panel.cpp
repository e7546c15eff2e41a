#include "widgets/workspace_panel.h"

#include <QFileInfo>
#include <QFontMetrics>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QMenu>
#include <QMetaObject>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <map>

#include "jobs/job_progress_widget.h"
#include "logic/bin_size_choice.h"
#include "logic/session_choice.h"
#include "workspace_controller.h"

namespace neurolens::gui {

namespace {

enum Column { kName, kState, kJob, kClose, kColumns };

QString stateText(workspace::State state, const std::string& error) {
  const QString name = workspace::stateName(state);
  return error.empty() ? name : name + ": " + QString::fromStdString(error);
}

QString fileName(const std::string& path) { return QFileInfo(QString::fromStdString(path)).fileName(); }

// `text` in lines of at most `width` pixels, broken between words (a word wider than that keeps a line).
QString wrapped(const QString& text, const QFontMetrics& metrics, int width) {
  QStringList lines;
  QString line;
  for (const QString& word : text.split(' ', Qt::SkipEmptyParts)) {
    const QString longer = line.isEmpty() ? word : line + ' ' + word;
    if (!line.isEmpty() && metrics.horizontalAdvance(longer) > width) {
      lines << line;
      line = word;
    } else {
      line = longer;
    }
  }
  if (!line.isEmpty()) lines << line;
  return lines.join('\n');
}

}  // namespace

WorkspacePanel::WorkspacePanel(WorkspaceController& workspace, QWidget* parent)
    : QWidget(parent), workspace_(workspace) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  tree_ = new QTreeWidget(this);
  tree_->setObjectName("workspaceTree");
  tree_->setColumnCount(kColumns);
  tree_->setHeaderLabels({tr("Item"), tr("State"), QString(), QString()});
  // A narrow dock: names and states elided in the middle (their tooltips say all), the job, Run again and Close
  // fit their content and stay in view.
  tree_->header()->setSectionResizeMode(kName, QHeaderView::Interactive);
  tree_->header()->resizeSection(kName, 150);
  tree_->header()->setSectionResizeMode(kState, QHeaderView::Stretch);
  tree_->header()->setSectionResizeMode(kJob, QHeaderView::ResizeToContents);
  tree_->header()->setSectionResizeMode(kClose, QHeaderView::ResizeToContents);
  tree_->header()->setStretchLastSection(false);
  tree_->setTextElideMode(Qt::ElideMiddle);
  tree_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  layout->addWidget(tree_);
  connect(&workspace_, &WorkspaceController::itemAdded, this, &WorkspacePanel::refreshLater);
  connect(&workspace_, &WorkspaceController::itemChanged, this, &WorkspacePanel::refreshLater);
  connect(&workspace_, &WorkspaceController::itemRemoved, this, &WorkspacePanel::refreshLater);
  connect(&workspace_, &WorkspaceController::jobStarted, this, &WorkspacePanel::refreshLater);
  connect(&workspace_, &WorkspaceController::focusChanged, this, &WorkspacePanel::refreshLater);
  refresh();
}

void WorkspacePanel::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  refreshLater();  // error reasons are wrapped to the width
}

void WorkspacePanel::refreshLater() {
  if (refreshPending_) return;
  refreshPending_ = true;
  QMetaObject::invokeMethod(
      this,
      [this] {
        refreshPending_ = false;
        refresh();
      },
      Qt::QueuedConnection);
}

void WorkspacePanel::addRow(QTreeWidgetItem* group, workspace::Id id, const QString& name, workspace::State state,
                            const std::string& error, const QString& detail, bool closable) {
  auto* item = new QTreeWidgetItem(group);
  item->setText(kName, name);
  item->setToolTip(kName, name);
  item->setText(kState, workspace::stateName(state));
  item->setToolTip(kState, stateText(state, error) + (detail.isEmpty() ? QString() : " (" + detail + ")"));
  if (!detail.isEmpty()) item->setToolTip(kName, name + "\n" + detail);
  item->setData(kName, Qt::UserRole, QVariant::fromValue(static_cast<qulonglong>(id)));
  if (state == workspace::State::Error) {
    item->setForeground(kState, QBrush(QColor(180, 30, 30)));
    // The reason on a row of its own, across the dock's width (a narrow dock leaves the State column little).
    if (!error.empty()) {
      // Indented under its item: the tree's indentation once per level above it.
      int depth = 1;
      for (const QTreeWidgetItem* above = item; above != nullptr; above = above->parent()) ++depth;
      const int width = std::max(120, tree_->viewport()->width() - depth * tree_->indentation() - 8);
      auto* reason = new QTreeWidgetItem(item, {wrapped(QString::fromStdString(error), tree_->fontMetrics(), width)});
      reason->setFirstColumnSpanned(true);
      reason->setForeground(kName, QBrush(QColor(180, 30, 30)));
      reason->setToolTip(kName, QString::fromStdString(error));
      reason->setFlags(Qt::ItemIsEnabled);
    }
    if (const auto ms = rebinOffer(workspace_.workspace(), id)) {
      // The recording is binned otherwise than the pair's model wants (the models disagree, or the bin size was
      // changed): a button under the reason bins it again at the model's size.
      const QString size = QString::fromStdString(binText(*ms));
      auto* row = new QTreeWidgetItem(item);
      row->setFirstColumnSpanned(true);
      row->setFlags(Qt::ItemIsEnabled);
      auto* holder = new QWidget(tree_);
      auto* layout = new QHBoxLayout(holder);
      layout->setContentsMargins(0, 0, 0, 0);
      auto* rebin = new QToolButton(holder);
      rebin->setObjectName(QString("rebinItem_%1").arg(id));
      rebin->setText(tr("Re-bin at %1 ms").arg(size));
      rebin->setToolTip(tr("Bin the recording again at %1 ms, the model's bin size (the Recording pane's bin size "
                           "follows)")
                            .arg(size));
      connect(rebin, &QToolButton::clicked, this, [this, id] { workspace_.rebin(id); });
      layout->addWidget(rebin);
      layout->addStretch(1);
      tree_->setItemWidget(row, kName, holder);
    }
  }
  if (BackgroundJob* job = workspace_.jobFor(id); job != nullptr && job->isRunning()) {
    auto* progress = new JobProgressWidget(tree_);
    progress->setObjectName(QString("jobProgress_%1").arg(id));
    progress->follow(job);
    tree_->setItemWidget(item, kJob, progress);
  } else if (const auto retry = workspace_.workspace().retryFor(id)) {
    // A cancelled or failed run runs again; a file that could not be opened opens again.
    const bool run = retry->kind == workspace::RetryKind::RunPair;
    auto* again = new QToolButton(tree_);
    again->setObjectName(QString("retryItem_%1").arg(id));
    again->setText(run ? tr("Run again") : tr("Open again"));
    again->setToolTip(run ? tr("Run the model on this recording again")
                          : tr("Open %1 again").arg(QString::fromStdString(workspace_.workspace().label(retry->id))));
    connect(again, &QToolButton::clicked, this, [this, id] { workspace_.retry(id); });
    tree_->setItemWidget(item, kJob, again);
  }
  if (const std::vector<SessionOffer> offers = sessionOffers(workspace_.workspace(), id); !offers.empty()) {
    tree_->setItemWidget(item, kClose, sessionButton(id, offers));
  } else if (closable) {
    auto* close = new QToolButton(tree_);
    close->setObjectName(QString("closeItem_%1").arg(id));
    close->setText(tr("Close"));
    close->setToolTip(tr("Close %1 (cancels its jobs)").arg(name));
    connect(close, &QToolButton::clicked, this, [this, id] { workspace_.close(id); });
    tree_->setItemWidget(item, kClose, close);
  }
}

QToolButton* WorkspacePanel::sessionButton(workspace::Id id, const std::vector<SessionOffer>& offers) {
  // A multi-session model's pair: the session it runs with, chosen from a menu (the current one checked).
  auto* button = new QToolButton(tree_);
  button->setObjectName(QString("sessionItem_%1").arg(id));
  button->setText(tr("Session..."));
  button->setPopupMode(QToolButton::InstantPopup);
  const workspace::PairItem* pair = workspace_.workspace().pair(id);
  button->setToolTip(pair != nullptr && !pair->session.empty()
                         ? tr("Runs with the session %1; choose another").arg(QString::fromStdString(pair->session))
                         : tr("Choose the model's session this recording runs with"));
  auto* menu = new QMenu(button);
  menu->setObjectName(QString("sessionMenu_%1").arg(id));
  for (const SessionOffer& offer : offers) {
    QAction* action = menu->addAction(QString::fromStdString(offer.label));
    action->setCheckable(true);
    action->setChecked(offer.checked);
    action->setData(QString::fromStdString(offer.id));
    if (!offer.fits) action->setToolTip(tr("its unit count is not the recording's: the pair would stay in error"));
    const std::string session = offer.id;
    connect(action, &QAction::triggered, this, [this, id, session] { workspace_.chooseSession(id, session); });
  }
  button->setMenu(menu);
  return button;
}

void WorkspacePanel::refresh() {
  const workspace::Workspace& space = workspace_.workspace();
  tree_->clear();
  auto* recordings = new QTreeWidgetItem(tree_, {tr("Recordings (%1)").arg(space.recordings().size())});
  for (const workspace::RecordingItem& item : space.recordings()) {
    const QString detail = item.data != nullptr
                               ? tr("%1 units, %2 trials").arg(item.data->unitCount()).arg(item.data->trialCount())
                               : QString();
    addRow(recordings, item.id, fileName(item.path), item.state, item.error, detail, true);
  }
  auto* models = new QTreeWidgetItem(tree_, {tr("Models (%1)").arg(space.models().size())});
  for (const workspace::ModelItem& item : space.models()) {
    const QString detail = item.state == workspace::State::Ready ? tr("%1 latents").arg(item.facts.latents) : QString();
    addRow(models, item.id, fileName(item.path), item.state, item.error, detail, true);
  }
  // Pairs under their recording: "with MODEL" or "alone".
  auto* pairs = new QTreeWidgetItem(tree_, {tr("Pairs (%1)").arg(space.pairs().size())});
  const std::optional<workspace::Id> focus = workspace_.focusedPair();
  std::map<workspace::Id, QTreeWidgetItem*> byRecording;
  for (const workspace::PairItem& item : space.pairs()) {
    QTreeWidgetItem*& parent = byRecording[item.recording];
    if (parent == nullptr) parent = new QTreeWidgetItem(pairs, {QString::fromStdString(space.label(item.recording))});
    QString detail;
    if (item.running) detail = tr("running");
    if (focus == item.id) detail = tr("shown in the docks");
    if (!item.session.empty())
      detail =
          (detail.isEmpty() ? QString() : detail + ", ") + tr("session %1").arg(QString::fromStdString(item.session));
    const QString name = item.model ? tr("with %1").arg(QString::fromStdString(space.label(*item.model))) : tr("alone");
    addRow(parent, item.id, name, item.state, item.error, detail, false);
  }
  tree_->expandAll();
}

}  // namespace neurolens::gui
