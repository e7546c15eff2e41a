// The GUI's Qt-free logic: recent files, file kinds, the Recording panel text,
// trial groups and trajectory projection (hand-solved cases and invariants), and
// the background job (success, failure, cancel, destruction while running).
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <atomic>
#include <chrono>
#include <cmath>
#include <thread>

#include "jobs/background_job.h"
#include "jobs/open_scheduler.h"
#include "logic/colouring.h"
#include "logic/file_kind.h"
#include "logic/open_queue.h"
#include "logic/pipeline.h"
#include "logic/recent_files.h"
#include "logic/run_state.h"
#include "neurolens/core/errors.h"
#if NEUROLENS_GUI_HAS_IO
#include "logic/recording_description.h"
#include "session/session.h"
#endif

using namespace neurolens::gui;

class TestGuiLogic : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void openQueueKeepsOrderAndWaitsWhileBusy() {
    const std::vector<OpenRequest> requests = openRequestsFor({"/d/m.pt", "/d/r.nwb", "/d/s.NLSESSION", "/d/x.txt"});
    QCOMPARE(requests.size(), std::size_t{4});
    QVERIFY(requests[0].kind == OpenKind::Model);
    QVERIFY(requests[1].kind == OpenKind::Recording);
    QVERIFY(requests[2].kind == OpenKind::Session);
    QVERIFY(requests[3].kind == OpenKind::Unknown);
    OpenQueue queue;
    queue.push(requests);
    QVERIFY(!queue.next(true));  // a job runs: nothing starts, nothing is dropped
    QCOMPARE(queue.size(), std::size_t{4});
    for (const OpenRequest& expected : requests) {
      const auto next = queue.next(false);
      QVERIFY(next && *next == expected);
    }
    QVERIFY(!queue.next(false));
  }

  // The scheduler on real jobs: a file asked for while a job runs starts when it ends (also when that job's
  // owner starts a follow-up job from its finished handler), and idle() comes once all have ended.
  void openSchedulerStartsEachWhenThePreviousEnds() {
    BackgroundJob first("first"), second("second");
    std::vector<std::string> started;
    std::atomic<bool> release{false};
    const auto work = [&release](const neurolens::Progress&) {
      while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    };
    OpenScheduler scheduler([&] { return first.isRunning() || second.isRunning(); },
                            [&](const OpenRequest& request) {
                              started.push_back(request.path);
                              if (request.kind != OpenKind::Unknown) QVERIFY(first.start(work));
                            });
    scheduler.watch(first);
    scheduler.watch(second);
    // The owner's handler (connected first, as the controller's are) starts a follow-up job once.
    bool followUp = true;
    connect(&first, &BackgroundJob::finished, this, [&] {
      if (followUp) QVERIFY(second.start(work));
      followUp = false;
    });
    QSignalSpy idle(&scheduler, &OpenScheduler::idle);
    scheduler.enqueue(openRequestFor("/a.nwb"));
    scheduler.enqueue(openRequestsFor({"/b.pt", "/junk.txt", "/c.nwb"}));
    QCOMPARE(started, std::vector<std::string>{"/a.nwb"});
    QCOMPARE(scheduler.queue().size(), std::size_t{3});
    release = true;
    QTRY_COMPARE_WITH_TIMEOUT(started.size(), std::size_t{4}, 5000);
    QCOMPARE(started, (std::vector<std::string>{"/a.nwb", "/b.pt", "/junk.txt", "/c.nwb"}));
    QTRY_VERIFY_WITH_TIMEOUT(idle.count() > 0, 5000);
    QVERIFY(scheduler.isIdle());
  }

  void runStateReportsFilesPairsAndTheFirstError() {
    RunState state;
    state.asked("/r1.nwb", true);
    state.asked("/m.pt", false);
    QCOMPARE(std::string(fileStateName(state.files()[0].state)), std::string("loading"));
    state.modelLoaded("/m.pt", 8);
    state.recordingOpened("/r1.nwb", 61, 210);
    state.recordingOpened("/r2.nwb", 171, 300);
    QCOMPARE(state.files().size(), std::size_t{3});
    QVERIFY(state.files()[0].state == FileState::Ready);  // the workspace holds every file: none is replaced
    QVERIFY(state.files()[1].state == FileState::Ready);
    QCOMPARE(state.files()[1].latents, std::int64_t{8});
    QCOMPARE(state.files()[2].units, std::size_t{171});
    state.setPairs({PairState{"/r2.nwb", std::string("/m.pt"), true, {}, 8}});
    QCOMPARE(state.exitCode(), 0);
    state.setPairs({PairState{"/r2.nwb", std::string("/m.pt"), false, "the model expects 61 units", 0}});
    QCOMPARE(state.exitCode(), 3);
    QCOMPARE(*state.firstError(), std::string("/r2.nwb with /m.pt: the model expects 61 units"));
    state.failed("/bad.nwb", true, "not an NWB file");
    QCOMPARE(*state.firstError(), std::string("/bad.nwb: not an NWB file"));  // a file's error comes first
  }

