// Figure export of 3-D views and comparison sheets: offscreen rendering at any size
// and DPI, transparent backgrounds, raster 3-D panels inside vector SVG/PDF with
// real text, PNG baselines, and animation frames (MP4 only where ffmpeg exists).
#include <QDir>
#include <QImageReader>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <memory>

#include "../views/test_plot_support.h"
#include "neurolens/core/errors.h"
#include "neurolens/views/demo_trajectories.h"
#include "neurolens/views/figure/figure.h"
#include "neurolens/views/figure/trajectory_figure.h"
#include "neurolens/views/offscreen_renderer.h"
#include "support/display_test_support.h"
#include "test_figure_support.h"

using namespace neurolens;
using namespace neurolens::views::figure;

namespace {

views::TrajectoryData demoData(std::size_t conditions, std::size_t trials, std::size_t bins) {
  views::DemoTrajectories demo = views::makeRotationalTrajectories(conditions, trials, bins, 7);
  views::TrajectoryData data;
  data.points = std::move(demo.points);
  data.condition = std::move(demo.condition);
  for (std::size_t c = 0; c < conditions; ++c) data.conditionNames.push_back("reach " + std::to_string(c + 1));
  return data;
}

QColor qcolour(const views::Rgb& c) { return QColor::fromRgbF(c.r, c.g, c.b); }

// Keeps only the trials of one condition (for side-by-side panels).
views::TrajectoryData onlyCondition(const views::TrajectoryData& all, int condition) {
  views::TrajectoryData out;
  const std::size_t bins = all.points.dim(1);
  std::vector<float> values;
  for (std::size_t t = 0; t < all.condition.size(); ++t) {
    if (all.condition[t] != condition) continue;
    const float* begin = all.points.data() + t * bins * 3;
    values.insert(values.end(), begin, begin + bins * 3);
    out.condition.push_back(0);
  }
  out.points = FloatArray({out.condition.size(), bins, 3}, std::move(values));
  out.conditionNames = {all.conditionNames.at(static_cast<std::size_t>(condition))};
  out.colours = {views::categoricalColour(static_cast<std::size_t>(condition))};
  return out;
}

std::unique_ptr<Figure> comparisonSheet(const views::TrajectoryData& data) {
  auto sheet = std::make_unique<Figure>(2);
  TrajectoryViewOptions left;
  left.title = "reach 1";
  sheet->add(std::make_unique<TrajectoryPlot>(onlyCondition(data, 0), left));
  TrajectoryViewOptions right;
  right.title = "reach 2";
  sheet->add(std::make_unique<TrajectoryPlot>(onlyCondition(data, 1), right));
  HeatmapData association;
  association.values = FloatArray({2, 4}, {0.6F, 0.2F, 0.1F, 0.1F, 0.05F, 0.15F, 0.5F, 0.3F});
  association.rowLabels = {"pyramidal", "interneuron"};
  association.columnLabels = {"1", "2", "3", "4"};
  association.xTitle = "latent";
  association.yTitle = "unit type";
  association.title = "type x latent association";
  association.pValues = FloatArray({2, 4}, {0.0005F, 0.5F, 0.6F, 0.7F, 0.9F, 0.3F, 0.002F, 0.2F});
  sheet->add(std::make_unique<HeatmapPlot>(association));
  sheet->add(std::make_unique<BarPlot>(BarData{{0.71, 0.55}, {"hand x", "hand y"}, "probe", "target", "R\u00b2", {}}));
  return sheet;
}

}  // namespace

