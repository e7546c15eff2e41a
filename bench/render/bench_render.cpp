// bench_render: frames per second of the trajectory view while the camera turns,
// against matplotlib (mplot3d, Agg) drawing one frame of the same data, in one run.
//
//   xvfb-run -a -s "-screen 0 1920x1080x24" bench_render [--python /usr/bin/python3]
//       [--trajectories 2000] [--bins 100] [--frames 150] [--out bench/results/render.md]
//
// The on-screen number is the real interactive path: a VtkViewWidget in a shown
// window, repainted through the Qt event loop (paintGL + glFinish) once per camera step.
#include <vtkCamera.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>

#include <QApplication>
#include <QCommandLineParser>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMainWindow>
#include <QOpenGLContext>
#include <QOpenGLFunctions>
#include <QProcess>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QTextStream>
#include <QThread>
#include <QtTest/QtTest>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <string>

#include "neurolens/views/demo_trajectories.h"
#include "neurolens/views/offscreen_renderer.h"
#include "neurolens/views/trajectory_scene.h"
#include "neurolens/views/vtk_view_widget.h"

using namespace neurolens;
using Clock = std::chrono::steady_clock;

namespace {

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

QString cpuModel() {
  QFile file("/proc/cpuinfo");
  if (!file.open(QIODevice::ReadOnly)) return "unknown CPU";
  for (const QByteArray& line : file.readAll().split('\n')) {
    if (line.startsWith("model name")) return QString::fromUtf8(line.mid(line.indexOf(':') + 1)).trimmed();
  }
  return "unknown CPU";
}

QString glRenderer() {
  QOpenGLContext* context = QOpenGLContext::currentContext();
  if (context == nullptr) return "unknown";
  const auto* text = reinterpret_cast<const char*>(context->functions()->glGetString(GL_RENDERER));
  const auto* version = reinterpret_cast<const char*>(context->functions()->glGetString(GL_VERSION));
  return QString("%1, OpenGL %2").arg(text ? text : "?", version ? version : "?");
}

void writePoints(const QString& path, const views::DemoTrajectories& demo) {
  std::ofstream out(path.toStdString(), std::ios::binary);
  const std::int64_t shape[3] = {static_cast<std::int64_t>(demo.points.dim(0)),
                                 static_cast<std::int64_t>(demo.points.dim(1)), 3};
  out.write(reinterpret_cast<const char*>(shape), sizeof shape);
  out.write(reinterpret_cast<const char*>(demo.points.data()),
            static_cast<std::streamsize>(demo.points.size() * sizeof(float)));
  for (int condition : demo.condition) {
    const std::int32_t value = condition;
    out.write(reinterpret_cast<const char*>(&value), sizeof value);
  }
}

// CPU time of the whole process (all llvmpipe threads): unlike wall time, it does
// not grow when other jobs share the machine.
double processCpuSeconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + 1e-9 * static_cast<double>(now.tv_nsec);
}

double loadAverage() {
  double load = 0.0;
  if (std::FILE* file = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(file, "%lf", &load) != 1) load = 0.0;
    std::fclose(file);
  }
  return load;
}

struct ViewTiming {
  double cpuMsPerFrame = 0.0;
  double fps = 0.0;
  double medianFrameMs = 0.0;
  double buildS = 0.0;
  double firstFrameS = 0.0;
};

