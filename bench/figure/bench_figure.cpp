// bench_figure: exporting 2,000 latent trajectories x 100 bins as a 2400x1800 PNG
// (offscreen VTK render + vector legend + PNG encoding + atomic write) against
// matplotlib (Agg, mplot3d) drawing and saving the same points at its defaults,
// in the same run on the same machine. Needs an X display (xvfb-run -a).
//
// Usage: bench_figure [--trials N] [--bins B] [--repeats R] [--python PY] [--out results.md] [--keep DIR]
#include <QApplication>
#include <QBuffer>
#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QImageWriter>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSurfaceFormat>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QThread>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "neurolens/views/demo_trajectories.h"
#include "neurolens/views/figure/figure.h"
#include "neurolens/views/figure/trajectory_figure.h"
#include "neurolens/views/vtk_view_widget.h"

using namespace neurolens;

namespace {

bool writePoints(const QString& path, const views::DemoTrajectories& demo) {
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly)) return false;
  const std::int64_t shape[3] = {static_cast<std::int64_t>(demo.points.dim(0)),
                                 static_cast<std::int64_t>(demo.points.dim(1)), 3};
  file.write(reinterpret_cast<const char*>(shape), sizeof shape);
  file.write(reinterpret_cast<const char*>(demo.points.data()),
             static_cast<qint64>(demo.points.size() * sizeof(float)));
  const std::vector<std::int32_t> condition(demo.condition.begin(), demo.condition.end());
  file.write(reinterpret_cast<const char*>(condition.data()),
             static_cast<qint64>(condition.size() * sizeof(std::int32_t)));
  return true;
}

QString cpuName() {
  QFile cpuinfo("/proc/cpuinfo");
  if (cpuinfo.open(QIODevice::ReadOnly))
    for (const QByteArray& line : cpuinfo.readAll().split('\n'))
      if (line.startsWith("model name")) return QString::fromUtf8(line.mid(line.indexOf(':') + 1)).trimmed();
  return "unknown CPU";
}

// "1.23, 2.34, 3.45": the 1, 5 and 15 minute load averages (other work on the machine).
QString loadAverage() {
  QFile file("/proc/loadavg");
  if (!file.open(QIODevice::ReadOnly)) return "unknown";
  const QList<QByteArray> fields = file.readAll().split(' ');
  return fields.size() >= 3 ? QString("%1, %2, %3").arg(fields[0], fields[1], fields[2]) : "unknown";
}

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Where the export's time goes: scene set-up, offscreen render + readback (with and
// without multisampling), painting the page, and PNG encoding at a few levels.
void profileStages(const views::DemoTrajectories& demo, views::figure::FigureStyle style, int width, int height,
                   const QString& workDir) {
  for (const int samples : {8, 0}) {
    style.multiSamples3d = samples;
    for (int repeat = 0; repeat < 2; ++repeat) {
      views::TrajectoryData data;
      data.points = demo.points;
      data.condition = demo.condition;
      auto start = std::chrono::steady_clock::now();
      views::figure::TrajectoryRenderer renderer(std::move(data), views::figure::TrajectoryViewOptions{}, style);
      const double setUp = secondsSince(start);
      start = std::chrono::steady_clock::now();
      const QImage image = renderer.render(width, height, 300.0, false);
      const double render = secondsSince(start);
      std::printf("msaa %d: scene set-up %.3f s, offscreen render + readback %.3f s\n", samples, setUp, render);
      if (repeat == 1 && samples == 0) {
        for (const int quality : {-1, 50, 80, 90, 100}) {
          QBuffer buffer;
          buffer.open(QIODevice::WriteOnly);
          QImageWriter writer(&buffer, "png");
          writer.setQuality(quality);
          start = std::chrono::steady_clock::now();
          writer.write(image.convertToFormat(QImage::Format_RGB32));
          std::printf("Qt PNG writer, quality %d: %.3f s, %lld bytes\n", quality, secondsSince(start),
                      static_cast<long long>(buffer.size()));
        }
        image.save(workDir + "/profile_msaa0.png");
      }
    }
  }
  // Variants without multisampling: hairlines (no wide-line geometry shader), no axes.
  style.multiSamples3d = 0;
  for (const int variant : {0, 1, 2}) {
    views::figure::FigureStyle variantStyle = style;
    views::figure::TrajectoryViewOptions view;
    if (variant == 0) variantStyle.trajectoryLinePt = 72.0 / 300.0;
    if (variant >= 1) view.showAxes = false;
    if (variant == 2) view.showMarkers = false;
    for (int repeat = 0; repeat < 2; ++repeat) {
      views::TrajectoryData data;
      data.points = demo.points;
      data.condition = demo.condition;
      views::figure::TrajectoryRenderer renderer(std::move(data), view, variantStyle);
      const auto start = std::chrono::steady_clock::now();
      const QImage image = renderer.render(width, height, 300.0, false);
      std::printf("%s: offscreen render + readback %.3f s\n",
                  variant == 0 ? "1-pixel lines" : (variant == 1 ? "no axes" : "no axes, no markers"),
                  secondsSince(start));
    }
  }
  // The whole page (3-D view + legend) without the PNG encoding.
  for (int repeat = 0; repeat < 2; ++repeat) {
    views::TrajectoryData data;
    data.points = demo.points;
    data.condition = demo.condition;
    views::figure::Figure figure;
    figure.add(
        std::make_unique<views::figure::TrajectoryPlot>(std::move(data), views::figure::TrajectoryViewOptions{}));
    const auto start = std::chrono::steady_clock::now();
    const QImage page = views::figure::renderFigure(figure, {width, height, 300.0, false}, style);
    std::printf("page (render + legend), no PNG: %.3f s\n", secondsSince(start));
    const auto encoded = std::chrono::steady_clock::now();
    views::figure::exportFigure(figure, (workDir + "/profile_page.png").toStdString(), {width, height, 300.0, false},
                                style);
    std::printf("page + NeuroLens PNG writer + file (exportFigure): %.3f s\n", secondsSince(encoded));
  }
}

}  // namespace

