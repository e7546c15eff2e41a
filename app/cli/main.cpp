#include "launcher/launcher.h"
#include "neurolens/app/crash_report.h"

int main(int argc, char** argv) {
  neurolens::app::installCrashReport();
  return neurolens::cli::runLauncher(argc, argv);
}
