// The Workspace dock's decisions for multi-session models and a model's own bin size (issue 18 step 3) alone,
// on the Qt-free workspace: which sessions a pair offers ("the recording's own" only when one matches its
// identifier, each session with its unit count, the current one checked, one that does not fit marked), when to
// ask (a pair in error for want of a session, once), the question's words, the bin size to follow (the models
// agree and something is binned otherwise) and the "Re-bin at N ms" offer.
#include <QtTest/QtTest>
#include <memory>
#include <string>
#include <vector>

#include "logic/bin_size_choice.h"
#include "logic/session_choice.h"
#include "neurolens/workspace/workspace.h"

using namespace neurolens;
using namespace neurolens::gui;
using namespace neurolens::workspace;

namespace {

std::shared_ptr<const BinnedRecording> binned(std::size_t units, const std::string& identifier, double binMs = 20.0) {
  auto recording = std::make_shared<BinnedRecording>();
  recording->identifier = identifier;
  recording->binMs = binMs;
  recording->counts = FloatArray({3, 5, units}, 0.0F);
  for (std::size_t unit = 0; unit < units; ++unit) recording->unitIds.push_back(static_cast<std::int64_t>(unit));
  return recording;
}

ModelFacts sessions(std::vector<std::pair<std::string, std::int64_t>> list, double binMs = 20.0) {
  ModelFacts facts;
  facts.binMs = binMs;
  facts.latents = 4;
  for (const auto& [id, units] : list) facts.sessions.push_back({id, units, {}});
  return facts;
}

ModelFacts single(std::int64_t units, std::optional<double> binMs) {
  ModelFacts facts;
  facts.units = units;
  facts.binMs = binMs;
  facts.latents = 4;
  return facts;
}

}  // namespace

class TestSessionChoice : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void aRecordingOfNoSessionIsAskedAboutOnce() {
    Workspace space;
    const Id other = space.addRecording("/d/other.nwb");
    const Id model = space.addModel("/m/multi.pt");
    space.recordingLoaded(other, binned(61, "pmd_reach_other"));
    space.modelLoaded(model, nullptr, sessions({{"pmd_reach_yu2009", 61}, {"pmd_reach_ex2", 61}, {"big", 90}}));
    const Id pair = space.pairs().front().id;
    QCOMPARE(space.pair(pair)->state, State::Error);
    QVERIFY(needsSession(space, pair));

    // No "recording's own": none matches. Each session with its units; the 90-unit one does not fit.
    const std::vector<SessionOffer> offers = sessionOffers(space, pair);
    QCOMPARE(offers.size(), std::size_t{3});
    QCOMPARE(offers[0].id, std::string("pmd_reach_yu2009"));
    QCOMPARE(offers[0].label, std::string("pmd_reach_yu2009 (61 units)"));
    QCOMPARE(offers[2].label, std::string("big (90 units)"));
    QVERIFY(offers[0].fits && offers[1].fits && !offers[2].fits);
    for (const auto& offer : offers) QVERIFY(!offer.checked);  // nothing chosen, and the own one is none
    QCOMPARE(preferredOffer(offers), std::optional<std::size_t>(0));

    const QString question = QString::fromStdString(sessionQuestion(space, pair));
    for (const char* part : {"other.nwb", "\"pmd_reach_other\"", "multi.pt", "pmd_reach_yu2009 (61 units)",
                             "pmd_reach_ex2 (61 units)", "61 units)"})
      QVERIFY2(question.contains(part), qPrintable(question + " lacks " + part));

    SessionAsker asker;
    QCOMPARE(asker.toAsk(space), std::vector<Id>{pair});
    QVERIFY(asker.toAsk(space).empty());  // once

    // Chosen: it fits and no longer needs a session; the choice is the one checked.
    QVERIFY(space.chooseSession(pair, "pmd_reach_ex2"));
    QCOMPARE(space.pair(pair)->state, State::Loading);
    QCOMPARE(space.pair(pair)->session, std::string("pmd_reach_ex2"));
    QVERIFY(!needsSession(space, pair));
    QVERIFY(sessionOffers(space, pair)[1].checked);
    QVERIFY(!sessionOffers(space, pair)[0].checked);

    // A session of the wrong unit count stays a clear error, and is not asked about (a session was chosen).
    QVERIFY(space.chooseSession(pair, "big"));
    QCOMPARE(space.pair(pair)->state, State::Error);
    QVERIFY2(QString::fromStdString(space.pair(pair)->error).contains("expects 90 units"),
             space.pair(pair)->error.c_str());
    QVERIFY(!needsSession(space, pair));