#if NEUROLENS_GUI_HAS_IO
  // Sessions list every recording and model (issue 28 step 3); a session written before the lists opens as its pair.
  void sessionListsAndSessionsFromBefore() {
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    const auto write = [&](const QString& name, const QByteArray& inputs) {
      QFile file(folder.filePath(name));
      if (!file.open(QIODevice::WriteOnly)) return QString();
      file.write(R"({"format": "neurolens-session", "version": 1, "inputs": )" + inputs + "}");
      return file.fileName();
    };
    const QString before =
        write("before.nlsession", R"({"recording": {"path": "/d/a.nwb", "sha256": ""}, "model": {"path": "/m/m.pt"}})");
    const LoadedSession old = loadSession(before);
    QCOMPARE(old.state.recording.path, QString("/d/a.nwb"));
    QCOMPARE(old.state.recordings.size(), std::size_t{1});
    QCOMPARE(old.state.recordings[0].path, QString("/d/a.nwb"));
    QCOMPARE(old.state.models.size(), std::size_t{1});
    QVERIFY(otherInputs(old.state).empty());

    const QString lists = write("lists.nlsession", R"({"recording": {"path": "/d/b.nwb"}, "model": {"path": "/m/m.pt"},
        "recordings": [{"path": "/d/a.nwb"}, {"path": "/d/b.nwb"}], "models": [{"path": "/m/m.pt"}, {"path": "/m/n.pt"}]})");
    const LoadedSession now = loadSession(lists);
    QCOMPARE(now.state.recordings.size(), std::size_t{2});
    QCOMPARE(now.state.models.size(), std::size_t{2});
    // The pair opens first (with its saved results); the other files follow, in the session's order.
    const std::vector<OpenRequest> others = otherInputs(now.state);
    QCOMPARE(others.size(), std::size_t{2});
    QVERIFY(others[0] == (OpenRequest{OpenKind::Recording, "/d/a.nwb", {}}));
    QVERIFY(others[1] == (OpenRequest{OpenKind::Model, "/m/n.pt", {}}));

    // Written and read back: the lists survive.
    SessionState state = now.state;
    state.recording = {};
    state.model = {};
    const QString saved = folder.filePath("saved.nlsession");
    saveSession(saved, state, nullptr, nullptr);
    const LoadedSession again = loadSession(saved);
    QCOMPARE(again.state.recordings.size(), std::size_t{2});
    QCOMPARE(again.state.models[1].path, QString("/m/n.pt"));
  }
