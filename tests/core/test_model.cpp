// The TorchScript model runner against models saved by this machine's PyTorch
// (tests/core/python/make_test_models.py, run at test start): every output form
// gives PyTorch's own outputs, chunking does not change results, metadata
// mismatches and contract breaches are clear errors, never crashes.
#include <QtTest/QtTest>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "neurolens/core/binning.h"
#include "neurolens/core/errors.h"
#include "neurolens/core/model.h"

using namespace neurolens;
namespace fs = std::filesystem;

namespace {

// Runs `call` and returns the message of the exception of type E it throws ("" if none).
template <typename E, typename F>
QString messageOf(F&& call) {
  try {
    call();
  } catch (const E& e) {
    return QString::fromStdString(e.what());
  }
  return {};
}

float maxAbsDifference(const FloatArray& a, const FloatArray& b) {
  if (a.shape() != b.shape()) return INFINITY;
  float worst = 0.0F;
  for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a.values()[i] - b.values()[i]));
  return worst;
}

}  // namespace

class TestModel : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  fs::path models_;
  nlohmann::json manifest_;

  FloatArray array(const std::string& name) const {
    const auto& shapeJson = manifest_.at("arrays").at(name);
    std::vector<std::size_t> shape;
    for (const auto& n : shapeJson) shape.push_back(n.get<std::size_t>());
    FloatArray out(shape);
    std::ifstream in(models_ / (name + ".f32"), std::ios::binary);
    in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(out.size() * sizeof(float)));
    return out;
  }

  fs::path model(const std::string& name) const { return models_ / (name + ".pt"); }

  BinnedRecording recording(std::size_t units, double binMs = 20.0) const {
    BinnedRecording rec;
    rec.source = "synthetic.nwb";
    rec.binMs = binMs;
    rec.counts = FloatArray({3, 7, units});
    for (std::size_t u = 0; u < units; ++u) rec.unitIds.push_back(static_cast<std::int64_t>(u));
    return rec;
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    models_ = fs::path(dir_.path().toStdString()) / "models";
    QProcess python;
    python.setProcessChannelMode(QProcess::ForwardedChannels);
    python.start(NEUROLENS_TEST_PYTHON, {QString(NEUROLENS_SOURCE_DIR) + "/tests/core/python/make_test_models.py",
                                         QString::fromStdString(models_.string())});
    QVERIFY2(python.waitForFinished(120000), "make_test_models.py did not finish");
    if (python.exitCode() != 0) QSKIP("the test Python has no torch (make_test_models.py failed)");
    std::ifstream in(models_ / "manifest.json");
    manifest_ = nlohmann::json::parse(in);
  }

  void everyOutputFormMatchesPyTorch_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("rates");
    QTest::newRow("tensor") << "tensor" << false;
    QTest::newRow("tuple") << "tuple" << true;
    QTest::newRow("dict with an extra key") << "dict" << true;
    QTest::newRow("dict log_rates") << "dict_log_rates" << true;
    QTest::newRow("dict renamed by metadata") << "dict_renamed" << true;
    QTest::newRow("no metadata (probed)") << "no_metadata" << true;
    QTest::newRow("torch.jit.trace") << "traced" << true;
  }
  void everyOutputFormMatchesPyTorch() {
    QFETCH(QString, name);
    QFETCH(bool, rates);
    const std::string key = name.toStdString();
    const Model m = Model::load(model(key));
    if (key == "no_metadata") {
      QCOMPARE(m.latentCount(), std::int64_t{0});  // unknown until a recording is seen
      m.checkAgainst(recording(5));
    } else {
      QCOMPARE(m.metadata().units.value_or(0), std::int64_t{5});
      QCOMPARE(m.metadata().binMs.value_or(0.0), 20.0);
    }
    QCOMPARE(m.latentCount(), std::int64_t{3});
    QCOMPARE(m.hasRates(), rates);

    RunReport report;
    const ModelOutputs out = m.infer(array("counts"), DeviceChoice::Cpu, {}, &report);
    QCOMPARE(report.device, DeviceChoice::Cpu);
    const FloatArray expectedLatents = array(key + ".latents");
    QCOMPARE(out.latents.shape(), expectedLatents.shape());
    QVERIFY2(maxAbsDifference(out.latents, expectedLatents) < 1e-5F, qPrintable(name));
    QCOMPARE(out.rates.has_value(), rates);
    if (rates) QVERIFY(maxAbsDifference(*out.rates, array(key + ".rates")) < 1e-5F);
  }

  void chunkedEqualsUnchunked() {
    const Model m = Model::load(model("dict"));
    const FloatArray counts = array("counts");
    InferOptions whole;
    whole.device = DeviceChoice::Cpu;
    RunReport wholeReport;
    const ModelOutputs reference = m.infer(counts, whole, {}, &wholeReport);
    QCOMPARE(wholeReport.chunkTrials, counts.dim(0));  // tiny: one pass
    for (std::size_t chunk : {1, 2, 4, 10}) {
      InferOptions options = whole;
      options.maxChunkTrials = chunk;
      std::vector<double> fractions;
      Progress progress([&](double f, const std::string&) {
        fractions.push_back(f);
        return true;
      });
      RunReport report;
      const ModelOutputs out = m.infer(counts, options, progress, &report);
      QCOMPARE(report.chunkTrials, chunk);
      QVERIFY(maxAbsDifference(out.latents, reference.latents) < 1e-6F);
      QVERIFY(maxAbsDifference(*out.rates, *reference.rates) < 1e-6F);
      // 0 at the start, then once per chunk, ending at 1
      QCOMPARE(fractions.size(), 1 + (counts.dim(0) + chunk - 1) / chunk);
      QCOMPARE(fractions.back(), 1.0);
    }
  }

  void cancelStopsBetweenChunks() {
    const Model m = Model::load(model("tuple"));
    InferOptions options;
    options.device = DeviceChoice::Cpu;
    options.maxChunkTrials = 2;
    int calls = 0;
    Progress cancelAfterFirstChunk([&](double, const std::string&) { return ++calls < 2; });
    QVERIFY_THROWS_EXCEPTION(Cancelled, (void)m.infer(array("counts"), options, cancelAfterFirstChunk));
    QCOMPARE(calls, 2);
  }

  void metadataMismatchNamesBothNumbers() {
    const QString units = messageOf<InputError>([&] { Model::load(model("wrong_units")).checkAgainst(recording(5)); });
    QVERIFY2(units.contains("7 units") && units.contains("has 5"), qPrintable(units));
    const QString bins = messageOf<InputError>([&] { Model::load(model("wrong_bin")).checkAgainst(recording(5)); });
    QVERIFY2(bins.contains("10 ms") && bins.contains("20 ms"), qPrintable(bins));
    const QString latents =
        messageOf<InputError>([&] { Model::load(model("wrong_latents")).checkAgainst(recording(5)); });
    QVERIFY2(latents.contains("4 latents") && latents.contains("returns 3"), qPrintable(latents));
    // infer() checks the unit count itself too
    const QString direct = messageOf<InputError>(
        [&] { (void)Model::load(model("wrong_units")).infer(array("counts"), DeviceChoice::Cpu); });
    QVERIFY2(direct.contains("7 units"), qPrintable(direct));
  }

  // Multi-session models (model contract): the session from the recording's identifier or a named one, its own
  // units, forward_session; a recording that matches no session names the sessions the model knows.
  void multiSessionModelsBindToARecording() {
    const Model m = Model::load(model("multi_session"));
    QCOMPARE(m.metadata().sessions.size(), std::size_t{2});
    QCOMPARE(m.metadata().sessions[1].id, std::string("sess_b"));
    QCOMPARE(m.metadata().sessions[1].units.value_or(0), std::int64_t{4});
    QVERIFY(!m.session().has_value());
    BinnedRecording b = recording(4);
    b.identifier = "sess_b";
    for (std::size_t u = 0; u < 4; ++u) b.unitIds[u] = static_cast<std::int64_t>(10 + u);
    const Model boundB = m.forRecording(b);
    QCOMPARE(boundB.session().value_or(99), std::size_t{1});
    boundB.checkAgainst(b);
    QCOMPARE(boundB.metadata().units.value_or(0), std::int64_t{4});
    const ModelOutputs outB = boundB.infer(array("counts_4_units"), DeviceChoice::Cpu);
    QVERIFY(maxAbsDifference(outB.latents, array("multi_session.sess_b.latents")) < 1e-5F);
    // The session named by the user wins over the identifier; forward(x) without a binding is session 0.
    BinnedRecording a = recording(5);
    a.identifier = "something_else";
    const Model boundA = m.forRecording(a, "sess_a");
    QCOMPARE(boundA.session().value_or(99), std::size_t{0});
    const FloatArray expectedA = array("multi_session.sess_a.latents");
    QVERIFY(maxAbsDifference(boundA.infer(array("counts"), DeviceChoice::Cpu).latents, expectedA) < 1e-5F);
    // Errors: no matching session (names them), an unknown --session, units of the other session, --session on a
    // single-session model, sessions in the metadata without forward_session.
    const QString none = messageOf<InputError>([&] { (void)m.forRecording(a); });
    QVERIFY2(none.contains("sess_a, sess_b") && none.contains("something_else") && none.contains("--session"),
             qPrintable(none));
    const QString unknown = messageOf<InputError>([&] { (void)m.forRecording(a, "sess_c"); });
    QVERIFY2(unknown.contains("sess_c") && unknown.contains("sess_a, sess_b"), qPrintable(unknown));
    const QString units = messageOf<InputError>([&] { m.forRecording(a, "sess_b").checkAgainst(a); });
    QVERIFY2(units.contains("expects 4 units") && units.contains("has 5"), qPrintable(units));
    const QString single = messageOf<InputError>([&] { (void)Model::load(model("tuple")).forRecording(a, "x"); });
    QVERIFY2(single.contains("single-session"), qPrintable(single));
    QCOMPARE(&Model::load(model("tuple")).forRecording(a).metadata() != nullptr, true);
    const QString method = messageOf<InputError>([&] { (void)Model::load(model("sessions_without_method")); });
    QVERIFY2(method.contains("forward_session"), qPrintable(method));
  }

  void filesThatAreNotModels() {
    const QString missing = messageOf<InputError>([&] { Model::load(models_ / "absent.pt"); });
    QVERIFY2(missing.contains("absent.pt") && missing.contains("does not exist"), qPrintable(missing));
    const QString folder = messageOf<InputError>([&] { Model::load(models_); });
    QVERIFY2(folder.contains("folder"), qPrintable(folder));
    const QString garbage = messageOf<InputError>([&] { Model::load(model("not_torchscript")); });
    QVERIFY2(garbage.contains("not_torchscript.pt") && garbage.contains("not a TorchScript file"), qPrintable(garbage));
    const QString checkpoint = messageOf<InputError>([&] { Model::load(model("state_dict")); });
    QVERIFY2(checkpoint.contains("state_dict.pt") && checkpoint.contains("torch.save"), qPrintable(checkpoint));
    const QString metadata = messageOf<InputError>([&] { Model::load(model("bad_metadata")); });
    QVERIFY2(metadata.contains("not valid JSON"), qPrintable(metadata));
  }

  void forwardsThatBreakTheContract_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("expected");
    QTest::newRow("expects rank 2") << "wrong_input_rank"
                                    << "self must be a matrix";
    QTest::newRow("throws") << "throws"
                            << "this model refuses to run";
    QTest::newRow("latents per trial") << "per_trial"
                                       << "latents have shape [1, 3]";
    QTest::newRow("rates of 2 units") << "wrong_rates"
                                      << "rates have shape [1, 7, 2]";
  }
  void forwardsThatBreakTheContract() {
    QFETCH(QString, name);
    QFETCH(QString, expected);
    const QString message = messageOf<InputError>([&] {
      const Model m = Model::load(model(name.toStdString()));
      (void)m.infer(array("counts"), DeviceChoice::Cpu);
    });
    QVERIFY2(message.contains(name + ".pt") && message.contains(expected), qPrintable(message));
  }

  void nanAtRunTimeIsAComputeError() {
    const Model m = Model::load(model("nan"));
    const ModelOutputs fine = m.infer(array("counts"), DeviceChoice::Cpu);  // finite here
    QCOMPARE(fine.latents.dim(0), std::size_t{11});
    InferOptions options;
    options.device = DeviceChoice::Cpu;
    options.maxChunkTrials = 2;
    const QString message = messageOf<ComputeError>([&] { (void)m.infer(array("counts_spiky"), options); });
    // trial 4 makes NaN: the chunk holding it (trials 4-5) is named
    QVERIFY2(message.contains("NaN") && message.contains("trials 4-5"), qPrintable(message));
  }

  // The fallbacks a GPU needs, driven on the CPU by models that raise CUDA's out-of-memory error above a
  // batch size: the pass halves until it fits (11 -> 5 -> 2 trials), results equal PyTorch's, and the
  // report says what happened.
  void outOfMemoryHalvesThePass() {
    const Model m = Model::load(model("oom_above_3"));
    InferOptions options;
    options.device = DeviceChoice::Cpu;
    RunReport report;
    const ModelOutputs out = m.infer(array("counts"), options, {}, &report);
    QCOMPARE(report.chunkTrials, std::size_t{2});
    QCOMPARE(report.notes.size(), std::size_t{2});
    QVERIFY2(QString::fromStdString(report.notes[0])
                 .contains("out of memory on cpu at 11 trials per pass, retried "
                           "with 5"),
             report.notes[0].c_str());
    QVERIFY(maxAbsDifference(out.latents, array("oom_above_3.latents")) < 1e-5F);
    QVERIFY(maxAbsDifference(*out.rates, array("oom_above_3.rates")) < 1e-5F);
  }

  void outOfMemoryForOneTrialOnTheCpuIsAComputeError() {
    const Model m = Model::load(model("oom_always"));
    const QString message = messageOf<ComputeError>([&] { (void)m.infer(array("counts"), DeviceChoice::Cpu); });
    QVERIFY2(message.contains("oom_always.pt") && message.contains("after every fallback") &&
                 message.contains("CUDA out of memory"),
             qPrintable(message));
  }

  void cudaWithoutGpuIsAnInputError() {
    if (queryDevices().cudaAvailable) QSKIP("this machine has CUDA; see tests/gpu");
    const Model m = Model::load(model("tensor"));
    const QString message = messageOf<InputError>([&] { (void)m.infer(array("counts"), DeviceChoice::Cuda); });
    QVERIFY2(message.contains("CUDA"), qPrintable(message));
    RunReport report;
    (void)m.infer(array("counts"), DeviceChoice::Auto, {}, &report);
    QCOMPARE(report.device, DeviceChoice::Cpu);
  }

  // The worked examples of docs/models.md export through tools/python/neurolens_export.py;
  // what they write must load and run here.
  void documentedExamplesLoadAndRun_data() {
    QTest::addColumn<QString>("script");
    QTest::addColumn<qint64>("latents");
    QTest::newRow("GRU encoder, tuple") << "export_gru.py" << qint64{8};
    QTest::newRow("NDT transformer, dict with log_rates") << "export_ndt.py" << qint64{16};
  }
  void documentedExamplesLoadAndRun() {
    QFETCH(QString, script);
    QFETCH(qint64, latents);
    const QString out = dir_.path() + "/" + script + ".pt";
    QProcess python;
    python.setProcessChannelMode(QProcess::ForwardedChannels);
    python.start(NEUROLENS_TEST_PYTHON, {QString(NEUROLENS_SOURCE_DIR) + "/tools/python/examples/" + script, out});
    QVERIFY(python.waitForFinished(120000));
    QCOMPARE(python.exitCode(), 0);
    const Model m = Model::load(out.toStdString());
    QCOMPARE(m.metadata().units.value_or(0), std::int64_t{61});
    QCOMPARE(m.latentCount(), std::int64_t{latents});
    QVERIFY(m.hasRates());
    FloatArray counts({4, 20, 61}, 1.0F);
    const ModelOutputs outputs = m.infer(counts, DeviceChoice::Cpu);
    QCOMPARE(outputs.latents.shape(), (std::vector<std::size_t>{4, 20, static_cast<std::size_t>(latents)}));
    QVERIFY(outputs.rates.has_value());
  }

  void modelIsSharedAcrossCopies() {
    const Model a = Model::load(model("tuple"));
    const Model b = a;  // cheap handle copy, same module
    QCOMPARE(&a.impl(), &b.impl());
    QCOMPARE(QString::fromStdString(a.metadata().name), QString("test"));
  }
};

QTEST_GUILESS_MAIN(TestModel)
#include "test_model.moc"
