// neurolens: the desktop workbench.
#include <QApplication>
#include <QCommandLineParser>
#include <QSurfaceFormat>
#include <QTimer>

#include "main_window.h"
#include "neurolens/core/version.h"
#include "neurolens/views/vtk_view_widget.h"

int main(int argc, char** argv) {
  // VTK needs an OpenGL 3.2 core context; the format must be set before QApplication.
  QSurfaceFormat::setDefaultFormat(neurolens::views::VtkViewWidget::defaultFormat());
  QApplication app(argc, argv);
  QApplication::setOrganizationName("NeuroLens");
  QApplication::setApplicationName("NeuroLens");
  QApplication::setApplicationVersion(QString::fromStdString(neurolens::versionString()));
  QApplication::setWindowIcon(QIcon(":/neurolens/icons/neurolens.svg"));

  QCommandLineParser parser;
  parser.setApplicationDescription("Workbench for looking inside neural foundation models");
  parser.addHelpOption();
  parser.addVersionOption();
  const QCommandLineOption demo("demo", "Start with the synthetic demo trajectories shown.");
  parser.addOption(demo);
  const QCommandLineOption fresh("no-restore", "Do not open the demo (first start) or the last files (later starts).");
  parser.addOption(fresh);
  parser.addPositionalArgument("files", "Recordings (.nwb, .mat), models (.pt) or sessions (.nlsession) to open.",
                               "[files...]");
  parser.process(app);

  neurolens::gui::MainWindow window;
  window.show();
  const QStringList files = parser.positionalArguments();
  const bool showDemo = parser.isSet(demo);
  const bool restore = !parser.isSet(fresh);
  // After the event loop starts, so the window is on screen first.
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
