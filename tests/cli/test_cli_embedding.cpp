// Unit embeddings through neurolens-cli (issue 18 step 4): `info MODEL` reports their dimension, and
// `link --profile embedding` uses a model's own unit embeddings as the unit profiles. On the demo recording
// (unit column cell_type, four types) with models from tests/cli/python/make_embedding_models.py: embeddings
// planted by the true types separate them (type_accuracy above the 95th percentile of a shuffled-label null,
// computed here with core's runLink on the written profiles), embeddings planted by shuffled types do not, and
// models without embeddings or with broken ones are exit 3 with an error naming the file.
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>
#include <algorithm>
#include <cmath>
#include <fstream>
#include <random>

#include "cli_runner.h"
#include "neurolens/core/link.h"
#include "neurolens/io/results_store.h"

namespace {

using neurolens::test::ProcessResult;

ProcessResult cli(const QStringList& arguments) { return neurolens::test::runCli(arguments, 300000); }
QJsonObject json(const QString& text) { return neurolens::test::parseJson(text); }

struct LinkRun {
  double accuracy = 0.0;
  double null95 = 0.0;
};

}  // namespace

class TestCliEmbedding : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir dir_;
  QString path(const QString& name) const { return dir_.path() + "/" + name; }
  int units_ = 0;

  // link --profile embedding, then the accuracy of the same profiles under 200 shuffles of the type labels.
  LinkRun linkWithNull(const QString& model) {
    const QString out = path(model + ".h5");
    const auto r =
        cli({"link", "--json", "--quiet", "--profile", "embedding", "--model", path(model + ".pt"), "--unit-column",
             "cell_type", "--permutations", "200", "--seed", "3", "--out", out, path("demo.nwb")});
    if (r.exitCode != 0) qFatal("link failed: %s", qPrintable(r.err));
    const QJsonObject o = json(r.out);
    const neurolens::io::ResultsReader file(out.toStdString());
    const neurolens::FloatArray profiles = file.readArray("/profiles");
    std::vector<std::string> types = file.readStrings("/unit_types");
    Eigen::MatrixXd raw(static_cast<Eigen::Index>(profiles.dim(0)), static_cast<Eigen::Index>(profiles.dim(1)));
    for (Eigen::Index u = 0; u < raw.rows(); ++u)
      for (Eigen::Index d = 0; d < raw.cols(); ++d)
        raw(u, d) = profiles.values()[static_cast<std::size_t>(u * raw.cols() + d)];
    neurolens::LinkOptions options;
    options.permutations = 1;
    options.seed = 3;
    std::mt19937_64 rng(18);
    std::vector<double> null;
    for (int p = 0; p < 200; ++p) {
      std::shuffle(types.begin(), types.end(), rng);
      null.push_back(neurolens::runLink(raw, raw.cwiseAbs(), types, options).typeAccuracy);
    }
    std::sort(null.begin(), null.end());
    LinkRun run;
    run.accuracy = o["type_accuracy"].toDouble();
    run.null95 = null[static_cast<std::size_t>(0.95 * static_cast<double>(null.size()))];
    qInfo("link --profile embedding, %s: type_accuracy %.3f, shuffled-label null 95th percentile %.3f, chance %.3f",
          qPrintable(model), run.accuracy, run.null95, o["chance"].toDouble());
    if (o["profile"].toString() != "embedding" || o["latents"].toInt() != 6 || o["units"].toInt() != units_)
      qFatal("unexpected link JSON: %s", qPrintable(r.out));
    return run;
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    QVERIFY2(QFileInfo(qEnvironmentVariable("NEUROLENS_CLI")).isExecutable(),
             "NEUROLENS_CLI is not set to the program");
    const auto demo = cli({"demo", "--recording-only", "--out", dir_.path()});
    QVERIFY2(demo.exitCode == 0, qPrintable(demo.err));
    const auto made =
        neurolens::test::runProcess(QStringLiteral(NEUROLENS_TEST_PYTHON),
                                    {QStringLiteral(NEUROLENS_SOURCE_DIR "/tests/cli/python/make_embedding_models.py"),
                                     dir_.path(), path("demo.nwb"), "cell_type"},
                                    300000);
    if (made.exitCode == 77) QSKIP(qPrintable("torch/h5py missing from NEUROLENS_TEST_PYTHON: " + made.err));
    QVERIFY2(made.exitCode == 0, qPrintable(made.err));
    units_ = made.out.trimmed().toInt();
    QCOMPARE(units_, 150);
  }

  void infoReportsTheDimension() {
    const auto with = cli({"info", "--json", path("embed.pt")});
    QVERIFY2(with.exitCode == 0, qPrintable(with.err));
    QCOMPARE(json(with.out)["unit_embeddings"].toInt(), 6);
    const auto key = cli({"info", path("embed_key.pt")});
    QVERIFY2(key.out.contains("unit_embeddings: 6"), qPrintable(key.out));
    const auto without = cli({"info", "--json", path("plain.pt")});
    QVERIFY2(without.exitCode == 0, qPrintable(without.err));
    QVERIFY(json(without.out)["unit_embeddings"].isNull());
    QVERIFY(cli({"info", path("plain.pt")}).out.contains("unit_embeddings: none"));
  }

  void plantedTypesSeparate() {
    const LinkRun run = linkWithNull("embed");
    QVERIFY(run.accuracy > run.null95);
    QVERIFY(run.accuracy >= 0.9);
    // The profiles are the planted embeddings, normalised per unit.
    const neurolens::io::ResultsReader file(path("embed.h5").toStdString());
    const neurolens::FloatArray profiles = file.readArray("/profiles");
    std::vector<float> planted(static_cast<std::size_t>(units_) * 6);
    std::ifstream in(path("embed.f32").toStdString(), std::ios::binary);
    in.read(reinterpret_cast<char*>(planted.data()), static_cast<std::streamsize>(planted.size() * sizeof(float)));
    QVERIFY(static_cast<bool>(in));
    double worst = 0.0;
    for (std::size_t u = 0; u < static_cast<std::size_t>(units_); ++u) {
      double norm = 0.0;
      for (std::size_t d = 0; d < 6; ++d) norm += double(planted[u * 6 + d]) * planted[u * 6 + d];
      for (std::size_t d = 0; d < 6; ++d)
        worst = std::max(worst, std::abs(profiles.values()[u * 6 + d] - planted[u * 6 + d] / std::sqrt(norm)));
    }
    QVERIFY2(worst < 1e-5, qPrintable(QString("largest profile difference %1").arg(worst)));
  }

  void outputKeyGivesTheSameLink() {
    const LinkRun method = linkWithNull("embed");
    const LinkRun key = linkWithNull("embed_key");
    QCOMPARE(key.accuracy, method.accuracy);
  }

  void shuffledTypesDoNotSeparate() {
    const LinkRun run = linkWithNull("embed_shuffled");
    QVERIFY(run.accuracy <= run.null95);
  }

  void modelsWithoutGoodEmbeddingsExitThree() {
    const auto plain = cli({"link", "--quiet", "--profile", "embedding", "--model", path("plain.pt"), "--unit-column",
                            "cell_type", "--out", path("never.h5"), path("demo.nwb")});
    QCOMPARE(plain.exitCode, 3);
    QVERIFY2(
        plain.err.startsWith("error: ") && plain.err.contains("plain.pt") && plain.err.contains("no unit embeddings"),
        qPrintable(plain.err));
    QVERIFY(!QFile::exists(path("never.h5")));
    const auto nan = cli({"link", "--quiet", "--profile", "embedding", "--model", path("embed_nan.pt"), "--unit-column",
                          "cell_type", path("demo.nwb")});
    QCOMPARE(nan.exitCode, 3);
    QVERIFY2(nan.err.contains("embed_nan.pt") && nan.err.contains("NaN"), qPrintable(nan.err));
    const auto rows = cli({"link", "--quiet", "--profile", "embedding", "--model", path("embed_rows.pt"),
                           "--unit-column", "cell_type", path("demo.nwb")});
    QCOMPARE(rows.exitCode, 3);
    QVERIFY2(rows.err.contains("embed_rows.pt") && rows.err.contains("[149, 6]"), qPrintable(rows.err));
  }
};

QTEST_GUILESS_MAIN(TestCliEmbedding)
#include "test_cli_embedding.moc"
