// neurolens: the desktop workbench.
#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QSurfaceFormat>
#include <QTimer>
#include <cstdio>
#include <memory>

#include "headless/gui_options.h"
#include "headless/headless_run.h"
#include "main_window.h"
#include "neurolens/core/version.h"
#include "neurolens/views/vtk_view_widget.h"

namespace {

void setNames() {
  QCoreApplication::setOrganizationName("NeuroLens");
  QCoreApplication::setApplicationName("NeuroLens");
  QCoreApplication::setApplicationVersion(QString::fromStdString(neurolens::versionString()));
}

}  // namespace

int main(int argc, char** argv) {
  using namespace neurolens::gui;
  if (asksForHelpOrVersion(argc, argv)) {
    // No display needed: a core application answers and exits.
    const QCoreApplication app(argc, argv);
    setNames();
    QCommandLineParser parser;
    declareGuiOptions(parser);
    parser.process(QCoreApplication::arguments());
    return 0;
  }
  {
    // Wrong values are usage errors before any display is needed (options Qt itself takes, such as
    // -platform, are only known once QApplication has removed them: those are checked below).
    QStringList arguments;
    for (int i = 0; i < argc; ++i) arguments << QString::fromLocal8Bit(argv[i]);
    QCommandLineParser parser;
    declareGuiOptions(parser);
    QString error;
    if (parser.parse(arguments) && !parseGuiOptions(parser, arguments, error)) {
      std::fprintf(stderr, "error: %s (see neurolens --help)\n", qPrintable(error));
      return 2;
    }
  }
  // VTK needs an OpenGL 3.2 core context; the format must be set before QApplication.
  QSurfaceFormat::setDefaultFormat(neurolens::views::VtkViewWidget::defaultFormat());
  QApplication app(argc, argv);
  setNames();
  QApplication::setWindowIcon(QIcon(":/neurolens/icons/neurolens.svg"));

  QCommandLineParser parser;
  declareGuiOptions(parser);
  QString error;
  const std::optional<GuiOptions> options = parseGuiOptions(parser, QApplication::arguments(), error);
  if (!options) {
    std::fprintf(stderr, "error: %s (see neurolens --help)\n", qPrintable(error));
    return 2;
  }

  MainWindow window;
  std::unique_ptr<HeadlessRun> headless;
  if (options->headless()) {
    headless = std::make_unique<HeadlessRun>(window, *options);
    headless->start();
    return QApplication::exec();
  }
  window.show();
  const QStringList files = options->files;
  const bool showDemo = options->demo;
  const bool restore = options->restore;
  // After the event loop starts, so the window is on screen first.
  if (options->view == "align") openAlignViewWhenIdle(window);
  openLesionViewWhenIdle(window, options->view);  // --view lesion:COLUMN=VALUE
  if (options->view == "matrix") openMatrixViewWhenIdle(window);
  QTimer::singleShot(0, &window, [&window, files, showDemo, restore] {
    if (showDemo) window.showDemoTrajectories();
    if (!files.isEmpty()) {
      window.openFiles(files);
    } else if (!showDemo && restore) {
      window.startUp();  // the bundled demo on the very first start, the last files later
    }
  });
  return QApplication::exec();
}
