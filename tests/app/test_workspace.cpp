// The Qt-free workspace (issue 28 step 3) alone, without widgets or jobs: recordings and models added and
// closed in any order, the pair of each recording x model (or the recording alone) and its state, mismatch
// reasons on one pair only, and the jobs it asks to cancel when a file closes.
#include <QtTest/QtTest>
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "neurolens/workspace/workspace.h"

using namespace neurolens;
using namespace neurolens::workspace;

namespace {

std::shared_ptr<const BinnedRecording> binned(std::size_t units, double binMs = 20.0, std::size_t trials = 3,
                                              const std::string& identifier = {}) {
  auto recording = std::make_shared<BinnedRecording>();
  recording->identifier = identifier;
  recording->binMs = binMs;
  recording->counts = FloatArray({trials, 5, units}, 0.0F);
  for (std::size_t unit = 0; unit < units; ++unit) recording->unitIds.push_back(static_cast<std::int64_t>(unit));
  return recording;
}

ModelFacts facts(std::int64_t units, double binMs = 20.0) {
  ModelFacts model;
  model.units = units;
  model.binMs = binMs;
  model.latents = 8;
  return model;
}

std::shared_ptr<const FloatArray> latents() {
  return std::make_shared<const FloatArray>(std::vector<std::size_t>{3, 5, 8}, 1.0F);
}

// Every callback, in order, as "added pair 7", "cancel 3", ...
struct Log {
  std::vector<std::string> events;
  std::vector<Id> cancelled;

  WorkspaceCallbacks callbacks() {
    const auto name = [](Kind kind) {
      return kind == Kind::Recording ? std::string("recording") : kind == Kind::Model ? "model" : "pair";
    };
    WorkspaceCallbacks callbacks;
    callbacks.added = [this, name](Kind kind, Id id) {
      events.push_back("added " + name(kind) + " " + std::to_string(id));
    };
    callbacks.changed = [this, name](Kind kind, Id id) {
      events.push_back("changed " + name(kind) + " " + std::to_string(id));
    };
    callbacks.removed = [this, name](Kind kind, Id id) {
      events.push_back("removed " + name(kind) + " " + std::to_string(id));
    };
    callbacks.cancel = [this](Id id) { cancelled.push_back(id); };
    return callbacks;
  }
  [[nodiscard]] int count(const std::string& prefix) const {
    return static_cast<int>(std::count_if(events.begin(), events.end(),
                                          [&](const std::string& event) { return event.rfind(prefix, 0) == 0; }));
  }
};

}  // namespace

class TestWorkspace : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void recordingThenModel() {
    Workspace workspace;
    Log log;
    workspace.setCallbacks(log.callbacks());
    const Id recording = workspace.addRecording("/data/pmd.nwb");
    QCOMPARE(workspace.pairs().size(), std::size_t{1});
    QCOMPARE(workspace.pairs()[0].state, State::Loading);  // the recording is still loading
    QVERIFY(!workspace.pairs()[0].model);
    workspace.recordingLoaded(recording, binned(61), "61 units");
    QCOMPARE(workspace.pairs()[0].state, State::Ready);  // a recording alone is ready
    QVERIFY(workspace.settled());