int main(int argc, char** argv) {
  const char* display = std::getenv("DISPLAY");
  if (display == nullptr || display[0] == '\0') {
    std::fprintf(stderr, "bench_figure needs an X display: run it under xvfb-run -a\n");
    return 77;
  }
  QSurfaceFormat::setDefaultFormat(views::VtkViewWidget::defaultFormat());
  QApplication app(argc, argv);
  QCommandLineParser parser;
  parser.addHelpOption();
  const QCommandLineOption trialsOption("trials", "Trajectories", "N", "2000");
  const QCommandLineOption binsOption("bins", "Bins per trajectory", "B", "100");
  const QCommandLineOption repeatsOption("repeats", "Timed repeats (best is reported)", "R", "3");
  const QCommandLineOption pythonOption("python", "Python with matplotlib", "PY", "/usr/bin/python3");
  const QCommandLineOption outOption("out", "Markdown results file", "FILE");
  const QCommandLineOption keepOption("keep", "Keep the PNGs in this folder", "DIR");
  const QCommandLineOption profileOption("profile", "Time the stages of one export (render, readback, PNG) and exit");
  parser.addOptions({trialsOption, binsOption, repeatsOption, pythonOption, outOption, keepOption, profileOption});
  parser.process(app);
  const auto trials = static_cast<std::size_t>(parser.value(trialsOption).toInt());
  const auto bins = static_cast<std::size_t>(parser.value(binsOption).toInt());
  const int repeats = std::max(1, parser.value(repeatsOption).toInt());
  constexpr int kWidth = 2400;
  constexpr int kHeight = 1800;

  QTemporaryDir scratch;
  const QString workDir = parser.isSet(keepOption) ? parser.value(keepOption) : scratch.path();
  QDir().mkpath(workDir);
  const std::size_t conditions = 8;
  const views::DemoTrajectories demo = views::makeRotationalTrajectories(conditions, trials / conditions, bins, 7);
  const QString pointsPath = workDir + "/points.bin";
  if (!writePoints(pointsPath, demo)) {
    std::fprintf(stderr, "cannot write %s\n", qPrintable(pointsPath));
    return 1;
  }

  // NeuroLens: the `figure --view trajectories` path from plain arrays to a PNG file.
  views::figure::FigureStyle style = views::figure::defaultFigureStyle();
  if (parser.isSet(profileOption)) {
    profileStages(demo, style, kWidth, kHeight, workDir);
    return 0;
  }
  // Timed twice: drawing what matplotlib draws (lines, axes, plus our legend), and
  // with the start / end / time-cursor markers a NeuroLens figure shows by default.
  const auto timeExport = [&](bool markers, const QString& png) {
    std::vector<double> seconds;
    for (int r = 0; r < repeats; ++r) {
      const auto start = std::chrono::steady_clock::now();
      views::TrajectoryData data;
      data.points = demo.points;
      data.condition = demo.condition;
      views::figure::TrajectoryViewOptions view;
      view.showMarkers = markers;
      views::figure::Figure figure;
      figure.add(std::make_unique<views::figure::TrajectoryPlot>(std::move(data), view));
      views::figure::exportFigure(figure, png.toStdString(), {kWidth, kHeight, 300.0, false}, style);
      seconds.push_back(secondsSince(start));
    }
    return *std::min_element(seconds.begin(), seconds.end());
  };
  const QString loadBefore = loadAverage();
  const double ours = timeExport(false, workDir + "/neurolens.png");
  const double oursWithMarkers = timeExport(true, workDir + "/neurolens_markers.png");

  QProcess python;
  python.start(parser.value(pythonOption),
               {QString(NEUROLENS_BENCH_DIR) + "/matplotlib_figure.py", pointsPath, QString::number(kWidth),
                QString::number(kHeight), workDir, QString::number(repeats)});
  if (!python.waitForFinished(30 * 60 * 1000) || python.exitCode() != 0) {
    std::fprintf(stderr, "matplotlib reference failed: %s\n", python.readAllStandardError().constData());
    return 1;
  }
  const QJsonObject reference = QJsonDocument::fromJson(python.readAllStandardOutput().trimmed()).object();
  const double perTrial = reference["per_trial_s"].toDouble();
  const double collection = reference["collection_s"].toDouble();
  const QString loadAfter = loadAverage();

  const QString summary =
      QString(
          "# Figure export benchmark\n\n"
          "%1 trajectories x %2 bins (8 conditions, `makeRotationalTrajectories`, seed 7) exported as a "
          "%3x%4 PNG at 300 dpi, file written, same run, same machine.\n\n"
          "| what | seconds (best of %5) |\n| --- | --- |\n"
          "| NeuroLens `TrajectoryPlot` + `exportFigure`: lines, axes, legend (what matplotlib draws, plus a legend) "
          "| %6 |\n"
          "| NeuroLens, same, with start / end / time-cursor markers (the default view) | %7 |\n"
          "| matplotlib %8, Agg, mplot3d, one `ax.plot` per trial, `savefig` (its defaults) | %9 |\n"
          "| matplotlib, one `Line3DCollection` per condition, `savefig` | %10 |\n\n"
          "**Speed-up: %11x over matplotlib's per-trial `ax.plot` (target: at least 5x), %12x over its "
          "`Line3DCollection` fast path** (lines, axes and legend; with markers: %13x and %14x).\n\n"
          "Machine: %15, %16 cores, %17; OpenGL through Xvfb (Mesa llvmpipe, software rendering). "
          "Load average (1, 5, 15 min) before: %18; after: %19.\n"
          "Run: `xvfb-run -a build/bin/bench_figure --out bench/results/figure.md` "
          "(`--profile` prints where the time goes).\n")
          .arg(trials)
          .arg(bins)
          .arg(kWidth)
          .arg(kHeight)
          .arg(repeats)
          .arg(ours, 0, 'f', 3)
          .arg(oursWithMarkers, 0, 'f', 3)
          .arg(reference["matplotlib"].toString())
          .arg(perTrial, 0, 'f', 3)
          .arg(collection, 0, 'f', 3)
          .arg(perTrial / ours, 0, 'f', 1)
          .arg(collection / ours, 0, 'f', 1)
          .arg(perTrial / oursWithMarkers, 0, 'f', 1)
          .arg(collection / oursWithMarkers, 0, 'f', 1)
          .arg(cpuName())
          .arg(QThread::idealThreadCount())
          .arg(QSysInfo::prettyProductName())
          .arg(loadBefore, loadAfter);
  std::printf("%s", qPrintable(summary));
  if (parser.isSet(outOption)) {
    QFile out(parser.value(outOption));
    if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
      std::fprintf(stderr, "cannot write %s\n", qPrintable(parser.value(outOption)));
      return 1;
    }
    out.write(summary.toUtf8());
  }
  return 0;
}
