// 2-D figure painters: hand-solved ticks, colour maps against matplotlib, style
// files, heatmap colours and row grouping read back from real pixels, DPI
// invariance, and SVG / PDF / PNG exports that parse and carry their text.
#include <QImageReader>
#include <QProcess>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <cmath>

#include "neurolens/core/errors.h"
#include "neurolens/views/figure/colormap.h"
#include "neurolens/views/figure/figure.h"
#include "neurolens/views/figure/figure_builders.h"
#include "neurolens/views/figure/figure_style.h"
#include "neurolens/views/figure/plots.h"
#include "test_plot_support.h"

using namespace neurolens;
using namespace neurolens::views::figure;
using neurolens::testing::boxOfColour;

namespace {

QColor qcolour(const views::Rgb& c) { return QColor::fromRgbF(c.r, c.g, c.b); }

std::vector<double> asVector(std::initializer_list<double> values) { return values; }

// A 4-unit x 3-bin matrix, units of two types interleaved: rows sorted by type put
// units 0 and 2 (type "pyramidal") above units 1 and 3 ("interneuron").
HeatmapData groupedHeatmap() {
  HeatmapData data;
  data.values = FloatArray({4, 3}, {0.0F, 0.0F, 0.0F,  //
                                    3.0F, 3.0F, 3.0F,  //
                                    1.0F, 1.0F, 1.0F,  //
                                    4.0F, 4.0F, 4.0F});
  data.rowGroups = {"pyramidal", "interneuron", "pyramidal", "interneuron"};
  data.title = "binned counts";
  data.colourBarTitle = "spikes per bin";
  data.xStep = 20.0;
  return data;
}

std::unique_ptr<Figure> sheetFigure() {
  auto figure = std::make_unique<Figure>(2);
  figure->add(std::make_unique<HeatmapPlot>(groupedHeatmap()));
  HeatmapData association;
  association.values = FloatArray({2, 3}, {0.7F, 0.2F, 0.1F, 0.1F, 0.3F, 0.6F});
  association.rowLabels = {"pyramidal", "interneuron"};
  association.columnLabels = {"1", "2", "3"};
  association.xTitle = "latent";
  association.yTitle = "unit type";
  association.title = "type x latent association";
  association.colourBarTitle = "share of profile";
  association.pValues = FloatArray({2, 3}, {0.0005F, 0.2F, 0.9F, 0.8F, 0.04F, 0.004F});
  figure->add(std::make_unique<HeatmapPlot>(association));
  figure->add(
      std::make_unique<BarPlot>(BarData{{0.62, 0.35, -0.05}, {"x", "y", "speed"}, "probe", "target", "R\u00b2", {}}));
  LineData lines;
  lines.series = {{"actual", {0.0, 1.0, 0.5, -0.5}, 7, false, std::nullopt},
                  {"predicted", {0.1, 0.8, 0.4, -0.3}, 3, true, std::nullopt}};
  lines.xStep = 20.0;
  lines.yTitle = "hand x (cm)";
  lines.title = "predicted vs actual";
  figure->add(std::make_unique<LinePlot>(lines));
  return figure;
}

}  // namespace

