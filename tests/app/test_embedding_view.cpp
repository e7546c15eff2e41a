// The Analysis results' "Unit embeddings" tab (issue 18 step 4). The decisions alone (logic/embedding_choice.h):
// on the committed POYO (tests/data/models/poyo_m1.pt) and m1_stevenson2011 at 50 ms bins, the PCA equals an
// independent one (eigenvectors of the covariance, up to each component's sign) and the titles equal those of
// `neurolens-cli figure --view embedding --json`; on the demo recording with
// tests/cli/python/make_embedding_models.py's models, cell_type is the default colour column (categorical), firing_rate
// numeric, an unknown column and models without or with broken embeddings give one clear line. In the main window: the
// tab draws the same numbers as the logic, a click on a dot selects its unit in the Units table (and hovering names
// it), the axes combo shows PC 3, a model without embeddings shows the one-line message; screenshots of the tab are
// written to the build folder. Needs an X server.
#include <Eigen/Dense>
#include <QApplication>
#include <QComboBox>
#include <QFileInfo>
#include <QImage>
#include <QMouseEvent>
#include <QPainter>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <algorithm>
#include <cmath>
#include <fstream>
#include <memory>
#include <set>

#include "cli_runner.h"
#include "logic/embedding_choice.h"
#include "main_window.h"
#include "neurolens/core/errors.h"
#include "neurolens/io/recording_reader.h"
#include "neurolens/views/figure/embedding_scatter.h"
#include "pipeline_controller.h"
#include "session/app_settings.h"
#include "widgets/analysis_panel.h"
#include "widgets/embedding_view.h"
#include "widgets/plot_widget.h"
#include "widgets/table_panel.h"

using namespace neurolens;
using namespace neurolens::gui;

namespace {

constexpr int kOpenTimeoutMs = 240000;

QString modelFile(const char* name) { return QString(NEUROLENS_SOURCE_DIR) + "/tests/data/models/" + name; }

// The principal component scores by another route than the SVD: eigenvectors of the covariance matrix.
Eigen::MatrixXd independentScores(const FloatArray& embeddings, Eigen::VectorXd& shares) {
  const auto units = static_cast<Eigen::Index>(embeddings.dim(0));
  const auto dims = static_cast<Eigen::Index>(embeddings.dim(1));
  Eigen::MatrixXd x(units, dims);
  for (Eigen::Index u = 0; u < units; ++u)
    for (Eigen::Index d = 0; d < dims; ++d) x(u, d) = embeddings.values()[static_cast<std::size_t>(u * dims + d)];
  x.rowwise() -= x.colwise().mean();
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(x.transpose() * x);
  const Eigen::VectorXd values = solver.eigenvalues().reverse();  // descending
  shares = values / values.sum();
  return x * solver.eigenvectors().rowwise().reverse();
}

// max over units of |a - s b| / max |b| for component c, s the sign that fits best.
double componentDifference(const EmbeddingPca& pca, const Eigen::MatrixXd& reference, std::size_t c) {
  double same = 0.0, flipped = 0.0, scale = 0.0;
  for (std::size_t u = 0; u < pca.units; ++u) {
    const double r = reference(static_cast<Eigen::Index>(u), static_cast<Eigen::Index>(c));
    same = std::max(same, std::abs(pca.scores[u][c] - r));
    flipped = std::max(flipped, std::abs(pca.scores[u][c] + r));
    scale = std::max(scale, std::abs(r));
  }
  return std::min(same, flipped) / std::max(scale, 1e-12);
}

QStringList comboItems(const QComboBox& combo) {
  QStringList items;
  for (int i = 0; i < combo.count(); ++i) items << combo.itemText(i);
  return items;
}

}  // namespace