ViewTiming timeView(views::VtkViewWidget& view, views::TrajectoryScene& scene, const views::DemoTrajectories& demo,
                    int frames, bool markers, double lineWidth, bool axes, bool moving) {
  ViewTiming timing;
  const auto buildStart = Clock::now();
  views::TrajectoryData data;
  data.points = demo.points;
  data.condition = demo.condition;
  scene.setData(std::move(data));
  scene.setMarkersVisible(markers);
  scene.setLineWidth(lineWidth);
  scene.setAxesVisible(axes);
  scene.setTime(demo.points.dim(1) / 2);
  // What the view draws while the camera moves (level of detail) or when it is still.
  scene.setInteractive(moving);
  scene.addTo(view.renderer());
  view.setStandardView(views::StandardView::Isometric);
  timing.buildS = seconds(Clock::now() - buildStart);

  // One frame as in interactive use: ask for a repaint, let Qt's event loop run
  // paintGL and composite, then wait for OpenGL to finish.
  const auto frame = [&view] {
    const long long before = view.framesRendered();
    view.update();
    while (view.framesRendered() == before) QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    view.makeCurrent();
    view.context()->functions()->glFinish();
  };
  const auto firstStart = Clock::now();
  frame();
  timing.firstFrameS = seconds(Clock::now() - firstStart);
  for (int warm = 0; warm < 5; ++warm) frame();

  std::vector<double> times;
  const double cpuStart = processCpuSeconds();
  const auto loopStart = Clock::now();
  for (int i = 0; i < frames; ++i) {
    const auto t0 = Clock::now();
    view.camera()->Azimuth(360.0 / frames);
    view.renderer()->ResetCameraClippingRange();
    frame();
    times.push_back(seconds(Clock::now() - t0));
  }
  timing.fps = frames / seconds(Clock::now() - loopStart);
  timing.cpuMsPerFrame = 1000.0 * (processCpuSeconds() - cpuStart) / frames;
  std::sort(times.begin(), times.end());
  timing.medianFrameMs = 1000.0 * times[times.size() / 2];
  scene.removeFrom(view.renderer());
  return timing;
}

}  // namespace