#endif

  void recentFilesMostRecentFirstNoDuplicatesBounded() {
    RecentFiles recent(3);
    recent.add("/a.nwb");
    recent.add("/b.nwb");
    recent.add("/a.nwb");  // reopened: moves to the front, not duplicated
    QCOMPARE(recent.paths(), (std::vector<std::string>{"/a.nwb", "/b.nwb"}));
    recent.add("/c.pt");
    recent.add("/d.nwb");
    QCOMPARE(recent.paths(), (std::vector<std::string>{"/d.nwb", "/c.pt", "/a.nwb"}));
    recent.add("");  // ignored
    QCOMPARE(recent.paths().size(), std::size_t{3});
    recent.remove("/c.pt");
    QCOMPARE(recent.paths(), (std::vector<std::string>{"/d.nwb", "/a.nwb"}));
    recent.assign({"/x", "/x", "", "/y", "/z", "/w"});
    QCOMPARE(recent.paths(), (std::vector<std::string>{"/x", "/y", "/z"}));
    recent.clear();
    QVERIFY(recent.paths().empty());
  }

  void fileKindsByExtension() {
    QVERIFY(classifyFile("/data/pmd_reach_yu2009.nwb") == FileKind::Recording);
    QVERIFY(classifyFile("C:/x/SESSION.NWB") == FileKind::Recording);
    QVERIFY(classifyFile("ex1.mat") == FileKind::Recording);
    QVERIFY(classifyFile("run.h5") == FileKind::Recording);
    QVERIFY(classifyFile("ndt.pt") == FileKind::Model);
    QVERIFY(classifyFile("/m/encoder.TorchScript") == FileKind::Model);
    QVERIFY(classifyFile("notes.txt") == FileKind::Unknown);
    QVERIFY(classifyFile("nwb") == FileKind::Unknown);
    QVERIFY(classifyFile("") == FileKind::Unknown);
  }

#if NEUROLENS_GUI_HAS_IO
  void recordingDescriptionSaysWhatIsInside() {
    neurolens::io::RecordingSummary summary;
    summary.units = 61;
    summary.trials = 210;
    summary.durationS = 84.25;
    summary.unitColumns = {"id", "location"};
    summary.trialColumns = {"start_time", "stop_time", "condition"};
    summary.behavior["hand_vel"] = {{1000, 2}, 1000, "cm/s"};
    const QString text = QString::fromStdString(describeRecording(summary));
    QVERIFY(text.contains("61 units"));
    QVERIFY(text.contains("210 trials"));
    QVERIFY(text.contains("duration 84.2 s") || text.contains("duration 84.3 s"));
    QVERIFY(text.contains("trial columns: start_time, stop_time, condition"));
    QVERIFY(text.contains("hand_vel (1000 samples x 2, cm/s)"));
    neurolens::io::RecordingSummary continuous;
    continuous.units = 1;
    const QString other = QString::fromStdString(describeRecording(continuous));
    QVERIFY(other.contains("1 unit\n"));
    QVERIFY(other.contains("continuous"));
    QVERIFY(other.contains("behaviour: none"));
  }