class TestPlots : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  // Ordered labels are sorted by their number (reach10 after reach9, not after reach1) and take the
  // sequential map; angles the cyclic one; other labels the categorical palette, 12 of them distinct.
  void conditionColoursFollowTheLabels() {
    const FigureStyle style = defaultFigureStyle();
    std::vector<std::string> reaches;
    for (int i = 10; i >= 1; --i) reaches.push_back("reach" + std::to_string(i));
    const ConditionColours ordered = conditionColours(reaches, "condition", style);
    QCOMPARE(ordered.scheme, std::string("sequential"));
    QCOMPARE(ordered.names.front(), std::string("reach1"));
    QCOMPARE(ordered.names[8], std::string("reach9"));
    QCOMPARE(ordered.names.back(), std::string("reach10"));
    const Colormap viridis = colormapByName("viridis");
    QCOMPARE(views::toHex(ordered.colours.front()), views::toHex(viridis.at(0.0)));
    QCOMPARE(views::toHex(ordered.colours.back()), views::toHex(viridis.at(0.85)));

    const ConditionColours angles = conditionColours({"90deg", "0deg", "270deg", "180deg"}, "condition", style);
    QCOMPARE(angles.scheme, std::string("cyclic"));
    QCOMPARE(angles.names, (std::vector<std::string>{"0deg", "90deg", "180deg", "270deg"}));
    QCOMPARE(views::toHex(angles.colours[1]), views::toHex(colormapByName("cyclic").at(0.25)));
    QCOMPARE(conditionColours({"0", "45", "90"}, "target_angle", style).scheme, std::string("cyclic"));
    QCOMPARE(conditionColours({"0", "45", "90"}, "condition", style).scheme, std::string("sequential"));
    // Once around the circle in 45-degree steps (one step missing): angles, whatever the column's name.
    QCOMPARE(
        conditionColours({"reach_000", "reach_045", "reach_180", "reach_270", "reach_315"}, "condition", style).scheme,
        std::string("cyclic"));
    QCOMPARE(conditionColours({"1", "2", "3", "4"}, "condition", style).scheme, std::string("sequential"));

    const ConditionColours few = conditionColours({"left", "right", "up"}, "condition", style);
    QCOMPARE(few.scheme, std::string("categorical"));
    for (std::size_t c = 0; c < 3; ++c) QCOMPARE(views::toHex(few.colours[c]), views::toHex(style.categoryColour(c)));

    std::vector<std::string> many;
    for (const char* name : {"apple", "bear", "cat", "dog", "eel", "fox", "gnu", "hen", "ibis", "jay", "kiwi", "lark"})
      many.push_back(name);
    const ConditionColours twelve = conditionColours(many, "condition", style);
    QCOMPARE(twelve.scheme, std::string("categorical"));
    for (std::size_t a = 0; a < 12; ++a)
      for (std::size_t b = a + 1; b < 12; ++b) {
        const views::Rgb& x = twelve.colours[a];
        const views::Rgb& y = twelve.colours[b];
        const double distance = std::abs(x.r - y.r) + std::abs(x.g - y.g) + std::abs(x.b - y.b);
        QVERIFY2(distance > 0.15, qPrintable(QString("%1 and %2 look alike").arg(a).arg(b)));
      }
  }

  // The cyclic map closes on itself and keeps one lightness; behaviour directions in degrees.
  void cyclicMapAndBehaviourDirection() {
    const Colormap cyclic = colormapByName("cyclic");
    QCOMPARE(views::toHex(cyclic.at(0.0)), views::toHex(cyclic.at(1.0)));
    const auto luma = [](const views::Rgb& c) { return 0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b; };
    double low = 1.0, high = 0.0;
    for (int i = 0; i <= 36; ++i) {
      low = std::min(low, luma(cyclic.at(i / 36.0)));
      high = std::max(high, luma(cyclic.at(i / 36.0)));
    }
    QVERIFY2(high - low < 0.12, qPrintable(QString("luma %1 .. %2").arg(low).arg(high)));

    FloatArray velocity({1, 5, 2}, std::vector<float>{1, 0, 0, 2, -3, 0, 0, -1, std::nanf(""), 0});
    const VertexValues direction = behaviorValues(velocity, "hand_vel", "", defaultFigureStyle());
    QCOMPARE(direction.part, std::string("direction"));
    QCOMPARE(direction.colormap, std::string("cyclic"));
    QCOMPARE(direction.values.values()[0], 0.0F);
    QCOMPARE(direction.values.values()[1], 90.0F);
    QCOMPARE(direction.values.values()[2], 180.0F);
    QCOMPARE(direction.values.values()[3], -90.0F);
    QVERIFY(std::isnan(direction.values.values()[4]));
    const VertexValues speed = behaviorValues(velocity, "hand_vel", "speed", defaultFigureStyle());
    QCOMPARE(speed.values.values()[1], 2.0F);
    QCOMPARE(behaviorValues(velocity, "hand_vel", "1", defaultFigureStyle()).values.values()[3], -1.0F);
    QVERIFY_THROWS_EXCEPTION(InputError, (void)behaviorValues(velocity, "hand_vel", "2", defaultFigureStyle()));

    std::string name;
    std::string part;
    QVERIFY(parseColourBy("behavior:hand_vel:speed", &name, &part) == ColourBy::Behavior);
    QCOMPARE(name, std::string("hand_vel"));
    QCOMPARE(part, std::string("speed"));
    QVERIFY(parseColourBy("behavior:hand_vel", &name, &part) == ColourBy::Behavior);
    QCOMPARE(part, std::string());
    QVERIFY_THROWS_EXCEPTION(InputError, (void)parseColourBy("behavior:hand_vel:sideways"));
  }

  void niceTicksHandSolved() {
    QCOMPARE(niceTicks(0.0, 1.0, 5), asVector({0.0, 0.2, 0.4, 0.6, 0.8, 1.0}));
    QCOMPARE(niceTicks(0.0, 100.0, 5), asVector({0.0, 20.0, 40.0, 60.0, 80.0, 100.0}));
    // rough step (12.2 + 3.7) / 5 = 3.18 -> 5
    QCOMPARE(niceTicks(-3.7, 12.2, 5), asVector({0.0, 5.0, 10.0}));
    // rough step 0.3 -> 0.5 (1, 2, 2.5 x 0.1 are too small); a symmetric diverging range
    QCOMPARE(niceTicks(-1.5, 1.5, 10), asVector({-1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5}));
    QCOMPARE(niceTicks(-1.5, 1.5, 6), asVector({-1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5}));
    QCOMPARE(niceTicks(2.0, 2.0, 5), asVector({2.0}));
    QVERIFY(niceTicks(0.0, std::nan(""), 5).empty());
    QCOMPARE(tickText(0.25, 0.25), std::string("0.25"));
    QCOMPARE(tickText(100.0, 20.0), std::string("100"));
    QCOMPARE(tickText(2.5, 2.5), std::string("2.5"));
    QCOMPARE(tickText(-0.0000001, 0.5), std::string("0.0"));
    QCOMPARE(tickText(-1.5, 0.5), std::string("-1.5"));
  }

  void significanceStarsByThreshold() {
    QCOMPARE(significanceStars(0.0004), std::string("***"));
    QCOMPARE(significanceStars(0.001), std::string("**"));
    QCOMPARE(significanceStars(0.009), std::string("**"));
    QCOMPARE(significanceStars(0.01), std::string("*"));
    QCOMPARE(significanceStars(0.049), std::string("*"));
    QCOMPARE(significanceStars(0.05), std::string());
    QCOMPARE(significanceStars(std::nan("")), std::string());
    QCOMPARE(significanceStars(0.09, 0.1), std::string("*"));
  }

  // Every map within 2.5/255 (far below a visible step) of every entry of matplotlib's 256-entry table.
  void colourMapsMatchMatplotlib() {
    QProcess python;
    python.start(NEUROLENS_TEST_PYTHON, {QString(NEUROLENS_SOURCE_DIR) + "/tests/views/python/plot_colormaps.py"});
    QVERIFY(python.waitForFinished(60000));
    if (python.exitCode() != 0) {
      const QString error = python.readAllStandardError();
      if (error.contains("No module named")) QSKIP(qPrintable("matplotlib missing in the test Python: " + error));
      QFAIL(qPrintable(error));
    }
    const QStringList lines = QString(python.readAllStandardOutput()).split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 4);
    for (const QString& line : lines) {
      const QStringList fields = line.split(' ');
      const Colormap map = colormapByName(fields[0].toStdString());
      const int entries = (fields.size() - 1) / 3;
      QCOMPARE(entries, 256);
      double worst = 0.0;
      for (int i = 0; i < entries; ++i) {
        const views::Rgb c = map.at(i / (entries - 1.0));
        worst = std::max({worst, std::abs(c.r - fields[1 + 3 * i].toDouble()),
                          std::abs(c.g - fields[2 + 3 * i].toDouble()), std::abs(c.b - fields[3 + 3 * i].toDouble())});
      }
      QVERIFY2(worst * 255.0 < 2.5, qPrintable(QString("%1 differs by %2/255").arg(fields[0]).arg(worst * 255.0)));
    }
    QVERIFY(colormapByName("coolwarm").diverging());
    QVERIFY(!colormapByName("viridis").diverging());
    QVERIFY_THROWS_EXCEPTION(InputError, (void)colormapByName("jet"));
  }

  void defaultStyleFileMatchesBuiltIn() {
    const FigureStyle fromFile = loadFigureStyle(NEUROLENS_SOURCE_DIR "/resources/styles/default.json");
    const FigureStyle builtIn = defaultFigureStyle();
    QCOMPARE(fromFile.fontFamily, builtIn.fontFamily);
    QCOMPARE(fromFile.labelPt, builtIn.labelPt);
    QCOMPARE(fromFile.tickPt, builtIn.tickPt);
    QCOMPARE(fromFile.trajectoryLinePt, builtIn.trajectoryLinePt);
    QCOMPARE(fromFile.categorical.size(), builtIn.categorical.size());
    for (std::size_t i = 0; i < builtIn.categorical.size(); ++i)
      QCOMPARE(views::toHex(fromFile.categorical[i]), views::toHex(views::categoricalColour(i)));
    QCOMPARE(fromFile.sequentialColormap, std::string("viridis"));
    QCOMPARE(fromFile.divergingColormap, std::string("coolwarm"));
  }

  void styleErrorsNameTheKey_data() {
    QTest::addColumn<QString>("json");
    QTest::addColumn<QString>("expected");
    QTest::newRow("not json") << "{ title_pt: 9"
                              << "not a valid JSON";
    QTest::newRow("unknown key") << "{\"titel_pt\": 9}"
                                 << "titel_pt";
    QTest::newRow("negative size") << "{\"label_pt\": -2}"
                                   << "label_pt";
    QTest::newRow("size as text") << "{\"tick_pt\": \"big\"}"
                                  << "tick_pt";
    QTest::newRow("bad colour") << "{\"categorical\": [\"#12345\"]}"
                                << "categorical";
    QTest::newRow("sequential as diverging") << "{\"diverging_colormap\": \"viridis\"}"
                                             << "diverging";
    QTest::newRow("unknown map") << "{\"sequential_colormap\": \"jet\"}"
                                 << "jet";
    QTest::newRow("array") << "[1, 2]"
                           << "one JSON object";
  }
  void styleErrorsNameTheKey() {
    QFETCH(QString, json);
    QFETCH(QString, expected);
    try {
      (void)figureStyleFromJson(json.toStdString(), "my_style.json");
      QFAIL("no error");
    } catch (const InputError& e) {
      const QString message = e.what();
      QVERIFY2(message.contains(expected) && message.contains("my_style.json"), qPrintable(message));
    }
    QVERIFY_THROWS_EXCEPTION(InputError, (void)loadFigureStyle("/nonexistent/style.json"));
  }

  // Named styles: compiled in from resources/styles, the publication sizes, a file path still works.
  void namedStyles() {
    QCOMPARE(builtinFigureStyleNames(), (std::vector<std::string>{"default", "nature-1col", "nature-2col", "slides"}));
    const FigureStyle one = figureStyleNamed("nature-1col");
    QCOMPARE(one.widthMm.value_or(0.0), 89.0);
    QCOMPARE(one.dpi.value_or(0.0), 600.0);
    QVERIFY(one.tickPt >= 5.0 && one.titlePt <= 7.0);         // 5-7 pt text
    QVERIFY(one.axisLinePt >= 0.5 && one.dataLinePt <= 1.0);  // 0.5-1 pt lines
    QCOMPARE(figureStyleNamed("nature-2col").widthMm.value_or(0.0), 183.0);
    const FigureStyle slides = figureStyleNamed("slides");
    QCOMPARE(std::lround(*slides.widthMm / 25.4 * *slides.dpi), 1920L);
    QCOMPARE(std::lround(*slides.heightMm / 25.4 * *slides.dpi), 1080L);
    QVERIFY(!figureStyleNamed("default").widthMm.has_value());
    QCOMPARE(figureStyleNamed(NEUROLENS_SOURCE_DIR "/resources/styles/nature-2col.json").widthMm.value_or(0.0), 183.0);
    try {
      (void)figureStyleNamed("nature");
      QFAIL("no error");
    } catch (const InputError& e) {
      QVERIFY2(QString(e.what()).contains("nature-1col"), e.what());
    }
    QVERIFY_THROWS_EXCEPTION(InputError, (void)figureStyleFromJson("{\"width_mm\": -3}"));
    QVERIFY_THROWS_EXCEPTION(InputError, (void)figureStyleFromJson("{\"dpi\": 5}"));
  }

  void styleOverridesApply() {
    const FigureStyle style = figureStyleFromJson("{\"categorical\": [\"#ff0000\", \"#00ff00\"], \"label_pt\": 11}");
    QCOMPARE(style.labelPt, 11.0);
    QCOMPARE(views::toHex(style.categoryColour(0)), std::string("#ff0000"));
    QCOMPARE(views::toHex(style.categoryColour(3)), std::string("#00ff00"));  // cycles
    QCOMPARE(style.tickPt, defaultFigureStyle().tickPt);                      // untouched key keeps its default
  }

  // Cell colours read back from pixels: the colour map at the normalised value,
  // rows in type order (pyramidal 0,1 on top, then interneuron 3,4).
  void heatmapColoursAndGroupOrder() {
    const FigureStyle style = defaultFigureStyle();
    HeatmapPlot plot(groupedHeatmap());
    QCOMPARE(plot.rowOrder(), (std::vector<std::size_t>{0, 2, 1, 3}));
    QCOMPARE(plot.groupOrder(), (std::vector<std::string>{"pyramidal", "interneuron"}));
    QCOMPARE(plot.colourRange(), std::make_pair(0.0, 4.0));
    Figure figure;
    figure.add(std::make_unique<HeatmapPlot>(groupedHeatmap()));
    const QImage image = renderFigure(figure, {1200, 900, 150.0, false}, style);
    const Colormap viridis = colormapByName("viridis");
    int previousTop = -1;
    // The colour bar (right of the cells) holds every colour too: look left of it.
    const QImage cellsOnly = image.copy(0, 0, image.width() * 3 / 5, image.height());
    for (const double value : {0.0, 1.0, 3.0, 4.0}) {
      const QRect box = boxOfColour(cellsOnly, qcolour(viridis.at(value / 4.0)), 3);
      QVERIFY2(box.width() > 250 && box.height() > 80,
               qPrintable(QString("value %1: cell box %2x%3").arg(value).arg(box.width()).arg(box.height())));
      QVERIFY2(box.top() > previousTop, qPrintable(QString("value %1 is not below the previous row").arg(value)));
      previousTop = box.top();
    }
  }

  // A signed matrix gets a symmetric range and zero sits at the diverging map's centre.
  void divergingRangeIsSymmetric() {
    HeatmapData data;
    data.values = FloatArray({1, 3}, {-1.0F, 0.0F, 3.0F});
    data.scale = ColourScale::Diverging;
    HeatmapPlot plot(data);
    QCOMPARE(plot.colourRange(), std::make_pair(-3.0, 3.0));
    Figure figure;
    figure.add(std::make_unique<HeatmapPlot>(data));
    const QImage image = renderFigure(figure, {900, 600, 100.0, false}, defaultFigureStyle());
    const Colormap coolwarm = colormapByName("coolwarm");
    QVERIFY(boxOfColour(image, qcolour(coolwarm.at(0.5)), 3).width() > 150);        // the zero cell
    QVERIFY(boxOfColour(image, qcolour(coolwarm.at(1.0)), 3).width() > 150);        // +3 at the top end
    QVERIFY(boxOfColour(image, qcolour(coolwarm.at(2.0 / 6.0)), 3).width() > 150);  // -1
  }

  void shapeErrorsAreInputErrors() {
    HeatmapData bad = groupedHeatmap();
    bad.rowGroups.pop_back();
    QVERIFY_THROWS_EXCEPTION(InputError, HeatmapPlot{bad});
    bad = groupedHeatmap();
    bad.pValues = FloatArray({2, 2}, 0.01F);
    bad.pValueGroups = {"pyramidal", "interneuron"};
    QVERIFY_THROWS_EXCEPTION(InputError, HeatmapPlot{bad});
    bad = groupedHeatmap();
    bad.pValues = FloatArray({1, 3}, 0.01F);
    bad.pValueGroups = {"basket"};
    QVERIFY_THROWS_EXCEPTION(InputError, HeatmapPlot{bad});
    QVERIFY_THROWS_EXCEPTION(InputError, HeatmapPlot{HeatmapData{}});
    QVERIFY_THROWS_EXCEPTION(InputError, BarPlot{BarData{}});
    QVERIFY_THROWS_EXCEPTION(InputError, LinePlot{LineData{}});
    QVERIFY_THROWS_EXCEPTION(InputError, RasterPlot{RasterData{}});
    Figure figure;
    QVERIFY_THROWS_EXCEPTION(InputError, (void)renderFigure(figure, {0, 100, 300.0, false}, defaultFigureStyle()));
    QVERIFY_THROWS_EXCEPTION(InputError, (void)renderFigure(figure, {100, 100, 0.0, false}, defaultFigureStyle()));
  }

  // DPI sets text and line scale: the same figure at twice the pixels and twice
  // the DPI, shrunk back, looks like the original (layout in points, not pixels).
  void dpiScalesTextAndLines() {
    const FigureStyle style = defaultFigureStyle();
    const auto figure = sheetFigure();
    const QImage small = renderFigure(*figure, {800, 600, 100.0, false}, style);
    const QImage large = renderFigure(*figure, {1600, 1200, 200.0, false}, style);
    const QImage shrunk = large.scaled(800, 600, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
    const double sameScale = testing::meanAbsoluteDifference(small, shrunk);
    // Control: the large size at the small DPI (text half as big relative to the page) differs much more.
    const QImage unscaled = renderFigure(*figure, {1600, 1200, 100.0, false}, style)
                                .scaled(800, 600, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
    const double otherScale = testing::meanAbsoluteDifference(small, unscaled);
    QVERIFY2(sameScale < 6.0 && otherScale > 2.0 * sameScale,
             qPrintable(QString("difference %1 at matched DPI, %2 at unmatched").arg(sameScale).arg(otherScale)));
  }

  void pngHasExactSizeDpiAndTransparency() {
    QTemporaryDir dir;
    const QString path = dir.filePath("sheet.png");
    exportFigure(*sheetFigure(), path.toStdString(), {1000, 700, 300.0, true}, defaultFigureStyle());
    QImageReader reader(path);
    QCOMPARE(QString(reader.format()), QString("png"));
    const QImage image = reader.read();
    QCOMPARE(image.size(), QSize(1000, 700));
    QVERIFY(std::abs(image.dotsPerMeterX() * 0.0254 - 300.0) < 1.0);
    QCOMPARE(qAlpha(image.pixel(0, 0)), 0);
    QCOMPARE(qAlpha(image.pixel(999, 699)), 0);
    // No temporary left beside the file.
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{"sheet.png"});
  }

  void svgParsesAndHoldsItsText() {
    QTemporaryDir dir;
    const QString path = dir.filePath("sheet.svg");
    const auto figure = sheetFigure();
    exportFigure(*figure, path.toStdString(), {1600, 1200, 300.0, false}, defaultFigureStyle());
    QSvgRenderer renderer(path);
    QVERIFY(renderer.isValid());
    QCOMPARE(renderer.viewBoxF(), QRectF(0, 0, 1600, 1200));
    const QString svg = testing::readAll(path);
    QVERIFY(svg.contains("<text"));
    for (const std::string& label : figure->labels())
      QVERIFY2(svg.contains(QString::fromStdString(label).toHtmlEscaped()),
               qPrintable("missing in SVG: " + QString::fromStdString(label)));
    for (const char* expected : {"A", "B", "C", "D", "time (ms)", "unit", "***", "**", "pyramidal", "share of profile"})
      QVERIFY2(svg.contains(QString(">%1<").arg(QString(expected).toHtmlEscaped())) || svg.contains(expected),
               expected);
    // Vector cells, not one embedded picture.
    QVERIFY(!svg.contains("<image"));
  }

  void pdfParsesAndHoldsItsText() {
    QTemporaryDir dir;
    const QString path = dir.filePath("sheet.pdf");
    const auto figure = sheetFigure();
    exportFigure(*figure, path.toStdString(), {1600, 1200, 300.0, false}, defaultFigureStyle());
    const QString raw = testing::readAll(path);
    QVERIFY(raw.startsWith("%PDF"));
    const testing::PdfText extracted = testing::pdfText(path);
    if (extracted.tool.isEmpty()) QSKIP("neither pdftotext (poppler-utils) nor gs is installed");
    QVERIFY2(extracted.error.isEmpty(), qPrintable(extracted.error));
    const QString text = testing::collapsed(extracted.text);
    for (const char* expected : {"time (ms)", "spikes per bin", "pyramidal", "interneuron", "unit type",
                                 "type x latent association", "predicted", "actual", "hand x (cm)", "speed"})
      QVERIFY2(
          text.contains(expected),
          qPrintable(QString("'%1' missing from the PDF text (%2): %3").arg(expected, extracted.tool, text.left(400))));
    // Page: 1600/300 x 1200/300 inches = 384 x 288 points.
    QVERIFY2(raw.contains(QRegularExpression("MediaBox \\[0 0 384(\\.0+)? 288(\\.0+)?\\]")),
             qPrintable(raw.left(2000)));
  }

  void unwritableAndUnknownPathsAreInputErrors() {
    const auto figure = sheetFigure();
    QVERIFY_THROWS_EXCEPTION(InputError,
                             exportFigure(*figure, "/nonexistent-dir/figure.png", {}, defaultFigureStyle()));
    QVERIFY_THROWS_EXCEPTION(InputError, exportFigure(*figure, "figure.tiff", {}, defaultFigureStyle()));
    QCOMPARE(formatForPath("A.PDF"), FigureFormat::Pdf);
  }

  void rasterSortsUnitsByGroup() {
    RasterData data;
    data.spikeTimesMs = {{100.0, 200.0}, {500.0}, {300.0, 900.0}};
    data.unitGroups = {"b", "a", "b"};
    data.endMs = 1000.0;
    Figure figure;
    figure.add(std::make_unique<RasterPlot>(data));
    FigureStyle style = defaultFigureStyle();
    const QImage image = renderFigure(figure, {800, 600, 150.0, false}, style);
    // Group "b" (first seen) draws in category colour 0 above group "a" in colour 1.
    const QRect b = boxOfColour(image, qcolour(style.categoryColour(0)), 40);
    const QRect a = boxOfColour(image, qcolour(style.categoryColour(1)), 40);
    QVERIFY(!a.isNull() && !b.isNull());
    QVERIFY(b.bottom() < a.top());
    // Spike at 500 ms of unit 1 lies half way across the time axis of the a-group ticks;
    // b's ticks span 100 .. 900 ms.
    QVERIFY(b.width() > a.width());
    const std::vector<std::string> labels = RasterPlot(data).labels();
    QVERIFY(std::find(labels.begin(), labels.end(), "a") != labels.end());
  }
};

QTEST_MAIN(TestPlots)
#include "test_plots.moc"
