#include "headless/headless_run.h"

#include <QApplication>
#include <QFileInfo>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "actions/align_action.h"
#include "actions/lesion_action.h"
#include "actions/matrix_action.h"
#include "logic/open_queue.h"
#include "main_window.h"
#include "neurolens/views/palette.h"
#include "neurolens/views/vtk_view_widget.h"
#include "widgets/align_view.h"
#include "widgets/lesion_view.h"
#include "widgets/matrix_view.h"
#include "widgets/pair_grid.h"

namespace neurolens::gui {

namespace {

std::string absolute(const QString& path) { return QFileInfo(path).absoluteFilePath().toStdString(); }

QJsonValue text(const std::string& value) { return QString::fromStdString(value); }

QJsonObject stateJson(const RunState& state) {
  QJsonArray recordings, models, pairs;
  for (const OpenedFile& file : state.files()) {
    QJsonObject entry{{"path", text(file.path)}, {"state", fileStateName(file.state)}};
    if (!file.error.empty()) entry["error"] = text(file.error);
    if (file.recording) {
      entry["units"] = static_cast<qint64>(file.units);
      entry["trials"] = static_cast<qint64>(file.trials);
      recordings.append(entry);
    } else {
      entry["latents"] = static_cast<qint64>(file.latents);
      models.append(entry);
    }
  }
  for (const PairState& pair : state.pairs()) {
    QJsonArray conditions;
    for (const auto& [label, colour] : pair.conditions)
      conditions.append(QJsonObject{{"label", text(label)}, {"color", text(colour)}});
    pairs.append(QJsonObject{{"recording", text(pair.recording)},
                             {"model", pair.model ? text(*pair.model) : QJsonValue(QJsonValue::Null)},
                             {"state", pair.ready     ? "ready"
                                       : pair.loading ? "loading"
                                                      : "error"},
                             {"error", pair.error.empty() ? QJsonValue(QJsonValue::Null) : text(pair.error)},
                             {"trajectories", static_cast<qint64>(pair.trajectories)},
                             {"conditions", conditions}});
  }
  return QJsonObject{{"recordings", recordings}, {"models", models}, {"pairs", pairs}};
}

}  // namespace

HeadlessRun::HeadlessRun(MainWindow& window, GuiOptions options) : window_(window), options_(std::move(options)) {
  watchdog_.setSingleShot(true);
  connect(&watchdog_, &QTimer::timeout, this, [this] { finish(true); });
  frameWait_.setInterval(50);
  connect(&frameWait_, &QTimer::timeout, this, &HeadlessRun::onFramePoll);
}

void HeadlessRun::start() {
  window_.setDialogsShown(false);
  window_.resize(options_.size);
  window_.show();
  observe();
  watchdog_.start(options_.timeoutSeconds * 1000);
  for (const QString& path : options_.files) {
    const OpenRequest request = openRequestFor(path.toStdString());
    if (request.kind == OpenKind::Recording || request.kind == OpenKind::Model)
      state_.asked(absolute(path), request.kind == OpenKind::Recording);
  }
  if (options_.demo) window_.showDemoTrajectories();
  if (!options_.files.isEmpty()) {
    window_.openFiles(options_.files);
  } else if (!options_.demo && options_.restore) {
    window_.startUp();
  }
  // Nothing to wait for (no files, or none that starts a job): finish from the event loop.
  if (window_.opener().isIdle()) QTimer::singleShot(0, this, [this] { onAllEnded(); });
}

void HeadlessRun::observe() {
  // Files and pairs are read from the workspace when the run ends; problems that belong to no file are kept here.
  connect(&window_, &MainWindow::fileRefused, this, [this](const QString& path, const QString& reason) {
    state_.problem(absolute(path) + ": " + reason.toStdString());
  });
  connect(&window_, &MainWindow::problemReported, this, [this](const QString& title, const QString& message) {
    state_.problem(title.toStdString() + ": " + QString(message).replace('\n', ' ').toStdString());
  });
  connect(&window_.opener(), &OpenScheduler::idle, this, &HeadlessRun::onAllEnded);
}

std::vector<views::VtkViewWidget*> HeadlessRun::views() const {
  std::vector<views::VtkViewWidget*> all{window_.trajectoryView()};
  for (views::VtkViewWidget* view : window_.pairGrid()->ownViews()) all.push_back(view);
  return all;
}

void HeadlessRun::onAllEnded() {
  if (finishing_ || frameWait_.isActive()) return;
  // Let every view draw what the last job produced before grabbing the window (at most 5 s).
  window_.pairGrid()->rebuild();
  framesBefore_.clear();
  for (views::VtkViewWidget* view : views()) {
    framesBefore_.push_back(view->framesRendered());
    view->requestRender();
  }
  framePolls_ = 0;
  frameWait_.start();
}

void HeadlessRun::onFramePoll() {
  const std::vector<views::VtkViewWidget*> all = views();
  bool drawn = all.size() == framesBefore_.size();
  for (std::size_t index = 0; drawn && index < all.size(); ++index)
    drawn = all[index]->framesRendered() > framesBefore_[index] || !all[index]->isVisible();
  if (!drawn && ++framePolls_ < 100) return;
  frameWait_.stop();
  if (options_.view == "align" && !alignStarted_) {
    startAlign();
    return;
  }
  if (!lesionViewUnits(options_.view).isEmpty() && !lesionStarted_) {
    startLesion();
    return;
  }
  if (options_.view == "matrix" && !matrixStarted_) {
    startMatrix();
    return;
  }
  QTimer::singleShot(200, this, [this] { finish(false); });
}

void HeadlessRun::startAlign() {
  alignStarted_ = true;
  auto* align = window_.findChild<AlignAction*>();
  if (align == nullptr) {
    state_.problem("--view align: this window has no Compare > Align");
    QTimer::singleShot(0, this, [this] { finish(false); });
    return;
  }
  connect(align, &AlignAction::alignFinished, this, [this, align](bool ok) {
    if (!ok) state_.problem("--view align: " + align->error().toStdString());
    // One frame for the overlay and the numbers before the window is grabbed.
    QTimer::singleShot(200, this, [this] { finish(false); });
  });
  align->startWithDefaults();
  align->run();
}

QString lesionViewUnits(const QString& view) {
  const QString prefix = "lesion:";
  return view.startsWith(prefix) ? view.mid(prefix.size()) : QString();
}

void HeadlessRun::startLesion() {
  lesionStarted_ = true;
  auto* lesion = window_.findChild<LesionAction*>();
  if (lesion == nullptr) {
    state_.problem("--view " + options_.view.toStdString() + ": this window has no Compare > Lesion");
    QTimer::singleShot(0, this, [this] { finish(false); });
    return;
  }
  connect(lesion, &LesionAction::lesionFinished, this, [this, lesion](bool ok) {
    if (!ok) state_.problem("--view " + options_.view.toStdString() + ": " + lesion->error().toStdString());
    QTimer::singleShot(200, this, [this] { finish(false); });
  });
  lesion->startWithDefaults();
  lesion->run(lesionViewUnits(options_.view), "mean", false);  // the first pair, lesion's defaults
}

void openLesionViewWhenIdle(MainWindow& window, const QString& view) {
  const QString units = lesionViewUnits(view);
  if (units.isEmpty()) return;
  auto connection = std::make_shared<QMetaObject::Connection>();
  *connection = QObject::connect(&window.opener(), &OpenScheduler::idle, &window, [&window, connection, units] {
    QObject::disconnect(*connection);
    if (auto* lesion = window.findChild<LesionAction*>()) {
      lesion->startWithDefaults();
      lesion->run(units, "mean", false);
    }
  });
}

void HeadlessRun::startMatrix() {
  matrixStarted_ = true;
  auto* matrix = window_.findChild<MatrixAction*>();
  if (matrix == nullptr) {
    state_.problem("--view matrix: this window has no Compare > Matrix");
    QTimer::singleShot(0, this, [this] { finish(false); });
    return;
  }
  connect(matrix, &MatrixAction::matrixFinished, this, [this, matrix](bool ok) {
    if (!ok) state_.problem("--view matrix: " + matrix->error().toStdString());
    QTimer::singleShot(200, this, [this] { finish(false); });  // one frame for the heatmap before the grab
  });
  matrix->run();
}

void openMatrixViewWhenIdle(MainWindow& window) {
  auto connection = std::make_shared<QMetaObject::Connection>();
  *connection = QObject::connect(&window.opener(), &OpenScheduler::idle, &window, [&window, connection] {
    QObject::disconnect(*connection);
    if (auto* matrix = window.findChild<MatrixAction*>()) matrix->run();
  });
}

void openAlignViewWhenIdle(MainWindow& window) {
  auto connection = std::make_shared<QMetaObject::Connection>();
  *connection = QObject::connect(&window.opener(), &OpenScheduler::idle, &window, [&window, connection] {
    QObject::disconnect(*connection);
    if (auto* align = window.findChild<AlignAction*>()) {
      align->startWithDefaults();
      align->run();
    }
  });
}

void HeadlessRun::describeWorkspace() {
  using workspace::State;
  const workspace::Workspace& space = window_.workspace().workspace();
  for (const workspace::RecordingItem& item : space.recordings()) {
    state_.asked(item.path, true);
    if (item.state == State::Ready) state_.recordingOpened(item.path, item.data->unitCount(), item.data->trialCount());
    if (item.state == State::Error) state_.failed(item.path, true, item.error);
  }
  for (const workspace::ModelItem& item : space.models()) {
    state_.asked(item.path, false);
    if (item.state == State::Ready) state_.modelLoaded(item.path, item.facts.latents);
    if (item.state == State::Error) state_.failed(item.path, false, item.error);
  }
  const std::optional<workspace::Id> focus = window_.workspace().focusedPair();
  const std::vector<workspace::Id> shown = window_.pairGrid()->shownPairs();
  std::vector<PairState> pairs;
  for (const workspace::PairItem& item : space.pairs()) {
    PairState pair;
    pair.recording = space.recording(item.recording)->path;
    if (item.model) pair.model = space.model(*item.model)->path;
    pair.ready = item.state == State::Ready;
    pair.loading = item.state == State::Loading;
    pair.error = pair.loading ? std::string("still loading") : item.error;
    if (focus == item.id) {
      const Trajectories* drawn = window_.trajectories();
      if (drawn != nullptr && !window_.emptyStateShown()) {
        pair.trajectories = drawn->data.points.dim(0);
        for (std::size_t c = 0; c < drawn->colours.size(); ++c)
          pair.conditions.emplace_back(drawn->groups.names[c], views::toHex(drawn->colours[c]));
      }
    } else {
      pair.trajectories = window_.pairGrid()->drawn(item.id);
      for (const auto& [label, colour] : window_.pairGrid()->conditions(item.id))
        pair.conditions.emplace_back(label, views::toHex(colour));
    }
    const bool inGrid = std::find(shown.begin(), shown.end(), item.id) != shown.end();
    if (pair.ready && inGrid && pair.trajectories == 0) {
      pair.ready = false;
      pair.error = "no trajectories were drawn";
    }
    pairs.push_back(std::move(pair));
  }
  state_.setPairs(std::move(pairs));
  // `views`: what the centre shows (cli.md, "GUI command line").
  views_ = QJsonArray();
  const AlignView* align = nullptr;
  if (const auto* action = window_.findChild<AlignAction*>()) align = action->view();
  if (options_.view == "align" && align != nullptr && align->hasResult()) {
    const QJsonObject numbers = QJsonDocument::fromJson(QByteArray::fromStdString(align->numbers().dump())).object();
    views_.append(QJsonObject{
        {"kind", "align"},
        {"pairs", QJsonArray{static_cast<qint64>(align->pairs().first), static_cast<qint64>(align->pairs().second)}},
        {"trajectories", static_cast<qint64>(align->trajectories())},
        {"numbers", numbers}});
  } else if (!lesionViewUnits(options_.view).isEmpty()) {
    const auto* action = window_.findChild<LesionAction*>();
    const LesionView* lesion = action == nullptr ? nullptr : action->view();
    if (lesion != nullptr && lesion->hasResult()) {
      const QJsonObject numbers = QJsonDocument::fromJson(QByteArray::fromStdString(lesion->numbers().dump())).object();
      views_.append(QJsonObject{{"kind", "lesion"},
                                {"pairs", QJsonArray{static_cast<qint64>(lesion->pair())}},
                                {"trajectories", static_cast<qint64>(lesion->trajectories())},
                                {"numbers", numbers}});
    }
  } else if (options_.view == "matrix") {
    if (const auto* action = window_.findChild<MatrixAction*>();
        action != nullptr && action->view() != nullptr && action->view()->hasResult())
      views_.append(matrixViewJson(*action->view()));
  } else if (options_.view == "grid") {
    const std::vector<PairState>& described = state_.pairs();
    std::size_t index = 0;
    for (const workspace::PairItem& item : space.pairs()) {
      if (std::find(shown.begin(), shown.end(), item.id) != shown.end())
        views_.append(QJsonObject{{"kind", "pair"},
                                  {"pairs", QJsonArray{static_cast<qint64>(index)}},
                                  {"trajectories", static_cast<qint64>(described[index].trajectories)}});
      ++index;
    }
  }
}

bool HeadlessRun::writeOutputs(QString& problem) {
  if (!options_.screenshot.isEmpty()) {
    const QImage image = window_.grab().toImage();
    QSaveFile file(options_.screenshot);
    if (!file.open(QIODevice::WriteOnly) || !image.save(&file, "PNG") || !file.commit()) {
      problem = QString("%1: could not write the screenshot").arg(options_.screenshot);
      return false;
    }
  }
  if (!options_.stateJson.isEmpty()) {
    QSaveFile file(options_.stateJson);
    QJsonObject state = stateJson(state_);
    state["views"] = views_;
    if (!file.open(QIODevice::WriteOnly) || file.write(QJsonDocument(state).toJson(QJsonDocument::Indented)) < 0 ||
        !file.commit()) {
      problem = QString("%1: could not write the state").arg(options_.stateJson);
      return false;
    }
  }
  return true;
}

void HeadlessRun::finish(bool timedOut) {
  if (finishing_) return;
  finishing_ = true;
  watchdog_.stop();
  frameWait_.stop();
  describeWorkspace();
  QString problem;
  const bool written = writeOutputs(problem);
  int code = state_.exitCode();
  if (timedOut) {
    code = 4;
    QStringList waiting;
    for (const OpenedFile& file : state_.files())
      if (file.state == FileState::Loading) waiting << QFileInfo(QString::fromStdString(file.path)).fileName();
    problem = QString("not finished within --timeout %1 s%2; the state so far is written")
                  .arg(options_.timeoutSeconds)
                  .arg(waiting.isEmpty() ? QString() : " (still opening: " + waiting.join(", ") + ")");
  } else if (!written) {
    code = 4;
  } else if (const auto error = state_.firstError()) {
    problem = QString::fromStdString(*error);
  }
  if (!problem.isEmpty()) std::fprintf(stderr, "error: %s\n", qPrintable(problem));
  std::fflush(stderr);
  if (timedOut) {
    // A job still running may be one that cannot be interrupted (a model's forward pass): the window's
    // destructor would wait for it, so end the process here; every output is already written and closed.
    std::_Exit(code);
  }
  QCoreApplication::exit(code);
}

}  // namespace neurolens::gui