    // Back to the recording's own: in error for want of a session again, but it was asked about already.
    QVERIFY(space.chooseSession(pair, ""));
    QVERIFY(needsSession(space, pair));
    QVERIFY(asker.toAsk(space).empty());
    // The message names the way out in the window.
    QVERIFY(QString::fromStdString(space.pair(pair)->error).contains("Session..."));
  }

  void aRecordingOfASessionOffersItsOwn() {
    Workspace space;
    const Id yu = space.addRecording("/d/pmd_reach_yu2009.nwb");
    const Id model = space.addModel("/m/multi.pt");
    space.recordingLoaded(yu, binned(61, "pmd_reach_yu2009"));
    space.modelLoaded(model, nullptr, sessions({{"pmd_reach_yu2009", 61}, {"pmd_reach_ex2", 61}}));
    const Id pair = space.pairs().front().id;
    QCOMPARE(space.pair(pair)->session, std::string("pmd_reach_yu2009"));
    QVERIFY(!needsSession(space, pair));
    SessionAsker asker;
    QVERIFY(asker.toAsk(space).empty());
    const auto offers = sessionOffers(space, pair);
    QCOMPARE(offers.size(), std::size_t{3});
    QVERIFY(offers[0].id.empty());
    QCOMPARE(offers[0].label, std::string("the recording's own (pmd_reach_yu2009, 61 units)"));
    QVERIFY(offers[0].checked);
    QVERIFY(!offers[1].checked && !offers[2].checked);

    // A single-session model, and a recording alone, offer nothing.
    Workspace plain;
    const Id recording = plain.addRecording("/d/a.nwb");
    plain.recordingLoaded(recording, binned(61, "pmd_reach_yu2009"));
    QVERIFY(sessionOffers(plain, plain.pairs().front().id).empty());
    const Id gru = plain.addModel("/m/gru.pt");
    plain.modelLoaded(gru, nullptr, single(61, 20.0));
    QVERIFY(sessionOffers(plain, plain.pairs().front().id).empty());
    QVERIFY(!needsSession(plain, plain.pairs().front().id));
  }

  void theBinSizeFollowsAModelUnlessModelsDisagree() {
    Workspace space;
    const Id m1 = space.addRecording("/d/m1.nwb");
    space.recordingLoaded(m1, binned(171, "m1", 20.0));
    const Id poyo = space.addModel("/m/poyo.pt");
    space.modelLoaded(poyo, nullptr, single(171, 50.0));
    const Id pair = space.pairs().front().id;
    QCOMPARE(space.pair(pair)->state, State::Error);  // "re-bin it at 50 ms"
    QCOMPARE(binSizeToFollow(space, poyo, 20.0), std::optional<double>(50.0));
    QCOMPARE(recordingsBinnedOtherwise(space, 50.0), std::vector<std::string>{"/d/m1.nwb"});
    QCOMPARE(rebinOffer(space, pair), std::optional<double>(50.0));
    // The window's bin size is already 50 (a recording opened before it changed): still to bin again.
    QCOMPARE(binSizeToFollow(space, poyo, 50.0), std::optional<double>(50.0));

    // Binned at 50: nothing to follow, nothing to offer.
    space.recordingLoaded(m1, binned(171, "m1", 50.0));
    QVERIFY(!binSizeToFollow(space, poyo, 50.0));
    QVERIFY(recordingsBinnedOtherwise(space, 50.0).empty());
    QVERIFY(!rebinOffer(space, pair));

    // A second model of another bin size: the models disagree, nothing is automatic; its pair offers 20 ms.
    const Id gru = space.addModel("/m/gru.pt");
    space.modelLoaded(gru, nullptr, single(171, 20.0));
    QVERIFY(!binSizeToFollow(space, gru, 50.0));
    QVERIFY(!binSizeToFollow(space, poyo, 20.0));
    const Id gruPair = space.findPair(m1, gru)->id;
    QCOMPARE(rebinOffer(space, gruPair), std::optional<double>(20.0));
    QVERIFY(!rebinOffer(space, pair));  // ready at 50

    // A model that says no bin size is never followed and offers nothing.
    Workspace quiet;
    const Id recording = quiet.addRecording("/d/a.nwb");
    quiet.recordingLoaded(recording, binned(171, "a", 20.0));
    const Id unsaid = quiet.addModel("/m/unsaid.pt");
    quiet.modelLoaded(unsaid, nullptr, single(171, std::nullopt));
    QVERIFY(!binSizeToFollow(quiet, unsaid, 10.0));
    QVERIFY(!rebinOffer(quiet, quiet.pairs().front().id));

    QCOMPARE(binText(50.0), std::string("50"));
    QCOMPARE(binText(12.5), std::string("12.5"));
  }
};

QTEST_GUILESS_MAIN(TestSessionChoice)
#include "test_session_choice.moc"