int main(int argc, char** argv) {
  if (std::getenv("DISPLAY") == nullptr) {
    std::fprintf(stderr, "bench_render needs an X display: run it under xvfb-run -a\n");
    return 2;
  }
  QSurfaceFormat::setDefaultFormat(views::VtkViewWidget::defaultFormat());
  QApplication app(argc, argv);
  QCommandLineParser parser;
  parser.addHelpOption();
  const QCommandLineOption pythonOption("python", "Python with matplotlib.", "path", "/usr/bin/python3");
  const QCommandLineOption trajectoriesOption("trajectories", "Number of trajectories.", "n", "2000");
  const QCommandLineOption binsOption("bins", "Bins per trajectory.", "n", "100");
  const QCommandLineOption framesOption("frames", "Frames timed while rotating.", "n", "150");
  const QCommandLineOption outOption("out", "Write a Markdown report here.", "file");
  const QCommandLineOption widthOption("width", "View width in pixels.", "px", "1200");
  const QCommandLineOption heightOption("height", "View height in pixels.", "px", "800");
  const QCommandLineOption lineWidthOption("line-width", "Trajectory line width in pixels.", "px", "2");
  const QCommandLineOption noAxesOption("no-axes", "Hide the labelled axes.");
  const QCommandLineOption noReferenceOption("no-reference", "Skip matplotlib and the export timing.");
  const QCommandLineOption lodTrajectoriesOption("lod-trajectories", "Trajectories drawn while the camera moves.", "n",
                                                 QString::number(views::LevelOfDetail{}.maxTrajectories));
  const QCommandLineOption lodBinsOption("lod-bins", "Bins per trajectory drawn while the camera moves.", "n",
                                         QString::number(views::LevelOfDetail{}.maxBins));
  for (const auto& option :
       {pythonOption, trajectoriesOption, binsOption, framesOption, outOption, widthOption, heightOption,
        lineWidthOption, noAxesOption, noReferenceOption, lodTrajectoriesOption, lodBinsOption})
    parser.addOption(option);
  parser.process(app);
  const int trajectories = parser.value(trajectoriesOption).toInt();
  const int bins = parser.value(binsOption).toInt();
  const int frames = parser.value(framesOption).toInt();
  const int width = parser.value(widthOption).toInt();
  const int height = parser.value(heightOption).toInt();
  constexpr int kConditions = 8;

  const views::DemoTrajectories demo = views::makeRotationalTrajectories(
      kConditions, static_cast<std::size_t>(trajectories / kConditions), static_cast<std::size_t>(bins));

  QMainWindow window;
  auto* view = new views::VtkViewWidget(&window);
  window.setCentralWidget(view);
  view->setFixedSize(width, height);
  window.show();
  if (!QTest::qWaitForWindowExposed(&window)) {
    std::fprintf(stderr, "the window was never shown\n");
    return 2;
  }
  QTest::qWait(200);
  views::TrajectoryScene scene;
  views::LevelOfDetail lod;
  lod.maxTrajectories = parser.value(lodTrajectoriesOption).toULongLong();
  lod.maxBins = parser.value(lodBinsOption).toULongLong();
  scene.setLevelOfDetail(lod);
  const double lineWidth = parser.value(lineWidthOption).toDouble();
  const bool axes = !parser.isSet(noAxesOption);
  const double loadBefore = loadAverage();
  const ViewTiming moving = timeView(*view, scene, demo, frames, true, lineWidth, axes, true);
  const ViewTiming lines = timeView(*view, scene, demo, frames, false, lineWidth, axes, false);
  const ViewTiming withMarkers = timeView(*view, scene, demo, frames, true, lineWidth, axes, false);
  const views::LevelOfDetail& detail = scene.levelOfDetail();
  if (parser.isSet(noReferenceOption)) {
    std::printf(
        "line width %.1f, load %.1f: moving (LOD) %.1f fps (median %.1f ms, cpu %.1f ms/frame); still: lines %.1f fps "
        "(median %.1f ms, cpu %.1f ms/frame), with markers %.1f fps (median %.1f ms, cpu %.1f ms/frame)\n",
        lineWidth, loadAverage(), moving.fps, moving.medianFrameMs, moving.cpuMsPerFrame, lines.fps,
        lines.medianFrameMs, lines.cpuMsPerFrame, withMarkers.fps, withMarkers.medianFrameMs,
        withMarkers.cpuMsPerFrame);
    return 0;
  }
  view->makeCurrent();
  const QString renderer = glRenderer();

  // Offscreen figure export of the same scene at 2x (a 2400 x 1600 PNG-sized image).
  vtkNew<vtkRenderer> figureRenderer;
  figureRenderer->SetBackground(1, 1, 1);
  scene.addTo(figureRenderer);
  figureRenderer->ResetCamera();
  const auto exportStart = Clock::now();
  const QImage figure = views::renderOffscreen(figureRenderer, {width, height, 2.0, false});
  const double exportS = seconds(Clock::now() - exportStart);
  scene.removeFrom(figureRenderer);

  // matplotlib, same data, same run.
  QTemporaryDir dir;
  const QString dataPath = dir.filePath("points.bin");
  writePoints(dataPath, demo);
  QProcess python;
  python.start(parser.value(pythonOption), {QString(NEUROLENS_BENCH_DIR) + "/matplotlib_frame.py", dataPath,
                                            QString::number(width), QString::number(height)});
  QJsonObject mpl;
  if (!python.waitForFinished(900000) || python.exitCode() != 0) {
    std::fprintf(stderr, "matplotlib reference failed: %s\n", python.readAllStandardError().constData());
  } else {
    mpl = QJsonDocument::fromJson(python.readAllStandardOutput()).object();
  }
  const double mplTrial = mpl["per_trial_frame_s"].toDouble();
  const double mplCollection = mpl["collection_frame_s"].toDouble();
  const double mplBest = (mplTrial > 0 && mplCollection > 0) ? std::min(mplTrial, mplCollection) : 0.0;

  QString report;
  QTextStream out(&report);
  out.setRealNumberNotation(QTextStream::FixedNotation);
  out.setRealNumberPrecision(1);
  out << "# Render benchmark: trajectory view vs matplotlib\n\n"
      << "Produced by `bench/render/bench_render` (" << trajectories << " trajectories x " << bins
      << " bins, 8 conditions, synthetic rotational curves, lines " << lineWidth << " px wide; view " << width << " x "
      << height << " px; the camera turns 360 degrees over " << frames << " frames).\n\n"
      << "Machine: " << cpuModel() << ", " << QThread::idealThreadCount() << " threads, "
      << QSysInfo::prettyProductName() << "; display Xvfb; OpenGL: " << renderer << ".\n\n"
      << "Load average (1 min) before / after it ran: " << loadBefore << " / " << loadAverage() << " on "
      << QThread::idealThreadCount()
      << " threads (other jobs shared the machine when it is above the thread count; wall-clock frames per second "
         "then understate what the code does alone, CPU time per frame does not).\n\n"
      << "| what | wall time per frame (median) | frames per second | CPU time per frame |\n"
         "| --- | ---: | ---: | ---: |\n";
  out.setRealNumberPrecision(1);
  out << "| NeuroLens view, camera moving: level of detail (" << qMin<qulonglong>(detail.maxTrajectories, trajectories)
      << " trajectories x " << qMin<qulonglong>(detail.maxBins, bins) << "+1 bins, " << detail.lineWidth
      << " px lines, cursor markers) | " << moving.medianFrameMs << " ms | " << moving.fps << " | "
      << moving.cpuMsPerFrame << " ms |\n";
  out << "| NeuroLens view, camera still: full quality, lines only | " << lines.medianFrameMs << " ms | " << lines.fps
      << " | " << lines.cpuMsPerFrame << " ms |\n"
      << "| NeuroLens view, camera still: full quality, lines + start/end/cursor markers | "
      << withMarkers.medianFrameMs << " ms | " << withMarkers.fps << " | " << withMarkers.cpuMsPerFrame << " ms |\n";
  if (mplBest > 0) {
    out << "| matplotlib " << mpl["matplotlib"].toString() << " mplot3d Agg, one `plot` per trial (redraw) | "
        << 1000.0 * mplTrial << " ms | " << 1.0 / mplTrial << " | " << 1000.0 * mpl["per_trial_cpu_s"].toDouble()
        << " ms |\n"
        << "| matplotlib mplot3d Agg, one Line3DCollection per condition (redraw) | " << 1000.0 * mplCollection
        << " ms | " << 1.0 / mplCollection << " | " << 1000.0 * mpl["collection_cpu_s"].toDouble() << " ms |\n";
  }
  out << "\nScene build (arrays to VTK actors): " << 1000.0 * lines.buildS << " ms; first frame "
      << 1000.0 * lines.firstFrameS << " ms. matplotlib first draw including figure construction: ";
  out.setRealNumberPrecision(2);
  out << mpl["per_trial_first_s"].toDouble() << " s (per trial), " << mpl["collection_first_s"].toDouble()
      << " s (collections).\n"
      << "Figure export, offscreen at scale 2 (" << figure.width() << " x " << figure.height() << " px): " << exportS
      << " s.\n\n";
  if (mplBest > 0) {
    const double mplBestCpu = std::min(mpl["per_trial_cpu_s"].toDouble(), mpl["collection_cpu_s"].toDouble());
    out.setRealNumberPrecision(1);
    out << "**Ratio (wall clock, same run): the NeuroLens view redraws a rotated frame " << (mplBest * lines.fps)
        << "x as fast as matplotlib's faster method** (lines only; " << (mplBest * withMarkers.fps)
        << "x with markers). By CPU time per frame: " << (1000.0 * mplBestCpu / lines.cpuMsPerFrame) << "x (lines), "
        << (1000.0 * mplBestCpu / withMarkers.cpuMsPerFrame) << "x (with markers).\n\n"
        << "Target >= 30 fps while the camera moves (wall clock, this machine, software OpenGL): "
        << (moving.fps >= 30.0 ? "met" : "NOT met") << " (" << moving.fps
        << " fps with level of detail; a still frame at full quality: " << withMarkers.fps << " fps).\n";
  }
  out << "\nNotes: software OpenGL (Mesa llvmpipe) rasterises every line segment on the CPU, so the frame time "
         "grows with the number of trajectories drawn; a fixed part (clearing and copying the 1200 x 800 frame "
         "through VTK's framebuffer, Qt's widget framebuffer and the X server) does not shrink with the scene. "
         "While the camera moves (mouse drag, and 200 ms after each wheel turn) the view draws a level of "
         "detail: an evenly spread subset of each group's trials through every k-th bin, 1 px wide, without "
         "start/end markers; the frame after the camera stops is drawn at full quality. The moving and still "
         "rows above are the same rotation with the scene in either state. What is left of a moving frame is mostly "
         "that fixed part: with 8 trajectories and no axes a frame still costs about 20 ms of CPU, of which VTK's "
         "render and its two framebuffer blits are about 4 ms (timed inside paintGL with LP_NUM_THREADS=0); the "
         "rest is Qt compositing the QOpenGLWidget into the window and the X server copy (QOpenGLWidget draws "
         "into a texture that Qt composes on every frame). Drawing 120 instead of 200 trajectories while moving "
         "does not change the moving frame time measurably. A native child window (QWindow in "
         "createWindowContainer) would skip Qt's composition pass; not done. Any hardware GPU draws the full "
         "scene far above 30 fps.\n";
  std::fputs(report.toUtf8().constData(), stdout);
  if (parser.isSet(outOption)) {
    QFile file(parser.value(outOption));
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text)) {
      std::fprintf(stderr, "cannot write %s\n", qPrintable(parser.value(outOption)));
      return 3;
    }
    file.write(report.toUtf8());
  }
  return 0;
}