class TestFigureRender : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void trajectoryPngAtAnySizeAndDpi_data() {
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("height");
    QTest::addColumn<double>("dpi");
    QTest::newRow("1600x1200 at 300 dpi") << 1600 << 1200 << 300.0;
    QTest::newRow("2400x1800 at 300 dpi") << 2400 << 1800 << 300.0;
    QTest::newRow("1001x667 at 96 dpi") << 1001 << 667 << 96.0;
  }
  void trajectoryPngAtAnySizeAndDpi() {
    QFETCH(int, width);
    QFETCH(int, height);
    QFETCH(double, dpi);
    const views::TrajectoryData data = demoData(4, 10, 60);
    Figure figure;
    figure.add(std::make_unique<TrajectoryPlot>(data, TrajectoryViewOptions{}));
    QTemporaryDir dir;
    const QString path = dir.filePath("trajectories.png");
    exportFigure(figure, path.toStdString(), {width, height, dpi, false}, defaultFigureStyle());
    const QImage image(path);
    QCOMPARE(image.size(), QSize(width, height));
    QVERIFY(std::abs(image.dotsPerMeterX() * 0.0254 - dpi) < 1.0);
    for (std::size_t c = 0; c < 4; ++c)
      QVERIFY2(testing::countColour(image, qcolour(views::categoricalColour(c)), 16) > 50,
               qPrintable(QString("condition %1 missing").arg(c)));
    QCOMPARE(image.pixelColor(0, height - 1), QColor(255, 255, 255));
  }

  // Lines and legend text grow with the DPI: the same pixel size at 3x the DPI
  // covers clearly more pixels in the condition colours.
  void dpiThickensLines() {
    const views::TrajectoryData data = demoData(2, 5, 60);
    TrajectoryRenderer thin(data, {}, defaultFigureStyle());
    const QImage at100 = thin.render(1200, 900, 100.0, false);
    const QImage at300 = thin.render(1200, 900, 300.0, false);
    const QColor first = qcolour(views::categoricalColour(0));
    const int pixels100 = testing::countColour(at100, first, 30);
    const int pixels300 = testing::countColour(at300, first, 30);
    QVERIFY2(pixels300 > 2 * pixels100,
             qPrintable(QString("%1 px at 100 dpi, %2 at 300").arg(pixels100).arg(pixels300)));
  }

  void transparentBackground() {
    Figure figure;
    auto plot = std::make_unique<TrajectoryPlot>(demoData(3, 5, 40), TrajectoryViewOptions{});
    plot->setTransparentBackground(true);
    figure.add(std::move(plot));
    QTemporaryDir dir;
    const QString path = dir.filePath("transparent.png");
    exportFigure(figure, path.toStdString(), {800, 600, 150.0, true}, defaultFigureStyle());
    const QImage image(path);
    QVERIFY(image.hasAlphaChannel());
    QCOMPARE(qAlpha(image.pixel(0, 0)), 0);
    QCOMPARE(qAlpha(image.pixel(5, 595)), 0);
    // The trajectories themselves are opaque.
    int opaque = 0;
    for (int y = 0; y < image.height(); ++y)
      for (int x = 0; x < image.width(); ++x) opaque += qAlpha(image.pixel(x, y)) == 255 ? 1 : 0;
    QVERIFY2(opaque > 1000, qPrintable(QString("%1 opaque pixels").arg(opaque)));
  }

  // Issue 30 step 1: the axes' labels and the legend of a rendered 3-D view, against the drawn trajectories
  // projected with the same camera: no label or legend box comes within half a line width of a trajectory, none
  // overlaps another, all lie inside the image; at several sizes, DPIs and camera turns (orbit).
  void axesLabelsAndLegendCoverNoTrajectory_data() {
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("height");
    QTest::addColumn<double>("dpi");
    QTest::addColumn<double>("turn");
    QTest::newRow("1600x1200 at 300 dpi") << 1600 << 1200 << 300.0 << 0.0;
    QTest::newRow("780x540 at 300 dpi (a sheet panel)") << 780 << 540 << 300.0 << 0.0;
    QTest::newRow("640x480 at 100 dpi, turned 90") << 640 << 480 << 100.0 << 90.0;
    QTest::newRow("900x700 at 150 dpi, turned 200") << 900 << 700 << 150.0 << 200.0;
  }
  void axesLabelsAndLegendCoverNoTrajectory() {
    if (!views::offscreenRenderingAvailable()) QSKIP("no X display");
    QFETCH(int, width);
    QFETCH(int, height);
    QFETCH(double, dpi);
    QFETCH(double, turn);
    const views::TrajectoryData data = demoData(4, 6, 60);
    const FigureStyle style = defaultFigureStyle();
    TrajectoryRenderer renderer(data, {}, style);
    renderer.orbit(turn);
    const PaintContext context{style, dpi};
    QImage probe(1, 1, QImage::Format_RGB32);
    probe.setDotsPerMeterX(static_cast<int>(std::lround(dpi / 0.0254)));
    probe.setDotsPerMeterY(static_cast<int>(std::lround(dpi / 0.0254)));
    FrameText text;
    const auto measure = [&](QFont font) {
      const auto metrics = std::make_shared<QFontMetricsF>(font, &probe);
      return [metrics](const std::string& s) {
        return scene::TextSize{metrics->horizontalAdvance(QString::fromStdString(s)) + 2.0, metrics->height()};
      };
    };
    text.tickSize = measure(QFont(QString::fromStdString(style.fontFamily), static_cast<int>(style.tickPt)));
    text.titleSize = measure(QFont(QString::fromStdString(style.fontFamily), static_cast<int>(style.labelPt)));
    {
      QPainter painter(&probe);
      text.legend = legendSize(painter, renderer.legend(), "condition", context);
    }
    const TrajectoryFrame frame = renderer.renderFrame(width, height, dpi, false, text);
    QCOMPARE(frame.image.size(), QSize(width, height));
    QVERIFY(frame.legend.has_value());
    std::vector<scene::Box> boxes;
    for (const auto& label : frame.axes.labels) boxes.push_back(label.box);
    boxes.push_back({frame.legend->left(), frame.legend->top(), frame.legend->right(), frame.legend->bottom()});
    QVERIFY2(frame.axes.labels.size() >= 6, "ticks and titles");
    const auto overlap = scene::firstOverlap(boxes);
    QVERIFY2(!overlap, "two labels overlap");
    // Half the widest line drawn (the scene's line width at this DPI) plus the markers.
    const double margin = std::max(style.trajectoryLinePt, 6.0) * dpi / 72.0 / 2.0;
    const std::vector<scene::Polyline> lines = renderer.projectedTrajectories(width, height);
    QCOMPARE(lines.size(), data.condition.size());
    for (const scene::Box& box : boxes) {
      QVERIFY2(box.x0 >= 0.0 && box.y0 >= 0.0 && box.x1 <= width && box.y1 <= height, "inside the image");
      for (const scene::Polyline& line : lines) QVERIFY(!scene::polylineHitsBox(line, box, margin));
    }
  }

  void baselineTrajectories() {
    const views::TrajectoryData data = demoData(4, 6, 50);
    Figure figure;
    TrajectoryViewOptions options;
    options.title = "latent trajectories";
    options.timeBin = 25;
    figure.add(std::make_unique<TrajectoryPlot>(data, options));
    const QImage image = renderFigure(figure, {640, 480, 100.0, false}, defaultFigureStyle());
    const auto result = testing::compareWithBaseline(image, "figure_trajectories");
    QVERIFY2(result.ok, qPrintable(result.message));
  }

  void baselineComparisonSheet() {
    const QImage image =
        renderFigure(*comparisonSheet(demoData(2, 6, 50)), {960, 720, 100.0, false}, defaultFigureStyle());
    const auto result = testing::compareWithBaseline(image, "figure_sheet");
    QVERIFY2(result.ok, qPrintable(result.message));
  }

  // 3-D panels are raster images inside the SVG; letters, titles and legends stay text.
  void sheetAsSvg() {
    QTemporaryDir dir;
    const QString path = dir.filePath("sheet.svg");
    const auto sheet = comparisonSheet(demoData(2, 6, 50));
    exportFigure(*sheet, path.toStdString(), {1600, 1200, 300.0, false}, defaultFigureStyle());
    QSvgRenderer renderer(path);
    QVERIFY(renderer.isValid());
    const QString svg = testing::readAll(path);
    QCOMPARE(svg.count("<image"), 2);
    for (const char* expected : {">A<", ">B<", ">C<", ">D<", ">reach 1<", ">reach 2<", ">condition<", ">pyramidal<",
                                 ">unit type<", ">latent<", ">***<", ">**<", ">hand y<"})
      QVERIFY2(svg.contains(expected), expected);
  }

  void sheetAsPdf() {
    QTemporaryDir dir;
    const QString path = dir.filePath("sheet.pdf");
    exportFigure(*comparisonSheet(demoData(2, 6, 50)), path.toStdString(), {1600, 1200, 300.0, false},
                 defaultFigureStyle());
    const QString raw = testing::readAll(path);
    QVERIFY(raw.contains("/Subtype /Image"));
    const testing::PdfText extracted = testing::pdfText(path);
    if (extracted.tool.isEmpty()) QSKIP("neither pdftotext (poppler-utils) nor gs is installed");
    QVERIFY2(extracted.error.isEmpty(), qPrintable(extracted.error));
    const QString text = testing::collapsed(extracted.text);
    for (const char* expected : {"A", "B", "C", "D", "reach 1", "reach 2", "condition", "pyramidal", "interneuron",
                                 "type x latent association", "probe", "hand x", "latent"})
      QVERIFY2(text.contains(expected),
               qPrintable(QString("'%1' missing from %2 text: %3").arg(expected, extracted.tool, text.left(300))));
  }

  // One frame per bin; the cursor moves, so consecutive frames differ; an orbit turns the camera.
  void animationFrames() {
    QTemporaryDir dir;
    const views::TrajectoryData data = demoData(3, 4, 12);
    AnimationOptions sweep;
    sweep.directory = dir.filePath("sweep").toStdString();
    sweep.width = 320;
    sweep.height = 240;
    sweep.dpi = 72.0;
    sweep.binMs = 20.0;
    sweep.mp4 = dir.filePath("sweep.mp4").toStdString();
    const AnimationResult result = exportTrajectoryAnimation(data, {}, sweep, defaultFigureStyle());
    QCOMPARE(result.frames.size(), std::size_t{12});
    const QImage first(QString::fromStdString(result.frames.front()));
    const QImage last(QString::fromStdString(result.frames.back()));
    QCOMPARE(first.size(), QSize(320, 240));
    QVERIFY(testing::meanAbsoluteDifference(first, last) > 0.05);
    if (findFfmpeg().empty()) {
      QVERIFY(result.mp4.empty());
      QVERIFY(QString::fromStdString(result.note).contains("ffmpeg"));
      QVERIFY(!QFileInfo::exists(QString::fromStdString(sweep.mp4)));
    } else {
      QCOMPARE(result.mp4, sweep.mp4);
      QVERIFY(QFileInfo(QString::fromStdString(sweep.mp4)).size() > 1000);
    }

    AnimationOptions orbit = sweep;
    orbit.kind = AnimationOptions::Kind::Orbit;
    orbit.frames = 4;
    orbit.mp4.clear();
    orbit.directory = dir.filePath("orbit").toStdString();
    const AnimationResult turned = exportTrajectoryAnimation(data, {}, orbit, defaultFigureStyle());
    QCOMPARE(turned.frames.size(), std::size_t{4});
    QVERIFY(testing::meanAbsoluteDifference(QImage(QString::fromStdString(turned.frames[0])),
                                            QImage(QString::fromStdString(turned.frames[1]))) > 0.05);
    if (findFfmpeg().empty()) qInfo("ffmpeg not on PATH: the MP4 part was checked as 'frames only'");
  }

  // Where ffmpeg is installed the sweep is also an H.264 MP4: ffprobe (from the same
  // package) decodes every frame and reports the count, the size (odd sizes padded
  // to even, as yuv420p needs), the pixel format and the duration frames / fps.
  void mp4CheckedWithFfprobe() {
    if (findFfmpeg().empty()) QSKIP("ffmpeg is not installed (not on PATH): MP4 export writes PNG frames only");
    const QString ffprobe = QStandardPaths::findExecutable(QStringLiteral("ffprobe"));
    if (ffprobe.isEmpty()) QSKIP("ffprobe (package ffmpeg) is not on PATH");
    QTemporaryDir dir;
    AnimationOptions sweep;
    sweep.directory = dir.filePath("frames").toStdString();
    sweep.mp4 = dir.filePath("sweep.mp4").toStdString();
    sweep.width = 321;
    sweep.height = 241;
    sweep.dpi = 72.0;
    sweep.frames = 15;
    sweep.framesPerSecond = 10.0;
    sweep.binMs = 20.0;
    const AnimationResult result = exportTrajectoryAnimation(demoData(3, 4, 30), {}, sweep, defaultFigureStyle());
    QVERIFY2(result.note.empty(), result.note.c_str());
    QCOMPARE(result.mp4, sweep.mp4);
    QCOMPARE(result.frames.size(), std::size_t{15});
    QVERIFY(!QFileInfo::exists(QString::fromStdString(sweep.mp4) + ".partial.mp4"));

    QProcess probe;
    probe.start(ffprobe, {"-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                          "stream=codec_name,width,height,pix_fmt,nb_read_frames,avg_frame_rate:format=duration", "-of",
                          "json", QString::fromStdString(sweep.mp4)});
    QVERIFY(probe.waitForFinished(60000));
    QCOMPARE(probe.exitCode(), 0);
    const QJsonObject info = QJsonDocument::fromJson(probe.readAllStandardOutput()).object();
    const QJsonObject stream = info["streams"].toArray().at(0).toObject();
    QCOMPARE(stream["codec_name"].toString(), QString("h264"));
    QCOMPARE(stream["pix_fmt"].toString(), QString("yuv420p"));
    QCOMPARE(stream["width"].toInt(), 322);
    QCOMPARE(stream["height"].toInt(), 242);
    QCOMPARE(stream["nb_read_frames"].toString().toInt(), 15);
    QCOMPARE(stream["avg_frame_rate"].toString(), QString("10/1"));
    QVERIFY(std::abs(info["format"].toObject()["duration"].toString().toDouble() - 1.5) < 0.05);
  }

  // Multisampling: 8x below scale 2 (screen-like sizes), off from scale 2 up (print
  // DPI, where lines are several pixels wide), and whatever a style file asks.
  void multisamplingFollowsScaleAndStyle() {
    views::OffscreenRenderOptions screen;
    QCOMPARE(views::effectiveMultiSamples(screen), 8);
    views::OffscreenRenderOptions print;
    print.scale = 300.0 / 72.0;
    QCOMPARE(views::effectiveMultiSamples(print), 0);
    print.multiSamples = 4;
    QCOMPARE(views::effectiveMultiSamples(print), 4);
    QCOMPARE(figureStyleFromJson(R"({"multisamples_3d": 0})").multiSamples3d, 0);
    QCOMPARE(figureStyleFromJson(R"({"multisamples_3d": "auto"})").multiSamples3d, -1);
    QCOMPARE(defaultFigureStyle().multiSamples3d, -1);
    QVERIFY_THROWS_EXCEPTION(InputError, (void)figureStyleFromJson(R"({"multisamples_3d": 2.5})"));
    QVERIFY_THROWS_EXCEPTION(InputError, (void)figureStyleFromJson(R"({"multisamples_3d": "many"})"));
    QVERIFY_THROWS_EXCEPTION(InputError, (void)figureStyleFromJson(R"({"multisamples_3d": 64})"));

    // A style asking for 8x at 300 dpi still renders the same view (smoother edges only).
    const views::TrajectoryData data = demoData(2, 3, 20);
    FigureStyle smooth = defaultFigureStyle();
    smooth.multiSamples3d = 8;
    TrajectoryRenderer plain(data, {}, defaultFigureStyle());
    TrajectoryRenderer antialiased(data, {}, smooth);
    const QImage a = plain.render(600, 450, 300.0, false);
    const QImage b = antialiased.render(600, 450, 300.0, false);
    QCOMPARE(a.size(), b.size());
    const double difference = testing::meanAbsoluteDifference(a, b);
    QVERIFY2(difference > 0.0 && difference < 8.0, qPrintable(QString("mean difference %1").arg(difference)));
  }

  void badInputsAreInputErrors() {
    views::TrajectoryData empty;
    QVERIFY_THROWS_EXCEPTION(InputError, (TrajectoryPlot{empty, TrajectoryViewOptions{}}));
    AnimationOptions options;
    QVERIFY_THROWS_EXCEPTION(InputError,
                             exportTrajectoryAnimation(demoData(1, 1, 5), {}, options, defaultFigureStyle()));
    options.directory = "/proc/no-such-place/frames";
    QVERIFY_THROWS_EXCEPTION(InputError,
                             exportTrajectoryAnimation(demoData(1, 1, 5), {}, options, defaultFigureStyle()));
  }
};

NEUROLENS_DISPLAY_TEST_MAIN(TestFigureRender)
#include "test_figure_render.moc"
