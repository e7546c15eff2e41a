#include "headless/gui_options.h"

#include <QCommandLineParser>
#include <cstring>

namespace neurolens::gui {

void declareGuiOptions(QCommandLineParser& parser) {
  parser.setApplicationDescription("Workbench for looking inside neural foundation models");
  parser.addHelpOption();
  parser.addVersionOption();
  parser.addOption({"demo", "Start with the synthetic demo trajectories shown."});
  parser.addOption({"no-restore", "Do not open the demo (first start) or the last files (later starts)."});
  parser.addPositionalArgument(
      "files", "Recordings (.nwb, .mat), models (.pt) or sessions (.nlsession) to open, in any order and number.",
      "[files...]");
}

bool asksForHelpOrVersion(int argc, const char* const* argv) {
  for (int i = 1; i < argc; ++i) {
    for (const char* flag : {"-h", "--help", "--help-all", "-?", "-v", "--version"})
      if (std::strcmp(argv[i], flag) == 0) return true;
  }
  return false;
}

std::optional<GuiOptions> parseGuiOptions(QCommandLineParser& parser, const QStringList& arguments, QString& error) {
  if (!parser.parse(arguments)) {
    error = parser.errorText();
    return std::nullopt;
  }
  GuiOptions options;
  options.files = parser.positionalArguments();
  options.demo = parser.isSet("demo");
  options.restore = !parser.isSet("no-restore");
  return options;
}

}  // namespace neurolens::gui
