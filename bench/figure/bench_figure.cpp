// bench_figure: exporting 2,000 latent trajectories x 100 bins as a 2400x1800 PNG
// (offscreen VTK render + vector legend + PNG encoding + atomic write) against
// matplotlib (Agg, mplot3d) drawing and saving the same points at its defaults,
// in the same run on the same machine. Needs an X display (xvfb-run -a).
//
// Usage: bench_figure [--trials N] [--bins B] [--repeats R] [--python PY] [--out results.md] [--keep DIR]
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFile>
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
  parser.addOptions({trialsOption, binsOption, repeatsOption, pythonOption, outOption, keepOption});
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
  std::vector<double> seconds;
  const QString ourPng = workDir + "/neurolens.png";
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    views::TrajectoryData data;
    data.points = demo.points;
    data.condition = demo.condition;
    views::figure::Figure figure;
    figure.add(
        std::make_unique<views::figure::TrajectoryPlot>(std::move(data), views::figure::TrajectoryViewOptions{}));
    views::figure::exportFigure(figure, ourPng.toStdString(), {kWidth, kHeight, 300.0, false}, style);
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  const double ours = *std::min_element(seconds.begin(), seconds.end());

  QProcess python;
  python.start(parser.value(pythonOption),
               {QString(NEUROLENS_BENCH_DIR) + "/matplotlib_figure.py", pointsPath, QString::number(kWidth),
                QString::number(kHeight), workDir, QString::number(std::max(1, repeats - 1))});
  if (!python.waitForFinished(30 * 60 * 1000) || python.exitCode() != 0) {
    std::fprintf(stderr, "matplotlib reference failed: %s\n", python.readAllStandardError().constData());
    return 1;
  }
  const QJsonObject reference = QJsonDocument::fromJson(python.readAllStandardOutput().trimmed()).object();
  const double perTrial = reference["per_trial_s"].toDouble();
  const double collection = reference["collection_s"].toDouble();
  const double best = std::min(perTrial, collection);
  const double ratio = best / ours;

  const QString summary =
      QString(
          "# Figure export benchmark\n\n"
          "%1 trajectories x %2 bins (8 conditions, `makeRotationalTrajectories`, seed 7) exported as a "
          "%3x%4 PNG, file written, same run, same machine.\n\n"
          "| what | seconds (best of %5) |\n| --- | --- |\n"
          "| NeuroLens `TrajectoryPlot` + `exportFigure` (offscreen VTK, 300 dpi, legend, PNG) | %6 |\n"
          "| matplotlib %7, Agg, mplot3d, one `ax.plot` per trial, `savefig` | %8 |\n"
          "| matplotlib, one `Line3DCollection` per condition, `savefig` | %9 |\n\n"
          "**Speed-up over the faster matplotlib path: %10x** (target: at least 5x).\n\n"
          "Machine: %11, %12 cores, %13; OpenGL through Xvfb (Mesa llvmpipe, software rendering).\n"
          "Run: `xvfb-run -a build/bin/bench_figure --out bench/results/figure.md`.\n")
          .arg(trials)
          .arg(bins)
          .arg(kWidth)
          .arg(kHeight)
          .arg(repeats)
          .arg(ours, 0, 'f', 3)
          .arg(reference["matplotlib"].toString())
          .arg(perTrial, 0, 'f', 3)
          .arg(collection, 0, 'f', 3)
          .arg(ratio, 0, 'f', 1)
          .arg(cpuName())
          .arg(QThread::idealThreadCount())
          .arg(QSysInfo::prettyProductName());
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
