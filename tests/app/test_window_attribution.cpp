// The choice of the window under the time cursor and the cache of its attributions (issue 21 step 4), alone:
// windows at a trial's ends and in its middle, the stride's grid, a trial shorter than the window, the widening
// by the receptive field; cache hits and misses, least recently used dropped, invalidation on a new model or new
// options, a stale result refused.
#include <QtTest/QtTest>

#include "logic/window_attribution.h"
#include "neurolens/core/errors.h"

using namespace neurolens;
using namespace neurolens::gui;

namespace {

std::shared_ptr<const WindowAttribution> resultFor(const AttributionWindow& window) {
  auto result = std::make_shared<WindowAttribution>();
  result->window = window;
  return result;
}

WindowKey keyOf(const std::string& pair, const std::string& model, const std::string& options,
                const AttributionWindow& window) {
  return WindowKey{pair, model, options, window.trial, window.targetBegin, window.targetEnd};
}

}  // namespace

class TestWindowAttribution : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void policyFromMilliseconds() {
    const WindowPolicy policy = windowPolicyFor(1000.0, 20.0);
    QCOMPARE(policy.windowBins, std::size_t{50});
    QCOMPARE(policy.strideBins, std::size_t{5});
    QCOMPARE(windowPolicyFor(30.0, 50.0).windowBins, std::size_t{1});
    QCOMPARE(windowPolicyFor(30.0, 50.0).strideBins, std::size_t{1});
    QVERIFY_THROWS_EXCEPTION(InputError, (void)windowPolicyFor(1000.0, 0.0));
  }

  // A continuous recording of 39,469 bins (m1_stevenson2011 at 20 ms): 1 s windows, context 5 + 4 bins.
  void windowCentredOnTheCursorInTheMiddle() {
    const WindowPolicy policy{50, 5};
    const AttributionWindow window = chooseWindow(1, 39469, 0, 1000, policy, 5, 4);
    QCOMPARE(window.trial, std::size_t{0});
    QCOMPARE(window.targetBegin, std::size_t{975});
    QCOMPARE(window.targetEnd, std::size_t{1025});
    QCOMPARE(window.inputBegin, std::size_t{970});
    QCOMPARE(window.inputEnd, std::size_t{1029});
    // Within the stride the window stays (cached), a stride further it moves by the stride.
    QCOMPARE(chooseWindow(1, 39469, 0, 1001, policy, 5, 4), window);
    QCOMPARE(chooseWindow(1, 39469, 0, 1002, policy, 5, 4), window);
    QCOMPARE(chooseWindow(1, 39469, 0, 1005, policy, 5, 4).targetBegin, std::size_t{980});
    // Stride 1: exactly centred.
    QCOMPARE(chooseWindow(1, 39469, 0, 1003, WindowPolicy{50, 1}, 5, 4).targetBegin, std::size_t{978});
  }

  void windowAtTheEdgesStaysInsideTheTrial() {
    const WindowPolicy policy{50, 5};
    const AttributionWindow first = chooseWindow(1, 39469, 0, 0, policy, 5, 4);
    QCOMPARE(first.targetBegin, std::size_t{0});
    QCOMPARE(first.targetEnd, std::size_t{50});
    QCOMPARE(first.inputBegin, std::size_t{0});  // clipped: nothing before bin 0
    QCOMPARE(first.inputEnd, std::size_t{54});
    QCOMPARE(chooseWindow(1, 39469, 0, 24, policy, 5, 4), first);
    const AttributionWindow last = chooseWindow(1, 39469, 0, 39468, policy, 5, 4);
    QCOMPARE(last.targetEnd, std::size_t{39469});
    QCOMPARE(last.targetBegin, std::size_t{39419});
    QCOMPARE(last.inputBegin, std::size_t{39414});
    QCOMPARE(last.inputEnd, std::size_t{39469});  // clipped at the end
    // A cursor past the end is clamped into the trial.
    QCOMPARE(chooseWindow(1, 39469, 0, 100000, policy, 5, 4), last);
  }

  // pmd_reach_yu2009 at 20 ms: 210 trials of 20 bins, shorter than 1 s: the window is the whole trial.
  void trialShorterThanTheWindowIsAttributedWhole() {
    const WindowPolicy policy = windowPolicyFor(1000.0, 20.0);
    for (std::size_t cursor : {0U, 7U, 19U}) {
      const AttributionWindow window = chooseWindow(210, 20, 12, cursor, policy, 0, 0);
      QCOMPARE(window.trial, std::size_t{12});
      QCOMPARE(window.targetBegin, std::size_t{0});
      QCOMPARE(window.targetEnd, std::size_t{20});
      QCOMPARE(window.inputBegin, std::size_t{0});
      QCOMPARE(window.inputEnd, std::size_t{20});
    }
    QVERIFY_THROWS_EXCEPTION(InputError, (void)chooseWindow(210, 20, 210, 0, policy, 0, 0));
    QVERIFY_THROWS_EXCEPTION(InputError, (void)chooseWindow(0, 20, 0, 0, policy, 0, 0));
    QVERIFY_THROWS_EXCEPTION(InputError, (void)chooseWindow(1, 20, 0, 0, WindowPolicy{0, 1}, 0, 0));
  }

  void optionsKeyFollowsWhatChangesTheResult() {
    AttributionOptions a;
    AttributionOptions b = a;
    QCOMPARE(optionsKey(a), optionsKey(b));
    b.steps = 32;
    QVERIFY(optionsKey(a) != optionsKey(b));
    b = a;
    b.baseline = AttributionBaseline::Mean;
    QVERIFY(optionsKey(a) != optionsKey(b));
    b = a;
    b.method = AttributionMethod::Saliency;
    QVERIFY(optionsKey(a) != optionsKey(b));
    b = a;
    b.autoSteps = true;
    QVERIFY(optionsKey(a) != optionsKey(b));
    b = a;
    b.threads = 3;  // how it runs, not what it gives
    QCOMPARE(optionsKey(a), optionsKey(b));
  }

  void cacheHitsMissesAndLeastRecentlyUsed() {
    WindowAttributionCache cache(2);
    const std::string opts = optionsKey(AttributionOptions{});
    QVERIFY(!cache.setContext("pmd", "gru#1", opts));
    const WindowPolicy policy{50, 5};
    const AttributionWindow w1 = chooseWindow(1, 1000, 0, 100, policy, 5, 4);
    const AttributionWindow w2 = chooseWindow(1, 1000, 0, 200, policy, 5, 4);
    const AttributionWindow w3 = chooseWindow(1, 1000, 0, 300, policy, 5, 4);
    QVERIFY(cache.find(keyOf("pmd", "gru#1", opts, w1)) == nullptr);
    QCOMPARE(cache.misses(), std::size_t{1});
    QVERIFY(cache.insert(keyOf("pmd", "gru#1", opts, w1), resultFor(w1)));
    QVERIFY(cache.insert(keyOf("pmd", "gru#1", opts, w2), resultFor(w2)));
    const auto hit = cache.find(keyOf("pmd", "gru#1", opts, w1));
    QVERIFY(hit != nullptr);
    QCOMPARE(hit->window, w1);
    QCOMPARE(cache.hits(), std::size_t{1});
    // w1 was used last: w2 goes when w3 comes.
    QVERIFY(cache.insert(keyOf("pmd", "gru#1", opts, w3), resultFor(w3)));
    QCOMPARE(cache.size("pmd"), std::size_t{2});
    QVERIFY(cache.find(keyOf("pmd", "gru#1", opts, w2)) == nullptr);
    QVERIFY(cache.find(keyOf("pmd", "gru#1", opts, w1)) != nullptr);
    QVERIFY(cache.find(keyOf("pmd", "gru#1", opts, w3)) != nullptr);
    QCOMPARE(cache.hits(), std::size_t{3});
    QCOMPARE(cache.misses(), std::size_t{2});
    // Another trial is another window.
    AttributionWindow other = w1;
    other.trial = 1;
    QVERIFY(cache.find(keyOf("pmd", "gru#1", opts, other)) == nullptr);
  }

  void cacheIsPerPairAndDroppedOnANewModelOrNewOptions() {
    WindowAttributionCache cache;
    const std::string opts = optionsKey(AttributionOptions{});
    AttributionOptions more;
    more.steps = 64;
    const std::string optsMore = optionsKey(more);
    const AttributionWindow w = chooseWindow(210, 20, 3, 0, WindowPolicy{50, 5}, 0, 0);
    cache.setContext("pmd", "gru#1", opts);
    cache.setContext("m1", "conv#1", opts);
    QVERIFY(cache.insert(keyOf("pmd", "gru#1", opts, w), resultFor(w)));
    QVERIFY(cache.insert(keyOf("m1", "conv#1", opts, w), resultFor(w)));
    // The same context again drops nothing.
    QVERIFY(!cache.setContext("pmd", "gru#1", opts));
    QVERIFY(cache.find(keyOf("pmd", "gru#1", opts, w)) != nullptr);
    // New options for pmd: its results go, m1's stay.
    QVERIFY(cache.setContext("pmd", "gru#1", optsMore));
    QCOMPARE(cache.size("pmd"), std::size_t{0});
    QVERIFY(cache.find(keyOf("pmd", "gru#1", opts, w)) == nullptr);
    QVERIFY(cache.find(keyOf("m1", "conv#1", opts, w)) != nullptr);
    // A result computed under the old options (a job that finished late) is refused.
    QVERIFY(!cache.insert(keyOf("pmd", "gru#1", opts, w), resultFor(w)));
    QVERIFY(cache.insert(keyOf("pmd", "gru#1", optsMore, w), resultFor(w)));
    // A new model for m1 drops m1's results.
    QVERIFY(cache.setContext("m1", "conv#2", opts));
    QVERIFY(cache.find(keyOf("m1", "conv#1", opts, w)) == nullptr);
    QVERIFY(cache.find(keyOf("m1", "conv#2", opts, w)) == nullptr);
    QVERIFY(!cache.insert(keyOf("m1", "conv#1", opts, w), resultFor(w)));
    QCOMPARE(cache.size("pmd"), std::size_t{1});
    cache.clear();
    QCOMPARE(cache.size("pmd"), std::size_t{0});
  }

  void unitMeansOverTheWholeRecording() {
    FloatArray counts({2, 3, 2});
    for (std::size_t i = 0; i < counts.size(); ++i) counts.values()[i] = static_cast<float>(i);
    const std::vector<float> means = unitMeans(counts);
    QCOMPARE(means.size(), std::size_t{2});
    QCOMPARE(means[0], 5.0F);  // 0 2 4 6 8 10
    QCOMPARE(means[1], 6.0F);  // 1 3 5 7 9 11
  }
};

QTEST_GUILESS_MAIN(TestWindowAttribution)
#include "test_window_attribution.moc"
