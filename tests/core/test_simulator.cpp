// The demo simulator: repeatable from its seed, and the structure it plants is
// really in the spikes (counted here directly from the spike times, not with the
// project's binning), in the tables and in the behaviour.
#include <QtTest/QtTest>
#include <algorithm>
#include <cmath>
#include <map>

#include "neurolens/core/simulator.h"

using namespace neurolens;

namespace {

// Spike counts of each unit in [start + from, start + to) of every trial: [trials][units].
std::vector<std::vector<double>> windowCounts(const Recording& rec, double from, double to) {
  const auto& starts = rec.trials->find("start_time")->numbers();
  std::vector<std::vector<double>> counts(starts.size(), std::vector<double>(rec.spikes.units(), 0.0));
  for (std::size_t u = 0; u < rec.spikes.units(); ++u) {
    const auto begin = rec.spikes.times.begin() + static_cast<std::ptrdiff_t>(rec.spikes.begin(u));
    const auto end = rec.spikes.times.begin() + static_cast<std::ptrdiff_t>(rec.spikes.end[u]);
    for (std::size_t t = 0; t < starts.size(); ++t) {
      const auto lo = std::lower_bound(begin, end, starts[t] + from);
      const auto hi = std::lower_bound(begin, end, starts[t] + to);
      counts[t][u] = static_cast<double>(hi - lo);
    }
  }
  return counts;
}

// One-way ANOVA F statistic of one unit's counts grouped by condition.
double anovaF(const std::vector<std::vector<double>>& counts, std::size_t unit,
              const std::vector<std::string>& condition) {
  std::map<std::string, std::vector<double>> groups;
  double grand = 0.0;
  for (std::size_t t = 0; t < counts.size(); ++t) {
    groups[condition[t]].push_back(counts[t][unit]);
    grand += counts[t][unit];
  }
  grand /= static_cast<double>(counts.size());
  double between = 0.0;
  double within = 0.0;
  for (const auto& [label, values] : groups) {
    double mean = 0.0;
    for (double v : values) mean += v;
    mean /= static_cast<double>(values.size());
    between += static_cast<double>(values.size()) * (mean - grand) * (mean - grand);
    for (double v : values) within += (v - mean) * (v - mean);
  }
  const double k = static_cast<double>(groups.size());
  const double n = static_cast<double>(counts.size());
  return (between / (k - 1.0)) / std::max(within / (n - k), 1e-12);
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

class TestSimulator : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void sameSeedSameDemo() {
    DemoOptions small;
    small.trialsPerCondition = 5;
    small.seed = 42;
    const DemoData a = simulateDemo(small);
    const DemoData b = simulateDemo(small);
    QVERIFY(a.recording.spikes.times == b.recording.spikes.times);
    QVERIFY(a.recording.spikes.end == b.recording.spikes.end);
    QVERIFY(a.recording.trials->find("condition")->texts() == b.recording.trials->find("condition")->texts());
    QVERIFY(a.recording.behavior[0].data == b.recording.behavior[0].data);
    small.seed = 43;
    const DemoData c = simulateDemo(small);
    QVERIFY(a.recording.spikes.times != c.recording.spikes.times);
  }

  void layoutAsDocumented() {
    const DemoData demo = simulateDemo();
    const Recording& rec = demo.recording;
    QCOMPARE(rec.spikes.units(), std::size_t{150});
    QCOMPARE(rec.unitIds.size(), std::size_t{150});
    QVERIFY(rec.trials.has_value());
    QCOMPARE(rec.trials->rows(), std::size_t{320});
    QCOMPARE(rec.trialIds.size(), std::size_t{320});
    const auto& start = rec.trials->find("start_time")->numbers();
    const auto& stop = rec.trials->find("stop_time")->numbers();
    const auto& condition = rec.trials->find("condition")->texts();
    const auto& angle = rec.trials->find("target_angle")->numbers();
    std::map<std::string, int> perCondition;
    for (std::size_t t = 0; t < start.size(); ++t) {
      QVERIFY(std::abs(stop[t] - start[t] - 1.0) < 1e-9);
      if (t > 0) QVERIFY(start[t] > stop[t - 1] + 0.1);  // gaps between trials
      QCOMPARE(QString::fromStdString(condition[t]),
               QString("reach_%1").arg(static_cast<int>(std::lround(angle[t])), 3, 10, QChar('0')));
      ++perCondition[condition[t]];
    }
    QCOMPARE(perCondition.size(), std::size_t{8});
    for (const auto& [label, n] : perCondition) QCOMPARE(n, 40);
    QCOMPARE(QString::fromStdString(condition.front()).left(6), QString("reach_"));

    std::map<std::string, int> types;
    for (const auto& type : rec.units.find("cell_type")->texts()) ++types[type];
    QCOMPARE(types.size(), std::size_t{4});
    QVERIFY(types["rotational"] > 0 && types["ramping"] > 0 && types["tuned"] > 0 && types["untuned"] > 0);

    // Continuous spike times, sorted per unit, inside the session; not on a bin grid.
    std::size_t offGrid = 0;
    for (std::size_t u = 0; u < rec.spikes.units(); ++u)
      for (auto i = rec.spikes.begin(u); i < rec.spikes.end[u]; ++i) {
        const double time = rec.spikes.times[i];
        QVERIFY(time >= 0.0 && time <= stop.back() + 1.0);
        if (i > rec.spikes.begin(u)) QVERIFY(time >= rec.spikes.times[i - 1]);
        if (std::abs(time * 50.0 - std::round(time * 50.0)) > 1e-6) ++offGrid;
      }
    QVERIFY(offGrid > rec.spikes.times.size() * 999 / 1000);  // a few land near a grid point by chance

    const BehaviorSeries* velocity = rec.findBehavior("hand_vel");
    QVERIFY(velocity);
    QCOMPARE(velocity->dims, std::size_t{2});
    QCOMPARE(velocity->data.size(), velocity->samples() * 2);
  }

  void loadingsOnlyOnOwnLatents() {
    const DemoData demo = simulateDemo();
    const auto& type = demo.recording.units.find("cell_type")->texts();
    // latents: rot1 rot2 ramp dir_x dir_y
    const std::map<std::string, std::vector<int>> own{
        {"rotational", {0, 1}}, {"ramping", {2}}, {"tuned", {3, 4}}, {"untuned", {}}};
    std::map<std::string, std::pair<int, int>> signs;  // type -> (positive, negative) loadings
    for (std::size_t u = 0; u < type.size(); ++u)
      for (int d = 0; d < 5; ++d) {
        const float w = demo.loadings.values()[u * 5 + static_cast<std::size_t>(d)];
        const auto& mine = own.at(type[u]);
        if (std::find(mine.begin(), mine.end(), d) == mine.end()) {
          QCOMPARE(w, 0.0F);
        } else {
          (w > 0 ? signs[type[u]].first : signs[type[u]].second)++;
        }
      }
    for (const char* t : {"rotational", "ramping", "tuned"})
      QVERIFY2(signs[t].first > 3 && signs[t].second > 3, t);  // both signs within each type
  }

  void plantedStructureIsInTheSpikes() {
    const DemoData demo = simulateDemo();
    const Recording& rec = demo.recording;
    const auto& type = rec.units.find("cell_type")->texts();
    const auto& condition = rec.trials->find("condition")->texts();
    // Around the movement (0.4-0.75 s) tuned units' counts depend on the reach; untuned never do.
    const auto movement = windowCounts(rec, 0.4, 0.75);
    std::map<std::string, std::vector<double>> f;
    for (std::size_t u = 0; u < type.size(); ++u) f[type[u]].push_back(anovaF(movement, u, condition));
    QVERIFY2(median(f["tuned"]) > 10.0, qPrintable(QString::number(median(f["tuned"]))));
    QVERIFY2(median(f["rotational"]) > 10.0, qPrintable(QString::number(median(f["rotational"]))));
    const double untunedMax = *std::max_element(f["untuned"].begin(), f["untuned"].end());
    QVERIFY2(untunedMax < 5.0, qPrintable(QString::number(untunedMax)));  // F(7, 312) 99.9th percentile ~ 3.6
    QVERIFY(median(f["ramping"]) < 3.0);                                  // condition-invariant

    // Ramping units change from the first to the last 200 ms, up or down; untuned do not.
    const auto early = windowCounts(rec, 0.0, 0.2);
    const auto late = windowCounts(rec, 0.8, 1.0);
    int rising = 0;
    int falling = 0;
    for (std::size_t u = 0; u < type.size(); ++u) {
      double difference = 0.0;
      for (std::size_t t = 0; t < early.size(); ++t) difference += late[t][u] - early[t][u];
      difference /= static_cast<double>(early.size());
      if (type[u] == "ramping") (difference > 0 ? rising : falling)++;
      if (type[u] == "untuned") QVERIFY(std::abs(difference) < 0.5);
    }
    QVERIFY(rising > 5 && falling > 5);

    // The spikes follow the stated rates: total count in trials within 4 SD of the Poisson expectation.
    double expected = 0.0;
    for (float v : demo.expectedCounts.values()) expected += v;
    const auto whole = windowCounts(rec, 0.0, 1.0);
    double observed = 0.0;
    for (const auto& row : whole)
      for (double v : row) observed += v;
    QVERIFY2(std::abs(observed - expected) < 4.0 * std::sqrt(expected),
             qPrintable(QString("%1 vs %2").arg(observed).arg(expected)));
  }

  void handVelocityFollowsTheTunedPairWithTheLag() {
    const DemoData demo = simulateDemo();
    const Recording& rec = demo.recording;
    const BehaviorSeries& velocity = *rec.findBehavior("hand_vel");
    const auto& start = rec.trials->find("start_time")->numbers();
    const auto& angle = rec.trials->find("target_angle")->numbers();
    const std::size_t bins = demo.latents.dim(1);
    for (std::size_t t : {0, 17, 319}) {
      // peak speed time in the behaviour vs peak of the tuned pair's norm in the latents
      double bestSpeed = -1.0;
      double bestTime = 0.0;
      double vx = 0.0;
      double vy = 0.0;
      for (std::size_t i = 0; i < velocity.samples(); ++i) {
        const double s = velocity.timestamps[i] - start[t];
        if (s < 0.0 || s > 1.2) continue;
        const double speed = std::hypot(velocity.data[2 * i], velocity.data[2 * i + 1]);
        vx += velocity.data[2 * i];
        vy += velocity.data[2 * i + 1];
        if (speed > bestSpeed) {
          bestSpeed = speed;
          bestTime = s;
        }
      }
      double bestNorm = -1.0;
      double latentTime = 0.0;
      for (std::size_t b = 0; b < bins; ++b) {
        const double norm = std::hypot(demo.latents(t, b, 3), demo.latents(t, b, 4));
        if (norm > bestNorm) {
          bestNorm = norm;
          latentTime = (static_cast<double>(b) + 0.5) * 0.02;
        }
      }
      QVERIFY2(std::abs(bestTime - latentTime - 0.1) <= 0.021,
               qPrintable(QString("trial %1: %2 vs %3").arg(t).arg(bestTime).arg(latentTime)));
      // the hand moves towards the target
      const double direction = std::atan2(vy, vx) * 180.0 / M_PI;
      const double error = std::remainder(direction - angle[t], 360.0);
      QVERIFY2(std::abs(error) < 1.0, qPrintable(QString::number(error)));
    }
  }

  void rejectsNonsense() {
    DemoOptions bad;
    bad.trialsPerCondition = 0;
    QVERIFY_THROWS_EXCEPTION(std::exception, (void)simulateDemo(bad));
    QCOMPARE(QString::fromStdString(reachConditionName(45.0)), QString("reach_045"));
    QCOMPARE(QString::fromStdString(reachConditionName(315.0)), QString("reach_315"));
  }
};

QTEST_GUILESS_MAIN(TestSimulator)
#include "test_simulator.moc"