#endif

  void trialGroupsFollowTheColumn() {
    neurolens::Table trials;
    trials.add(neurolens::Column{"condition", "", std::vector<std::string>{"b", "a", "b", "c"}, {}});
    trials.add(neurolens::Column{"angle", "", std::vector<double>{90, 135, 90, 45}, {}});
    trials.add(neurolens::Column{"start_time", "", std::vector<double>{0, 1, 2, 3}, {}});
    const TrialGroups byName = trialGroups(trials, "condition", 4);
    QCOMPARE(byName.names, (std::vector<std::string>{"a", "b", "c"}));
    QCOMPARE(byName.index, (std::vector<int>{1, 0, 1, 2}));
    // Numbers sort by value, not as text ("45" < "90" < "135").
    const TrialGroups byAngle = trialGroups(trials, "angle", 4);
    QCOMPARE(byAngle.names.size(), std::size_t{3});
    QCOMPARE(byAngle.index, (std::vector<int>{1, 2, 1, 0}));
    // Missing column: one group.
    const TrialGroups none = trialGroups(trials, "nope", 4);
    QCOMPARE(none.names, (std::vector<std::string>{"all trials"}));
    QCOMPARE(none.index, (std::vector<int>(4, 0)));
    // Times are never offered for colouring; the conventional column comes first.
    QCOMPARE(categoricalColumns(trials), (std::vector<std::string>{"condition", "angle"}));
  }

  void trajectoriesKeepTheGeometry() {
    // Latents in a 3-D subspace of 6 dimensions: PCA to three components keeps every
    // distance between points (it only rotates and centres), and group means are
    // the means of their trials.
    const std::size_t trials = 6, bins = 10, dims = 6;
    neurolens::FloatArray latents({trials, bins, dims});
    for (std::size_t t = 0; t < trials; ++t)
      for (std::size_t b = 0; b < bins; ++b) {
        const double phase = 0.3 * static_cast<double>(b) + static_cast<double>(t % 3);
        const double x = std::cos(phase), y = std::sin(phase), z = 0.1 * static_cast<double>(t) + 0.05 * b;
        const double row[6] = {x + z, y, x - y, z, 2 * x, -y + z};
        for (std::size_t d = 0; d < dims; ++d) latents(t, b, d) = static_cast<float>(row[d]);
      }
    neurolens::BinnedRecording recording;
    recording.binMs = 20.0;
    recording.trials.add(
        neurolens::Column{"condition", "", std::vector<std::string>{"u", "v", "w", "u", "v", "w"}, {}});
    TrajectoryRequest request;
    request.conditionMeans = false;
    request.smoothMs = 0.0;
    const Trajectories single = buildTrajectories(latents, true, recording, request);
    QCOMPARE(single.data.points.shape(), (std::vector<std::size_t>{trials, bins, 3}));
    QCOMPARE(single.data.condition, (std::vector<int>{0, 1, 2, 0, 1, 2}));
    QCOMPARE(single.rowTrial, (std::vector<std::size_t>{0, 1, 2, 3, 4, 5}));
    const auto distance = [](const neurolens::FloatArray& a, std::size_t t1, std::size_t b1, std::size_t t2,
                             std::size_t b2) {
      double sum = 0;
      for (std::size_t d = 0; d < a.dim(2); ++d) sum += std::pow(a(t1, b1, d) - a(t2, b2, d), 2);
      return std::sqrt(sum);
    };
    for (std::size_t t = 0; t < trials; ++t)
      for (std::size_t b = 0; b + 3 < bins; b += 3)
        QVERIFY(std::abs(distance(latents, t, b, (t + 1) % trials, b + 3) -
                         distance(single.data.points, t, b, (t + 1) % trials, b + 3)) < 1e-4);
    // Means over single trials (the scene builder's, as `figure` draws): the trials in groups 0-2,
    // the means after them in groups 3-5.
    request.conditionMeans = true;
    const Trajectories means = buildTrajectories(latents, true, recording, request);
    QCOMPARE(means.data.points.dim(0), std::size_t{trials + 3});
    QCOMPARE(means.data.condition, (std::vector<int>{0, 1, 2, 0, 1, 2, 3, 4, 5}));
    QCOMPARE(means.sceneGroups(1), (std::vector<std::size_t>{1, 4}));
    QCOMPARE(means.colours.size(), std::size_t{3});
    // The mean of group "u" (trials 0 and 3) projected equals the mean of its projected trials.
    for (std::size_t b = 0; b < bins; ++b)
      for (std::size_t d = 0; d < 3; ++d)
        QVERIFY(std::abs(means.data.points(trials, b, d) -
                         0.5 * (means.data.points(0, b, d) + means.data.points(3, b, d))) < 1e-4);
    request.projection = Projection::Latents;
    request.conditionMeans = false;
    const Trajectories raw = buildTrajectories(latents, true, recording, request);
    QCOMPARE(raw.data.points(4, 5, 2), latents(4, 5, 2));
    QVERIFY_THROWS_EXCEPTION(neurolens::InputError,
                             (void)buildTrajectories(neurolens::FloatArray({2, 3}), true, recording, request));
  }

  void colourChoicesRoundTripAndUnknownTextIsCondition() {
    for (const ColourChoice& choice :
         {ColourChoice{}, ColourChoice{ColourMode::Time, {}, -1}, ColourChoice{ColourMode::Behaviour, "hand:vel", 1},
          ColourChoice{ColourMode::Behaviour, "speed", -1}, ColourChoice{ColourMode::Attribution, {}, -1}}) {
      QVERIFY2(ColourChoice::parse(choice.spec()) == choice, choice.spec().c_str());
    }
    QCOMPARE(ColourChoice::parse("rainbow").mode, ColourMode::Condition);
    QCOMPARE(ColourChoice::parse("behavior:x:notanumber").mode, ColourMode::Condition);
    QCOMPARE(ColourChoice::parse("behavior::1").mode, ColourMode::Condition);
    neurolens::BinnedRecording recording;
    recording.behavior["hand_vel"] = neurolens::FloatArray({1, 2, 2});
    recording.behavior["pupil"] = neurolens::FloatArray({1, 2, 1});
    const std::vector<ColourChoice> choices = behaviourChoices(recording);
    QCOMPARE(choices.size(), std::size_t{4});  // hand_vel x, y, magnitude; pupil
    QCOMPARE(choices[2].dimension, -1);
    QCOMPARE(QString::fromStdString(choices[0].title()), QString("hand_vel x"));
    QCOMPARE(QString::fromStdString(choices[2].title()), QString("|hand_vel|"));
  }

  void colourValuesPerShownTrajectory() {
    // Behaviour [3 trials, 2 bins, 2 columns]: magnitude is the Euclidean norm (3-4-5 triangles).
    neurolens::FloatArray behaviour({3, 2, 2}, std::vector<float>{3, 4, 6, 8, 0, 1, 5, 12, 1, 0, 0, 0});
    const neurolens::FloatArray speed = behaviourValues(behaviour, -1);
    QCOMPARE(speed.values(), (std::vector<float>{5, 10, 1, 13, 1, 0}));
    QCOMPARE(behaviourValues(behaviour, 1).values(), (std::vector<float>{4, 8, 1, 12, 0, 0}));
    QVERIFY_THROWS_EXCEPTION(neurolens::InputError, (void)behaviourValues(behaviour, 2));
    // Time: bin starts in ms.
    QCOMPARE(timeValues(2, 3, 20.0).values(), (std::vector<float>{0, 20, 40, 0, 20, 40}));

    // Means over single trials: trials 0 and 2 in condition 0, trial 1 in condition 1; the trial
    // rows (grey beneath the means) first, then the means of condition 1 and 0 (groups 2 + c).
    Trajectories shown;
    shown.means = true;
    shown.groups.names = {"a", "b"};
    shown.groups.index = {0, 1, 0};
    shown.data.points = neurolens::FloatArray({5, 2, 3});
    shown.data.condition = {0, 1, 0, 3, 2};
    shown.rowIsMean = {false, false, false, true, true};
    shown.rowTrial = {0, 1, 2};
    neurolens::FloatArray perTrial({3, 2}, std::vector<float>{1, 2, 10, 20, 3, std::nanf("")});
    const neurolens::FloatArray means = perShownTrajectory(shown, perTrial);
    QVERIFY(std::isnan(means.values()[0]));  // a single trial beneath the means
    QCOMPARE(means.values()[6], 10.0F);      // condition 1 = trial 1
    QCOMPARE(means.values()[7], 20.0F);
    QCOMPARE(means.values()[8], 2.0F);  // condition 0: mean of 1 and 3
    QCOMPARE(means.values()[9], 2.0F);  // NaN left out: trial 0's 2 only
    // Single trials alone pass through; a wrong number of rows is refused.
    shown.means = false;
    shown.rowIsMean.clear();
    shown.data.points = neurolens::FloatArray({3, 2, 3});
    shown.data.condition = {0, 1, 0};
    QCOMPARE(perShownTrajectory(shown, perTrial).values()[4], 3.0F);
    QVERIFY_THROWS_EXCEPTION(neurolens::InputError, (void)perShownTrajectory(shown, neurolens::FloatArray({2, 2})));

    // Attribution magnitude [2 attributed trials, 2 bins, 3 units]: sums over the chosen units, NaN after.
    neurolens::FloatArray magnitude({2, 2, 3}, std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
    const neurolens::FloatArray chosen = attributionValues(magnitude, {0, 2}, 3);
    QCOMPARE(chosen.values()[0], 4.0F);
    QCOMPARE(chosen.values()[1], 10.0F);
    QCOMPARE(chosen.values()[2], 16.0F);
    QCOMPARE(chosen.values()[3], 22.0F);
    QVERIFY(std::isnan(chosen.values()[4]) && std::isnan(chosen.values()[5]));
    QCOMPARE(attributionValues(magnitude, {}, 2).values()[0], 6.0F);  // all units
    QVERIFY_THROWS_EXCEPTION(neurolens::InputError, (void)attributionValues(magnitude, {3}, 2));
  }

  void backgroundJobReportsOutcome() {
    BackgroundJob job("test job");
    QSignalSpy progress(&job, &BackgroundJob::progressChanged);
    QSignalSpy finished(&job, &BackgroundJob::finished);
    std::atomic<bool> ranOffMainThread{false};
    const auto mainThread = QThread::currentThread();
    QVERIFY(job.start([&](const neurolens::Progress& p) {
      ranOffMainThread = QThread::currentThread() != mainThread;
      for (int i = 0; i <= 10; ++i) p.report(i / 10.0, "step");
    }));
    QVERIFY(!job.start([](const neurolens::Progress&) {}));  // refused while running
    QVERIFY(finished.wait(10000));
    QCOMPARE(job.outcome(), BackgroundJob::Outcome::Succeeded);
    QVERIFY(ranOffMainThread);
    QTRY_VERIFY(!progress.isEmpty());
    QCOMPARE(progress.last().at(0).toDouble(), 1.0);

    QVERIFY(job.start([](const neurolens::Progress&) { throw neurolens::InputError("file x.nwb has no units"); }));
    QVERIFY(finished.wait(10000));
    QCOMPARE(job.outcome(), BackgroundJob::Outcome::Failed);
    QCOMPARE(job.errorMessage(), QString("file x.nwb has no units"));

    // Cancel: the work stops at its next report.
    std::atomic<int> steps{0};
    QVERIFY(job.start([&](const neurolens::Progress& p) {
      for (int i = 0; i < 100000; ++i) {
        p.report(i / 100000.0, "spin");
        ++steps;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }));
    QTest::qWait(50);
    job.cancel();
    QVERIFY(finished.wait(10000));
    QCOMPARE(job.outcome(), BackgroundJob::Outcome::Cancelled);
    QVERIFY(steps < 100000);
  }

  void destroyingARunningJobCancelsAndWaits() {
    std::atomic<bool> stopped{false};
    {
      BackgroundJob job("short-lived");
      QVERIFY(job.start([&](const neurolens::Progress& p) {
        try {
          for (;;) {
            p.report(0.5, "forever");
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
          }
        } catch (...) {
          stopped = true;
          throw;
        }
      }));
      QTest::qWait(20);
    }  // the destructor cancels and waits
    QVERIFY(stopped);
  }
};

QTEST_GUILESS_MAIN(TestGuiLogic)
#include "test_gui_logic.moc"