class TestEmbeddingView : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir folder_;
  QString demo_;
  std::unique_ptr<MainWindow> window_;

  QString path(const QString& name) const { return folder_.filePath(name); }

  void openWindow(double binMs) {
    AppSettings().setBinMs(binMs);
    window_ = std::make_unique<MainWindow>();
    window_->resize(1600, 1000);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
  }
  void openPair(const QString& recording, const QString& model) {
    window_->openFiles({recording, model});
    QTRY_VERIFY_WITH_TIMEOUT(
        window_->opener().isIdle() && window_->controller().latents() != nullptr && !window_->controller().busy(),
        kOpenTimeoutMs);
    QVERIFY2(window_->controller().fitProblem().isEmpty(), qPrintable(window_->controller().fitProblem()));
  }
  EmbeddingView& view() { return *window_->analysisPanel()->embeddingView(); }
  void showTabAndWait() {
    window_->analysisPanel()->showEmbeddings();
    QTRY_VERIFY_WITH_TIMEOUT(view().isVisible() && !view().busy() && view().space() != nullptr, 60000);
  }
  void saveScreenshot(const QString& name) {
    QTest::qWait(300);
    const QString file = QString(NEUROLENS_BINARY_DIR) + "/test_embedding_view_" + name + ".png";
    QVERIFY(window_->grab().save(file));
    const QString tab = QString(NEUROLENS_BINARY_DIR) + "/test_embedding_view_" + name + "_tab.png";
    QVERIFY(view().grab().save(tab));
    qInfo("screenshots: %s, %s", qPrintable(file), qPrintable(tab));
  }

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName("NeuroLensTest");
    QCoreApplication::setApplicationName("NeuroLensTestEmbeddingView");
    QSettings().clear();
    QVERIFY(folder_.isValid());
    const auto demo = test::runCli({"demo", "--recording-only", "--out", folder_.path()});
    QVERIFY2(demo.exitCode == 0, qPrintable(demo.err));
    demo_ = path("demo.nwb");
    const auto made = test::runPython({QString(NEUROLENS_SOURCE_DIR) + "/tests/cli/python/make_embedding_models.py",
                                       folder_.path(), demo_, "cell_type"});
    if (made.exitCode == 77) QSKIP(qPrintable("torch/h5py missing from the test Python: " + made.err));
    QVERIFY2(made.exitCode == 0, qPrintable(made.err));
  }
  void cleanup() { window_.reset(); }

  // The logic on the committed POYO and M1: the PCA and the CLI figure's titles.
  void m1PcaEqualsAnIndependentOneAndTheCli() {
    const QString recordingFile = test::sharedData("m1_stevenson2011.nwb");
    if (!QFileInfo::exists(recordingFile)) QSKIP("the shared recording m1_stevenson2011.nwb is not here");
    BinningOptions options;
    options.binMs = 50.0;
    const BinnedRecording recording = io::binRecordingFile(recordingFile.toStdString(), options);
    const Model model = Model::load(modelFile("poyo_m1.pt").toStdString()).forRecording(recording);
    const EmbeddingSpace space = embeddingSpace(&model, &recording);
    QVERIFY2(space.ready(), space.message.c_str());
    QCOMPARE(space.pca.units, std::size_t{171});
    QCOMPARE(space.pca.dims, std::size_t{32});

    const std::optional<FloatArray> embeddings = model.unitEmbeddings(171);
    QVERIFY(embeddings.has_value());
    Eigen::VectorXd shares;
    const Eigen::MatrixXd reference = independentScores(*embeddings, shares);
    double sum = 0.0;
    for (std::size_t c = 0; c < 3; ++c) {
      const double difference = componentDifference(space.pca, reference, c);
      qInfo("m1 POYO: PC %zu explains %.4f (independent %.4f), scores differ by %.2g of their range", c + 1,
            space.pca.varianceShare[c], shares(static_cast<Eigen::Index>(c)), difference);
      QVERIFY2(difference < 1e-6, qPrintable(QString("PC %1 differs by %2").arg(c + 1).arg(difference)));
      QVERIFY(std::abs(space.pca.varianceShare[c] - shares(static_cast<Eigen::Index>(c))) < 1e-9);
      sum += space.pca.varianceShare[c];
    }
    QVERIFY(sum < 1.0 && space.pca.varianceShare[0] >= space.pca.varianceShare[1]);

    // Only firing_rate colours M1's units (its units table holds no per-unit column).
    QCOMPARE(unitColouringColumns(recording), std::vector<std::string>{"firing_rate"});
    QCOMPARE(defaultEmbeddingColumn(recording), std::string("firing_rate"));
    const EmbeddingPicture picture = embeddingPicture(space.pca, recording, "firing_rate");
    QVERIFY(!picture.colouring.categorical());
    QCOMPARE(picture.colouring.values.size(), std::size_t{171});
    // The rates times the recording's binned seconds give back every counted spike.
    const double seconds = static_cast<double>(recording.trialCount() * recording.binCount()) * 0.05;
    double spikes = 0.0;
    for (const double rate : picture.colouring.values) spikes += rate * seconds;
    double counted = 0.0;
    for (std::size_t i = 0; i < recording.counts.size(); ++i) counted += recording.counts.values()[i];
    QVERIFY2(std::abs(spikes - counted) < 1e-6 * counted, qPrintable(QString("%1 vs %2").arg(spikes).arg(counted)));

    // The CLI figure's title and axis titles.
    const auto cli =
        test::runCli({"figure", "--json", "--quiet", recordingFile, "--bin-ms", "50", "--view", "embedding", "--model",
                      modelFile("poyo_m1.pt"), "--unit-column", "firing_rate", "--out", path("m1_embedding.png")});
    QVERIFY2(cli.exitCode == 0, qPrintable(cli.err));
    QStringList labels;
    for (const auto& label : test::parseJson(cli.out)["labels"].toArray())
      labels << label.toObject()["text"].toString();
    for (const std::string& text : {picture.title, picture.xTitle, picture.yTitle})
      QVERIFY2(labels.contains(QString::fromStdString(text)), text.c_str());
    qInfo("m1 POYO: %s, %s x %s (as the CLI figure)", picture.title.c_str(), picture.xTitle.c_str(),
          picture.yTitle.c_str());

    // The 3-D view: unturned it is PC 1 x PC 2, a quarter turn shows PC 3 across, a quarter tilt PC 3 upside down;
    // any turn keeps each unit within its distance from the centre in PC 1-3.
    const EmbeddingPicture front = turnedPicture(space.pca, recording, "firing_rate", {0.0, 0.0});
    const EmbeddingPicture side = turnedPicture(space.pca, recording, "firing_rate", {90.0, 0.0});
    const EmbeddingPicture top = turnedPicture(space.pca, recording, "firing_rate", {0.0, 90.0});
    const EmbeddingPicture turned = turnedPicture(space.pca, recording, "firing_rate", {37.0, -21.0});
    for (std::size_t u = 0; u < 171; ++u) {
      const auto& s = space.pca.scores[u];
      QVERIFY(std::abs(front.points[u][0] - s[0]) < 1e-12 && std::abs(front.points[u][1] - s[1]) < 1e-12);
      QVERIFY(std::abs(side.points[u][0] - s[2]) < 1e-12 && std::abs(side.points[u][1] - s[1]) < 1e-12);
      QVERIFY(std::abs(top.points[u][0] - s[0]) < 1e-12 && std::abs(top.points[u][1] + s[2]) < 1e-12);
      const double radius = std::hypot(s[0], s[1], s[2]);
      QVERIFY(std::hypot(turned.points[u][0], turned.points[u][1]) <= radius + 1e-12);
    }
    QVERIFY(QString::fromStdString(turned.xTitle).contains("turned 37"));

    const EmbeddingPicture third = embeddingPicture(space.pca, recording, "firing_rate", {1, 2});
    QCOMPARE(third.points[5][0], space.pca.scores[5][1]);
    QCOMPARE(third.points[5][1], space.pca.scores[5][2]);
    QVERIFY(QString::fromStdString(third.yTitle).startsWith("PC 3 ("));
    QVERIFY(QString::fromStdString(describeUnit(recording, picture, 0)).startsWith("unit id "));
  }

  // The logic on the demo: columns, categories, and the models the contract turns away.
  void demoColumnsAndMessages() {
    BinningOptions options;
    const BinnedRecording recording = io::binRecordingFile(demo_.toStdString(), options);
    const Model model = Model::load(path("embed.pt").toStdString());
    const EmbeddingSpace space = embeddingSpace(&model, &recording);
    QVERIFY2(space.ready(), space.message.c_str());
    QCOMPARE(componentPairs(space.pca).size(), std::size_t{3});
    QCOMPARE(defaultEmbeddingColumn(recording), std::string("cell_type"));
    const std::vector<std::string> columns = unitColouringColumns(recording);
    QVERIFY(std::find(columns.begin(), columns.end(), "cell_type") != columns.end());
    QCOMPARE(columns.back(), std::string("firing_rate"));

    // embed.f32 holds the planted embeddings: the independent PCA of them.
    std::ifstream raw(path("embed.f32").toStdString(), std::ios::binary);
    FloatArray planted({recording.unitCount(), 6});
    raw.read(reinterpret_cast<char*>(planted.values().data()),
             static_cast<std::streamsize>(planted.size() * sizeof(float)));
    QVERIFY(raw.good());
    Eigen::VectorXd shares;
    const Eigen::MatrixXd reference = independentScores(planted, shares);
    for (std::size_t c = 0; c < 3; ++c) QVERIFY(componentDifference(space.pca, reference, c) < 1e-5);

    const EmbeddingPicture types = embeddingPicture(space.pca, recording, "cell_type");
    QVERIFY(types.colouring.categorical());
    const std::set<std::string> distinct(types.colouring.categories.begin(), types.colouring.categories.end());
    QVERIFY(distinct == (std::set<std::string>{"ramping", "rotational", "tuned", "untuned"}));
    QVERIFY(QString::fromStdString(describeUnit(recording, types, 3)).contains("cell_type "));
    QVERIFY_THROWS_EXCEPTION(InputError, (void)embeddingPicture(space.pca, recording, "no_such_column"));

    const Model plain = Model::load(path("plain.pt").toStdString());
    QCOMPARE(embeddingSpace(&plain, &recording).message, noEmbeddingsMessage());
    const Model rows = Model::load(path("embed_rows.pt").toStdString());
    const std::string broken = embeddingSpace(&rows, &recording).message;
    QVERIFY2(!broken.empty() && broken.find("embed_rows.pt") != std::string::npos, broken.c_str());
    QVERIFY(!embeddingSpace(nullptr, &recording).ready());
  }

  // The painter the tab shares with the figure: a unit whose value is NaN is grey, the others on the colour map.
  void nanValueIsGrey() {
    views::figure::EmbeddingScatterInput input;
    input.points = {{0.0, 0.0}, {1.0, 1.0}, {2.0, 0.0}};
    input.values = {1.0, std::nan(""), 3.0};
    input.column = "value";
    const views::figure::EmbeddingScatterPlot plot(input, views::figure::defaultFigureStyle());
    QImage image(600, 400, QImage::Format_RGB32);
    image.fill(Qt::white);
    {
      QPainter painter(&image);
      views::figure::PaintContext context;
      context.style = views::figure::defaultFigureStyle();
      context.dpi = 96.0;
      plot.paint(painter, QRectF(0, 0, 600, 400), context);
    }
    QCOMPARE(plot.paintedCentres().size(), std::size_t{3});
    const auto colourAt = [&](std::size_t unit) { return image.pixelColor(plot.paintedCentres()[unit].toPoint()); };
    const QColor nan = colourAt(1);
    QVERIFY2(std::abs(nan.red() - nan.green()) < 8 && std::abs(nan.green() - nan.blue()) < 8 && nan.red() < 235,
             qPrintable(nan.name()));
    for (const std::size_t unit : {std::size_t{0}, std::size_t{2}}) {
      const QColor c = colourAt(unit);
      QVERIFY2(std::max({c.red(), c.green(), c.blue()}) - std::min({c.red(), c.green(), c.blue()}) > 40,
               qPrintable(c.name()));
    }
  }

  // The two-session POYO on pmd_reach_ex2: the tab shows the session the recording's identifier binds.
  void pmdSessionsTabShowsTheBoundSession() {
    const QString recordingFile = test::sharedData("pmd_reach_ex2.nwb");
    if (!QFileInfo::exists(recordingFile)) QSKIP("the shared recording pmd_reach_ex2.nwb is not here");
    const BinnedRecording recording = io::binRecordingFile(recordingFile.toStdString(), BinningOptions{});
    const Model unbound = Model::load(modelFile("poyo_pmd_sessions.pt").toStdString());
    const Model bound = unbound.forRecording(recording);
    QVERIFY(bound.session().has_value() && *bound.session() != 0);  // ex2 is not the first session
    const EmbeddingPca expected = embeddingPca(*bound.unitEmbeddings());
    const EmbeddingPca first = embeddingPca(*unbound.unitEmbeddings());
    QVERIFY(std::abs(expected.scores[0][0]) != std::abs(first.scores[0][0]));
    QCOMPARE(embeddingSpace(&unbound, &recording).pca.scores[3][1], expected.scores[3][1]);  // bound on the way

    openWindow(20.0);
    openPair(recordingFile, modelFile("poyo_pmd_sessions.pt"));
    showTabAndWait();
    QVERIFY2(view().picture().has_value(), qPrintable(view().message()));
    QCOMPARE(view().picture()->points.size(), recording.unitCount());
    for (std::size_t u = 0; u < recording.unitCount(); ++u) {
      QCOMPARE(view().picture()->points[u][0], expected.scores[u][0]);
      QCOMPARE(view().picture()->points[u][1], expected.scores[u][1]);
    }
    qInfo("pmd_reach_ex2: session %zu of poyo_pmd_sessions.pt, %s", *bound.session(), view().picture()->title.c_str());
  }

  // The tab in the main window on M1 at 50 ms: the logic's numbers, clicking a dot, the axes.
  void m1TabDrawsTheLogicsNumbers() {
    const QString recordingFile = test::sharedData("m1_stevenson2011.nwb");
    if (!QFileInfo::exists(recordingFile)) QSKIP("the shared recording m1_stevenson2011.nwb is not here");
    openWindow(50.0);
    openPair(recordingFile, modelFile("poyo_m1.pt"));
    QCOMPARE(window_->controller().recording()->binMs, 50.0);
    QVERIFY(view().space() == nullptr || !view().isVisible());  // nothing read while the tab is hidden
    showTabAndWait();
    QVERIFY2(view().picture().has_value(), qPrintable(view().message()));
    QVERIFY(view().message().isEmpty());

    const BinnedRecording& recording = *window_->controller().recording();
    const EmbeddingSpace expected = embeddingSpace(window_->controller().model(), &recording);
    const EmbeddingPicture& shown = *view().picture();
    QCOMPARE(shown.points.size(), std::size_t{171});
    for (std::size_t u = 0; u < 171; ++u) {
      QCOMPARE(shown.points[u][0], expected.pca.scores[u][0]);
      QCOMPARE(shown.points[u][1], expected.pca.scores[u][1]);
    }
    QCOMPARE(comboItems(*view().colourCombo()), QStringList{"firing_rate"});
    QCOMPARE(view().axesCombo()->count(), 4);  // three pairs of components and the 3-D view

    // Click the most isolated dot: its unit is selected in the Units table and ringed.
    QTRY_VERIFY(view().unitCentre(0).has_value());
    std::size_t isolated = 0;
    double farthest = -1.0;
    for (std::size_t u = 0; u < 171; ++u) {
      const auto a = view().unitCentre(u);
      if (!a) continue;
      double nearest = 1e300;
      for (std::size_t v = 0; v < 171; ++v) {
        const auto b = view().unitCentre(v);
        if (v != u && b) nearest = std::min(nearest, QLineF(*a, *b).length());
      }
      if (nearest > farthest) farthest = nearest, isolated = u;
    }
    // Hovering: a move event sent to the canvas itself. QTest::mouseMove without a button moves the X pointer
    // (QCursor::setPos), which lands on whatever window is on top: another test's, when two share one X server
    // (ctest -j2 under one xvfb-run). The dot's place is read again before each try (the dock may be laid out anew).
    const auto hoverOn = [&] {
      QWidget* canvas = view().canvas();
      const QPointF dot = *view().unitCentre(isolated);
      QMouseEvent move(QEvent::MouseMove, dot, canvas->mapToGlobal(dot), Qt::NoButton, Qt::NoButton, Qt::NoModifier);
      QCoreApplication::sendEvent(canvas, &move);
      QCoreApplication::processEvents();
      return view().hoverText().startsWith(QString("unit id %1 ").arg(recording.unitIds[isolated]));
    };
    QTRY_VERIFY_WITH_TIMEOUT(hoverOn(), 20000);
    const QPoint at = view().unitCentre(isolated)->toPoint();
    QTest::mouseClick(view().canvas(), Qt::LeftButton, {}, at);
    QTRY_COMPARE(window_->unitsTable()->selectedRows(), std::vector<std::size_t>{isolated});
    QCOMPARE(view().selectedUnit(), std::optional<std::size_t>(isolated));
    qInfo("m1: clicked unit row %zu (%s), %.0f px from its nearest neighbour", isolated, qPrintable(view().hoverText()),
          farthest);
    saveScreenshot("m1");

    // The 3-D view turns when dragged off the dots.
    view().axesCombo()->setCurrentIndex(3);
    QVERIFY(view().turning());
    const Turn before = view().turn();
    const auto firstTurned = view().picture()->points[7];
    QWidget* canvas = view().canvas();
    const QPointF from(6.0, 6.0);  // the corner: no dot there
    QVERIFY(!view().unitCentre(0) || QLineF(*view().unitCentre(0), from).length() > 10.0);
    QTest::mousePress(canvas, Qt::LeftButton, {}, from.toPoint());
    QMouseEvent drag(QEvent::MouseMove, from + QPointF(40.0, 10.0), canvas->mapToGlobal(from + QPointF(40.0, 10.0)),
                     Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(canvas, &drag);
    QTest::mouseRelease(canvas, Qt::LeftButton, {}, (from + QPointF(40.0, 10.0)).toPoint());
    QVERIFY(std::abs(view().turn().yawDeg - (before.yawDeg + 20.0)) < 1e-9);
    QVERIFY(std::abs(view().turn().pitchDeg - (before.pitchDeg + 5.0)) < 1e-9);
    QVERIFY(view().picture()->points[7] != firstTurned);
    const EmbeddingPicture expectedTurn = turnedPicture(expected.pca, recording, "firing_rate", view().turn());
    QCOMPARE(view().picture()->points[7][0], expectedTurn.points[7][0]);
    saveScreenshot("m1_3d");

    view().axesCombo()->setCurrentIndex(2);
    QVERIFY(!view().turning());
    QVERIFY(QString::fromStdString(view().picture()->xTitle).startsWith("PC 2 ("));
    QVERIFY(QString::fromStdString(view().picture()->yTitle).startsWith("PC 3 ("));
    QCOMPARE(view().picture()->points[7][1], expected.pca.scores[7][2]);
  }

  // The tab shown before anything is open says what to open.
  void tabWithoutAPair() {
    openWindow(20.0);
    window_->analysisPanel()->showEmbeddings();
    QTRY_VERIFY(view().isVisible());
    QVERIFY(!view().busy());
    QCOMPARE(view().message(), QString::fromStdString(embeddingSpace(nullptr, nullptr).message));
  }

  // The demo recording: a categorical default column, and a model without embeddings.
  void demoTabColumnsAndNoEmbeddings() {
    openWindow(20.0);
    openPair(demo_, path("embed.pt"));
    showTabAndWait();
    QVERIFY2(view().picture().has_value(), qPrintable(view().message()));
    QCOMPARE(view().colourCombo()->currentText(), QString("cell_type"));
    QVERIFY(view().picture()->colouring.categorical());
    QVERIFY(view().setColourColumn("firing_rate"));
    QVERIFY(!view().picture()->colouring.categorical());
    QVERIFY(view().setColourColumn("cell_type"));
    saveScreenshot("demo");

    window_->openFiles({path("plain.pt")});
    QTRY_VERIFY_WITH_TIMEOUT(window_->opener().isIdle() && !window_->controller().busy() &&
                                 window_->controller().modelPath().endsWith("plain.pt"),
                             kOpenTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(!view().busy() && view().message() == QString::fromStdString(noEmbeddingsMessage()),
                             60000);
    QVERIFY(!view().picture().has_value());
    QVERIFY(!view().colourCombo()->isEnabled());
    QVERIFY(!view().message().contains('\n'));
    saveScreenshot("none");
  }
};

QTEST_MAIN(TestEmbeddingView)
#include "test_embedding_view.moc"