    const Id model = workspace.addModel("/models/gru.pt");
    // The model replaces the recording-alone pair with (recording, model), loading until the model is in.
    QCOMPARE(workspace.pairs().size(), std::size_t{1});
    QCOMPARE(workspace.pairs()[0].model, std::optional<Id>(model));
    QCOMPARE(workspace.pairs()[0].state, State::Loading);
    QVERIFY(workspace.pairsToRun().empty());
    workspace.modelLoaded(model, nullptr, facts(61));
    const Id pair = workspace.pairs()[0].id;
    QCOMPARE(workspace.pairsToRun(), std::vector<Id>{pair});
    workspace.runStarted(pair);
    QVERIFY(workspace.pairsToRun().empty());
    QVERIFY(!workspace.settled());
    workspace.runFinished(pair, latents());
    QCOMPARE(workspace.pair(pair)->state, State::Ready);
    QVERIFY(workspace.settled());
    QCOMPARE(workspace.label(pair), std::string("pmd.nwb with gru.pt"));
    QCOMPARE(log.count("removed pair"), 1);  // the recording alone
    QCOMPARE(log.count("added pair"), 2);
  }

  void modelThenRecording() {
    Workspace workspace;
    const Id model = workspace.addModel("/models/gru.pt");
    workspace.modelLoaded(model, nullptr, facts(61));
    QVERIFY(workspace.pairs().empty());  // a model alone makes no pair
    QVERIFY(workspace.settled());
    const Id recording = workspace.addRecording("/data/pmd.nwb");
    QCOMPARE(workspace.pairs().size(), std::size_t{1});
    QVERIFY(workspace.pairsToRun().empty());  // the recording is still loading
    workspace.recordingLoaded(recording, binned(61));
    QCOMPARE(workspace.pairsToRun().size(), std::size_t{1});
    // The same path asked again keeps its id and state.
    QCOMPARE(workspace.addRecording("/data/pmd.nwb"), recording);
    QCOMPARE(workspace.recording(recording)->state, State::Ready);
  }

  // A pair whose run was cancelled (or failed) runs again on request; a file that could not be opened opens
  // again; a mismatch is not retried (issue 28, "a cancelled pair stays cancelled").
  void cancelledPairsRunAgainAndFailedFilesOpenAgain() {
    Workspace workspace;
    Log log;
    workspace.setCallbacks(log.callbacks());
    const Id recording = workspace.addRecording("/data/pmd.nwb");
    const Id other = workspace.addRecording("/data/m1.nwb");
    const Id model = workspace.addModel("/models/gru.pt");
    workspace.recordingLoaded(recording, binned(61));
    workspace.recordingLoaded(other, binned(171));
    workspace.modelLoaded(model, nullptr, facts(61));
    const Id pair = workspace.findPair(recording, model)->id;
    const Id mismatched = workspace.findPair(other, model)->id;
    QCOMPARE(workspace.pairsToRun(), std::vector<Id>{pair});
    QVERIFY(!workspace.retryFor(pair));  // loading: nothing to retry
    workspace.runStarted(pair);
    QVERIFY(!workspace.retryFor(pair));  // running
    workspace.runFailed(pair, "cancelled");
    QCOMPARE(workspace.pair(pair)->state, State::Error);
    QCOMPARE(workspace.pair(pair)->error, std::string("cancelled"));
    QVERIFY(workspace.pairsToRun().empty());  // a cancelled pair stays so until asked
    const auto plan = workspace.retryFor(pair);
    QVERIFY(plan && plan->kind == RetryKind::RunPair && plan->id == pair);
    QVERIFY(!workspace.retryFor(mismatched));  // the same files would fail the same way
    QVERIFY(!workspace.retryFor(recording));   // ready
    QVERIFY(!workspace.retry(mismatched));
    log.events.clear();
    QVERIFY(workspace.retry(pair));
    QCOMPARE(workspace.pair(pair)->state, State::Loading);
    QVERIFY(workspace.pair(pair)->error.empty());
    QCOMPARE(workspace.pairsToRun(), std::vector<Id>{pair});
    QCOMPARE(log.events, std::vector<std::string>{"changed pair " + std::to_string(pair)});
    workspace.runStarted(pair);
    workspace.runFinished(pair, latents());
    QCOMPARE(workspace.pair(pair)->state, State::Ready);
    QCOMPARE(workspace.pair(mismatched)->state, State::Error);

    // A model whose loading was cancelled: its pairs name it, and retrying one of them opens the model again.
    const Id second = workspace.addModel("/models/lfads.pt");
    workspace.fileFailed(second, "loading was cancelled");
    const Id secondPair = workspace.findPair(recording, second)->id;
    QCOMPARE(workspace.pair(secondPair)->state, State::Error);
    const auto reopen = workspace.retryFor(secondPair);
    QVERIFY(reopen && reopen->kind == RetryKind::OpenFile && reopen->id == second);
    QVERIFY(workspace.retryFor(second) && workspace.retryFor(second)->kind == RetryKind::OpenFile);
    QVERIFY(workspace.retry(secondPair));
    QCOMPARE(workspace.model(second)->state, State::Loading);
    QCOMPARE(workspace.pair(secondPair)->state, State::Loading);
    QVERIFY(!workspace.settled());
    workspace.modelLoaded(second, nullptr, facts(61));
    QCOMPARE(workspace.pairsToRun(), std::vector<Id>{secondPair});
    QCOMPARE(workspace.pair(pair)->state, State::Ready);  // the other model's pair keeps its result
  }

  void mismatchIsAnErrorOnThatPairOnly() {
    Workspace workspace;
    const Id pmd = workspace.addRecording("/data/pmd_reach_yu2009.nwb");
    const Id m1 = workspace.addRecording("/data/m1_stevenson2011.nwb");
    const Id model = workspace.addModel("/models/gru61.pt");
    workspace.recordingLoaded(m1, binned(171));
    workspace.modelLoaded(model, nullptr, facts(61));
    const PairItem* wrong = workspace.findPair(m1, model);
    QVERIFY(wrong != nullptr);
    QCOMPARE(wrong->state, State::Error);
    QCOMPARE(wrong->error, std::string("model \"gru61.pt\" expects 61 units but the recording "
                                       "\"m1_stevenson2011.nwb\" has 171"));
    QCOMPARE(workspace.findPair(pmd, model)->state, State::Loading);
    workspace.recordingLoaded(pmd, binned(61));
    const Id right = workspace.findPair(pmd, model)->id;
    QCOMPARE(workspace.pairsToRun(), std::vector<Id>{right});  // the mismatched pair never runs
    workspace.runFinished(right, latents());
    QCOMPARE(workspace.pair(right)->state, State::Ready);
    QCOMPARE(workspace.findPair(m1, model)->state, State::Error);
    QVERIFY(workspace.settled());
    // What the centre says for a recording no open model runs on: the model and its pair's reason.
    QCOMPARE(workspace.whyNoModelRuns("/data/m1_stevenson2011.nwb"),
             std::optional<std::string>(workspace.findPair(m1, model)->error));
    QVERIFY(!workspace.whyNoModelRuns("/data/pmd_reach_yu2009.nwb"));  // its model ran
    QVERIFY(!workspace.whyNoModelRuns("/data/other.nwb"));             // not open
    // Pairs are ordered by recording, then model, as opened.
    QCOMPARE(workspace.pairs()[0].recording, pmd);
    QCOMPARE(workspace.pairs()[1].recording, m1);

    // Bin size and unit ids, in the same words as the core's check.
    const auto bins = mismatch("/d/a.nwb", *binned(61, 10.0), "/m/b.pt", facts(61, 20.0));
    QVERIFY(bins.has_value());
    QVERIFY2(bins->find("20 ms bins") != std::string::npos && bins->find("binned at 10 ms") != std::string::npos,
             bins->c_str());
    ModelFacts ids = facts(3);
    ids.unitIds = {0, 1, 7};
    const auto units = mismatch("/d/a.nwb", *binned(3), "/m/b.pt", ids);
    QVERIFY(units.has_value());
    QVERIFY2(units->find("unit id 7 in position 2") != std::string::npos, units->c_str());
    QVERIFY(!mismatch("/d/a.nwb", *binned(61), "/m/b.pt", ModelFacts{}));  // a model that says nothing fits
  }

  // A multi-session model (issue 18 step 3): each recording's pair takes the session its NWB identifier names
  // (checked with that session's units); a recording that matches none is an error on its pair only, naming the
  // sessions; a chosen session mends it and the pair runs.
  void multiSessionModelsTakeTheRecordingsSession() {
    Workspace workspace;
    Log log;
    workspace.setCallbacks(log.callbacks());
    const Id yu = workspace.addRecording("/data/pmd_reach_yu2009.nwb");
    const Id ex2 = workspace.addRecording("/data/pmd_reach_ex2.nwb");
    const Id m1 = workspace.addRecording("/data/m1_stevenson2011.nwb");
    const Id model = workspace.addModel("/models/multi.pt");
    workspace.recordingLoaded(yu, binned(61, 20.0, 3, "pmd_reach_yu2009"));
    workspace.recordingLoaded(ex2, binned(61, 20.0, 3, "pmd_reach_ex2"));
    workspace.recordingLoaded(m1, binned(40, 20.0, 3, "m1_stevenson2011"));
    ModelFacts multi;
    multi.binMs = 20.0;
    multi.latents = 8;
    multi.sessions = {{"pmd_reach_yu2009", 61, {}}, {"pmd_reach_ex2", 61, {}}, {"m1_other", 40, {}}};
    workspace.modelLoaded(model, nullptr, multi);

    const PairItem* first = workspace.findPair(yu, model);
    const PairItem* second = workspace.findPair(ex2, model);
    QCOMPARE(first->session, std::string("pmd_reach_yu2009"));
    QCOMPARE(second->session, std::string("pmd_reach_ex2"));
    QCOMPARE(first->state, State::Loading);
    QCOMPARE(second->state, State::Loading);
    const PairItem* none = workspace.findPair(m1, model);
    QCOMPARE(none->state, State::Error);
    QVERIFY(none->session.empty());
    QVERIFY2(none->error.find("pmd_reach_yu2009, pmd_reach_ex2, m1_other") != std::string::npos &&
                 none->error.find("m1_stevenson2011") != std::string::npos,
             none->error.c_str());
    QCOMPARE(workspace.pairsToRun(), (std::vector<Id>{first->id, second->id}));
    QVERIFY(!workspace.retryFor(none->id));  // the same files would fail the same way

    // The session's own units are checked: m1 (40 units) against a 61-unit session is a mismatch.
    QVERIFY(workspace.chooseSession(none->id, "pmd_reach_ex2"));
    QCOMPARE(workspace.findPair(m1, model)->state, State::Error);
    QVERIFY2(workspace.findPair(m1, model)->error.find("expects 61 units") != std::string::npos,
             workspace.findPair(m1, model)->error.c_str());
    // A session the model does not know names the ones it does.
    QVERIFY(workspace.chooseSession(none->id, "nope"));
    QVERIFY2(workspace.findPair(m1, model)->error.find("no session \"nope\"; it knows pmd_reach_yu2009") !=
                 std::string::npos,
             workspace.findPair(m1, model)->error.c_str());
    // A session that fits: the pair runs with it.
    QVERIFY(workspace.chooseSession(none->id, "m1_other"));
    const PairItem* chosen = workspace.findPair(m1, model);
    QCOMPARE(chosen->state, State::Loading);
    QCOMPARE(chosen->session, std::string("m1_other"));
    QCOMPARE(workspace.pairsToRun().size(), std::size_t{3});
    // Choosing another session for a pair that ran: it runs again, with the old run cancelled.
    workspace.runStarted(first->id);
    QVERIFY(workspace.chooseSession(first->id, "pmd_reach_ex2"));
    QCOMPARE(log.cancelled, std::vector<Id>{first->id});
    QCOMPARE(workspace.pair(first->id)->session, std::string("pmd_reach_ex2"));
    QCOMPARE(workspace.pair(first->id)->state, State::Loading);
    QVERIFY(!workspace.pair(first->id)->running);
    QVERIFY(!workspace.chooseSession(9999, "pmd_reach_ex2"));

    // A single-session model fits as before and names no session; a chosen session is a mismatch.
    QVERIFY(!mismatch("/d/a.nwb", *binned(61, 20.0, 3, "pmd_reach_yu2009"), "/m/b.pt", facts(61)));
    const auto single = mismatch("/d/a.nwb", *binned(61), "/m/b.pt", facts(61), "pmd_reach_yu2009");
    QVERIFY(single && single->find("single-session") != std::string::npos);
    const auto noIdentifier = mismatch("/d/a.nwb", *binned(61), "/m/multi.pt", multi);
    QVERIFY(noIdentifier && noIdentifier->find("knows the sessions") != std::string::npos);
  }

  void failuresAndRunErrorsStayOnTheirPairs() {
    Workspace workspace;
    const Id good = workspace.addRecording("/data/good.nwb");
    const Id bad = workspace.addRecording("/data/bad.nwb");
    const Id model = workspace.addModel("/models/gru.pt");
    workspace.recordingLoaded(good, binned(4));
    workspace.modelLoaded(model, nullptr, facts(4));
    workspace.fileFailed(bad, "reading it crashed");
    const PairItem* badPair = workspace.findPair(bad, model);
    QCOMPARE(badPair->state, State::Error);
    QVERIFY2(badPair->error.find("bad.nwb\" could not be opened: reading it crashed") != std::string::npos,
             badPair->error.c_str());
    const Id goodPair = workspace.findPair(good, model)->id;
    workspace.runStarted(goodPair);
    workspace.runFailed(goodPair, "NaN in the latents");
    QCOMPARE(workspace.pair(goodPair)->state, State::Error);
    QCOMPARE(workspace.pair(goodPair)->error, std::string("NaN in the latents"));
    QVERIFY(workspace.settled());
    // The recording read again (re-binned): its pairs' old results and errors no longer stand.
    workspace.recordingLoaded(good, binned(4));
    QCOMPARE(workspace.pair(goodPair)->state, State::Loading);
    QCOMPARE(workspace.pairsToRun(), std::vector<Id>{goodPair});
  }

  void closingCancelsItsJobsAndPairsAgain() {
    Workspace workspace;
    Log log;
    workspace.setCallbacks(log.callbacks());
    const Id a = workspace.addRecording("/data/a.nwb");
    const Id b = workspace.addRecording("/data/b.nwb");
    const Id model = workspace.addModel("/models/m.pt");
    const Id loading = workspace.addModel("/models/slow.pt");  // still loading when closed
    workspace.recordingLoaded(a, binned(2));
    workspace.recordingLoaded(b, binned(2));
    workspace.modelLoaded(model, nullptr, facts(2));
    QCOMPARE(workspace.pairs().size(), std::size_t{4});
    const Id running = workspace.findPair(a, model)->id;
    const Id done = workspace.findPair(b, model)->id;
    workspace.runStarted(running);
    workspace.runStarted(done);
    workspace.runFinished(done, latents());

    workspace.close(loading);
    QCOMPARE(log.cancelled, std::vector<Id>{loading});  // its own load; its pairs had no job yet
    QCOMPARE(workspace.pairs().size(), std::size_t{2});
    QVERIFY(workspace.model(loading) == nullptr);

    workspace.close(a);
    QCOMPARE(log.cancelled, (std::vector<Id>{loading, running}));  // the running pair's job, not the finished one
    QVERIFY(workspace.pair(running) == nullptr);
    QCOMPARE(workspace.pair(done)->state, State::Ready);
    // Removals are announced while the item can still be looked up, pairs before their file.
    const auto pairGone = std::find(log.events.begin(), log.events.end(), "removed pair " + std::to_string(running));
    const auto fileGone = std::find(log.events.begin(), log.events.end(), "removed recording " + std::to_string(a));
    QVERIFY(pairGone < fileGone && fileGone != log.events.end());

    // The last model closed: each recording stands alone again (ready).
    workspace.close(model);
    QCOMPARE(workspace.pairs().size(), std::size_t{1});
    QVERIFY(!workspace.pairs()[0].model);
    QCOMPARE(workspace.pairs()[0].state, State::Ready);
    workspace.closeAll();
    QVERIFY(workspace.pairs().empty() && workspace.recordings().empty() && workspace.models().empty());
    workspace.close(12345);  // unknown ids are ignored
  }

  void manyFilesInAnyOrder() {
    // Every order of 2 recordings and 2 models ends with the same 4 pairs, each ready once run.
    std::vector<std::string> order{"m:/m/1.pt", "m:/m/2.pt", "r:/d/1.nwb", "r:/d/2.nwb"};
    std::sort(order.begin(), order.end());
    int orders = 0;
    do {
      Workspace workspace;
      for (const std::string& entry : order) {
        const std::string path = entry.substr(2);
        if (entry[0] == 'r') {
          workspace.recordingLoaded(workspace.addRecording(path), binned(5));
        } else {
          workspace.modelLoaded(workspace.addModel(path), nullptr, facts(5));
        }
        for (const Id pair : workspace.pairsToRun()) workspace.runFinished(pair, latents());
      }
      QCOMPARE(workspace.pairs().size(), std::size_t{4});
      for (const PairItem& pair : workspace.pairs()) QCOMPARE(pair.state, State::Ready);
      QVERIFY(workspace.settled());
      ++orders;
    } while (std::next_permutation(order.begin(), order.end()));
    QCOMPARE(orders, 24);
  }
};

QTEST_GUILESS_MAIN(TestWorkspace)
#include "test_workspace.moc"
