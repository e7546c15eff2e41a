// `neurolens-cli link`: on the demo recording (unit column cell_type) with a
// planted linear model whose units load on one random direction per type (both
// signs, rotated latent basis, tests/core/python/link_reference_model.py): the
// profiles equal the model's normalised weights (integrated gradients are exact
// for a linear model), types are recovered, and the contract's outputs exist.
// Then the same with the bundled demo model (`neurolens-cli demo`) on the whole
// demo recording, as a user would run it.
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>
#include <cmath>
#include <fstream>

#include "cli_runner.h"
#include "neurolens/io/results_store.h"

namespace {

using neurolens::test::ProcessResult;

ProcessResult run(const QString& program, const QStringList& arguments) {
  return neurolens::test::runProcess(program, arguments, 300000);
}
ProcessResult cli(const QStringList& arguments) { return neurolens::test::runCli(arguments, 300000); }
QJsonObject json(const QString& text) { return neurolens::test::parseJson(text); }

}  // namespace

class TestCliLink : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir dir_;
  QString path(const QString& name) const { return dir_.path() + "/" + name; }
  int units_ = 0;

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    QVERIFY2(QFileInfo(qEnvironmentVariable("NEUROLENS_CLI")).isExecutable(),
             "NEUROLENS_CLI is not set to the program");
    const auto demo = cli({"demo", "--recording-only", "--out", dir_.path()});
    QVERIFY2(demo.exitCode == 0, qPrintable(demo.err));
    const auto made = run(QStringLiteral(NEUROLENS_TEST_PYTHON),
                          {QStringLiteral(NEUROLENS_SOURCE_DIR "/tests/core/python/link_reference_model.py"),
                           path("demo.nwb"), "cell_type", dir_.path()});
    if (made.exitCode == 77) QSKIP(qPrintable("torch/h5py missing from NEUROLENS_TEST_PYTHON: " + made.err));
    QVERIFY2(made.exitCode == 0, qPrintable(made.err));
    units_ = made.out.trimmed().toInt();
    QVERIFY(units_ > 0);
  }

  void plantedTypesAreRecovered() {
    const auto r =
        cli({"link", "--json", "--quiet", "--model", path("model.pt"), "--unit-column", "cell_type", "--permutations",
             "200", "--seed", "3", "--steps", "8", "--window", "0:400", "--out", path("link.h5"), path("demo.nwb")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QCOMPARE(r.out.count('\n'), 1);
    const QJsonObject o = json(r.out);
    for (const char* key : {"types", "type_accuracy", "chance", "abs_accuracy"}) QVERIFY2(o.contains(key), key);
    qInfo("link on the demo with a planted model: type_accuracy %.3f, abs_accuracy %.3f, chance %.3f",
          o["type_accuracy"].toDouble(), o["abs_accuracy"].toDouble(), o["chance"].toDouble());
    QCOMPARE(o["types"].toArray().size(), 4);
    QVERIFY(o["type_accuracy"].toDouble() >= 0.9);
    QVERIFY(o["type_accuracy"].toDouble() > o["chance"].toDouble() + 0.3);

    const neurolens::io::ResultsReader file(path("link.h5").toStdString());
    const neurolens::FloatArray profiles = file.readArray("/profiles");
    QCOMPARE(profiles.shape(), (std::vector<std::size_t>{static_cast<std::size_t>(units_), 8}));
    QCOMPARE(file.readArray("/association").shape(), (std::vector<std::size_t>{4, 8}));
    QCOMPARE(file.readArray("/p_values").shape(), (std::vector<std::size_t>{4, 8}));
    // Profiles equal the normalised weights (units that never fired in the window have none).
    std::vector<double> expected(static_cast<std::size_t>(units_) * 8);
    std::ifstream in(path("expected_profiles.f64").toStdString(), std::ios::binary);
    in.read(reinterpret_cast<char*>(expected.data()), static_cast<std::streamsize>(expected.size() * sizeof(double)));
    QVERIFY(static_cast<bool>(in));
    double worst = 0.0;
    int compared = 0;
    for (std::size_t u = 0; u < static_cast<std::size_t>(units_); ++u) {
      double norm = 0.0;
      for (std::size_t d = 0; d < 8; ++d) norm += profiles.values()[u * 8 + d] * profiles.values()[u * 8 + d];
      if (norm == 0.0) continue;
      ++compared;
      for (std::size_t d = 0; d < 8; ++d)
        worst = std::max(worst, std::abs(profiles.values()[u * 8 + d] - expected[u * 8 + d]));
    }
    QVERIFY(compared > units_ / 2);
    QVERIFY2(worst < 1e-3, qPrintable(QString("largest profile difference %1").arg(worst)));
  }

  void demoModelRecoversTheDemosTypes() {
    const QString demoDir = path("with_model");
    const auto demo = cli({"demo", "--quiet", "--out", demoDir});
    QVERIFY2(demo.exitCode == 0, qPrintable(demo.err));
    if (!QFileInfo::exists(demoDir + "/demo_model.pt")) QSKIP("this build has no bundled demo model");
    // All 320 trials; 4 Gauss-Legendre steps suffice for profiles of this smooth model
    // (tests/core/test_link.cpp checks 16 steps and completeness; 50 is the default).
    const auto r = cli({"link", "--json", "--quiet", "--device", "cpu", "--model", demoDir + "/demo_model.pt",
                        "--unit-column", "cell_type", "--permutations", "200", "--seed", "3", "--steps", "4", "--out",
                        path("demo_link.h5"), demoDir + "/demo.nwb"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QJsonObject o = json(r.out);
    qInfo("link, bundled demo model on the whole demo: type_accuracy %.3f, abs_accuracy %.3f, chance %.3f, %.1f s",
          o["type_accuracy"].toDouble(), o["abs_accuracy"].toDouble(), o["chance"].toDouble(), o["seconds"].toDouble());
    QCOMPARE(o["units"].toInt(), 150);
    QVERIFY(o["type_accuracy"].toDouble() >= 0.9);
    QVERIFY(o["type_accuracy"].toDouble() > o["chance"].toDouble() + 0.5);
    const neurolens::io::ResultsReader file(path("demo_link.h5").toStdString());
    QCOMPARE(file.readArray("/association").shape(), (std::vector<std::size_t>{4, 8}));
  }

  void badColumnExitsThree() {
    const auto r = cli({"link", "--quiet", "--model", path("model.pt"), "--unit-column", "no_such_column", "--out",
                        path("never.h5"), path("demo.nwb")});
    QCOMPARE(r.exitCode, 3);
    QVERIFY(r.err.startsWith("error: "));
    QVERIFY(!QFile::exists(path("never.h5")));
    QCOMPARE(cli({"link", "--model", path("model.pt"), path("demo.nwb")}).exitCode, 2);  // --unit-column required
  }
};

QTEST_GUILESS_MAIN(TestCliLink)
#include "test_cli_link.moc"
