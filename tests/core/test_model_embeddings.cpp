// Model::unitEmbeddings (issue 18 step 4): a model's learned unit vocabulary, read from its
// unit_embeddings(session) method or a "unit_embeddings" output key, per bound session; models without one give
// nullopt; wrong shapes and non-finite values are InputErrors naming the file. Models from
// tests/cli/python/make_embedding_models.py (40 units of four types, d = 6).
#include <QtCore/QProcess>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>
#include <cmath>
#include <fstream>
#include <vector>

#include "neurolens/core/errors.h"
#include "neurolens/core/model.h"

using neurolens::FloatArray;
using neurolens::InputError;
using neurolens::Model;

class TestModelEmbeddings : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir dir_;
  std::vector<float> expected_;
  std::string path(const char* name) const { return (dir_.path() + "/" + name).toStdString(); }

  // The InputError's text, or empty when nothing is thrown.
  static QString errorOf(const std::string& file) {
    try {
      (void)Model::load(file).unitEmbeddings();
    } catch (const InputError& e) {
      return QString::fromStdString(e.what());
    }
    return {};
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    QProcess maker;
    maker.start(QStringLiteral(NEUROLENS_TEST_PYTHON),
                {QStringLiteral(NEUROLENS_SOURCE_DIR "/tests/cli/python/make_embedding_models.py"), dir_.path()});
    QVERIFY(maker.waitForFinished(120000));
    const QString errors = QString::fromUtf8(maker.readAllStandardError());
    if (maker.exitCode() == 77) QSKIP(qPrintable("torch/numpy missing from NEUROLENS_TEST_PYTHON: " + errors));
    QVERIFY2(maker.exitCode() == 0, qPrintable(errors));
    expected_.resize(40 * 6);
    std::ifstream in(path("embed.f32"), std::ios::binary);
    in.read(reinterpret_cast<char*>(expected_.data()), static_cast<std::streamsize>(expected_.size() * sizeof(float)));
    QVERIFY(static_cast<bool>(in));
  }

  void methodGivesTheTable() {
    const auto embeddings = Model::load(path("embed.pt")).unitEmbeddings();
    QVERIFY(embeddings.has_value());
    QCOMPARE(embeddings->shape(), (std::vector<std::size_t>{40, 6}));
    for (std::size_t i = 0; i < expected_.size(); ++i) QCOMPARE(embeddings->values()[i], expected_[i]);
  }

  void outputKeyGivesTheTable() {
    const auto embeddings = Model::load(path("embed_key.pt")).unitEmbeddings();
    QVERIFY(embeddings.has_value());
    QCOMPARE(embeddings->shape(), (std::vector<std::size_t>{40, 6}));
    for (std::size_t i = 0; i < expected_.size(); ++i) QCOMPARE(embeddings->values()[i], expected_[i]);
  }

  // A multi-session model gives the bound session's embeddings (session 1 returns the table negated).
  void boundSessionsEmbeddings() {
    const Model model = Model::load(path("embed_sessions.pt"));
    neurolens::BinnedRecording recording;
    recording.identifier = "second";
    const auto second = model.forRecording(recording).unitEmbeddings();
    const auto first = model.forRecording(recording, "first").unitEmbeddings();
    QVERIFY(first.has_value() && second.has_value());
    QCOMPARE(second->shape(), (std::vector<std::size_t>{40, 6}));
    for (std::size_t i = 0; i < expected_.size(); ++i) {
      QCOMPARE(first->values()[i], expected_[i]);
      QCOMPARE(second->values()[i], -expected_[i]);
    }
  }

  void modelWithoutEmbeddingsGivesNone() { QVERIFY(!Model::load(path("plain.pt")).unitEmbeddings().has_value()); }

  void wrongRowsNameTheFileAndShape() {
    const QString error = errorOf(path("embed_rows.pt"));
    QVERIFY2(error.contains("embed_rows.pt") && error.contains("[39, 6]") && error.contains("expected [40, d]"),
             qPrintable(error));
  }

  void nonFiniteValuesNameTheFileAndRow() {
    const QString error = errorOf(path("embed_nan.pt"));
    QVERIFY2(error.contains("embed_nan.pt") && error.contains("NaN") && error.contains("row 20"), qPrintable(error));
  }

  void plainErrorsAreNotRaisedForGoodModels() {
    QVERIFY(errorOf(path("embed.pt")).isEmpty());
    QVERIFY(errorOf(path("plain.pt")).isEmpty());
  }
};

QTEST_GUILESS_MAIN(TestModelEmbeddings)
#include "test_model_embeddings.moc"
