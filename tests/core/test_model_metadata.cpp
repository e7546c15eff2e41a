// Model::readMetadata (issue 18, sensible defaults): a model's neurolens.json read from the archive without loading
// or running the module, as the CLI does for the default of --bin-ms before a study loads the model. It equals what
// Model::load reads, gives nothing for a model without metadata keys, and refuses what load refuses, in load's words.
#include <QtCore/QProcess>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>
#include <fstream>
#include <string>

#include "neurolens/core/errors.h"
#include "neurolens/core/model.h"

using neurolens::InputError;
using neurolens::Model;
using neurolens::ModelMetadata;

namespace {
std::string committed(const char* name) { return std::string(NEUROLENS_SOURCE_DIR) + "/tests/data/models/" + name; }

// The InputError text of `call`, or "" when it throws none.
template <typename Call>
std::string inputError(Call call) {
  try {
    call();
  } catch (const InputError& e) {
    return e.what();
  }
  return {};
}
}  // namespace

class TestModelMetadata : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  std::string path(const char* name) const { return (dir_.path() + "/" + name).toStdString(); }

 private Q_SLOTS:
  void equalsWhatLoadReads() {
    for (const char* name : {"poyo_m1.pt", "attr_gru.pt"}) {
      const ModelMetadata read = Model::readMetadata(committed(name));
      const ModelMetadata loaded = Model::load(committed(name)).metadata();
      QCOMPARE(read.json, loaded.json);
      QCOMPARE(read.binMs, loaded.binMs);
      QCOMPARE(read.units, loaded.units);
      QCOMPARE(read.latents, loaded.latents);
      QCOMPARE(read.name, loaded.name);
    }
    QCOMPARE(Model::readMetadata(committed("poyo_m1.pt")).binMs, std::optional<double>(50.0));
    QVERIFY(!Model::readMetadata(committed("attr_gru.pt")).binMs);  // its metadata gives no bin size
  }

  void refusesWhatLoadRefuses() {
    QVERIFY(dir_.isValid());
    std::ofstream(path("notes.pt")) << "not a model\n";
    const std::string notZip = inputError([&] { (void)Model::readMetadata(path("notes.pt")); });
    QVERIFY2(notZip.find("not a TorchScript file") != std::string::npos, notZip.c_str());
    QVERIFY2(notZip.find("notes.pt") != std::string::npos, notZip.c_str());
    const std::string missing = inputError([&] { (void)Model::readMetadata(path("absent.pt")); });
    QVERIFY2(missing.find("does not exist") != std::string::npos, missing.c_str());
    const std::string folder = inputError([&] { (void)Model::readMetadata(dir_.path().toStdString()); });
    QVERIFY2(folder.find("is a folder") != std::string::npos, folder.c_str());
  }

  void readsNoModule() {
    // An archive holding only a version record and the metadata: no code, so load fails; the metadata still reads.
    QProcess python;
    python.start(NEUROLENS_TEST_PYTHON,
                 {"-c",
                  "import sys, zipfile\n"
                  "with zipfile.ZipFile(sys.argv[1], 'w') as z:\n"
                  "    z.writestr('m/version', '3\\n')\n"
                  "    z.writestr('m/extra/neurolens.json', '{\"bin_ms\": 12.5, \"units\": 7}')\n",
                  QString::fromStdString(path("metadata_only.pt"))});
    QVERIFY(python.waitForFinished(60000));
    QVERIFY2(python.exitCode() == 0, python.readAllStandardError().constData());
    const ModelMetadata read = Model::readMetadata(path("metadata_only.pt"));
    QCOMPARE(read.binMs, std::optional<double>(12.5));
    QCOMPARE(read.units, std::optional<std::int64_t>(7));
    QVERIFY(!inputError([&] { (void)Model::load(path("metadata_only.pt")); }).empty());
  }
};

QTEST_GUILESS_MAIN(TestModelMetadata)
#include "test_model_metadata.moc"
