#include "headless/gui_options.h"

#include <QCommandLineParser>
#include <QRegularExpression>
#include <cstring>

namespace neurolens::gui {

void declareGuiOptions(QCommandLineParser& parser) {
  parser.setApplicationDescription("Workbench for looking inside neural foundation models");
  parser.addHelpOption();
  parser.addVersionOption();
  parser.addOption({"demo", "Start with the synthetic demo trajectories shown."});
  parser.addOption({"no-restore", "Do not open the demo (first start) or the last files (later starts)."});
  parser.addOption({"screenshot",
                    "Open the files, wait until every job has ended, save the whole window to OUT.png and exit "
                    "(0: all ready, 3: a file or pair failed, 4: --timeout ran out). No dialogs.",
                    "OUT.png"});
  parser.addOption({"size", "Window size for --screenshot / --state-json (default 1500x950).", "WxH"});
  parser.addOption({"state-json",
                    "Open the files, wait until every job has ended, write the recordings, models and pairs with "
                    "their state to OUT.json and exit (as --screenshot).",
                    "OUT.json"});
  parser.addOption(
      {"timeout", "With --screenshot / --state-json: give up after S seconds (exit 4; default 120).", "S", "120"});
  parser.addOption({"view",
                    "The layout the window opens with: grid (default: every pair in the view grid) or align (the "
                    "first two pairs in one common space, A solid, B dashed, with the numbers of align), "
                    "lesion:COLUMN=VALUE (the first pair with those units lesioned, intact solid, lesioned dashed, "
                    "the effects table of lesion) or matrix (align --matrix over all pairs, three or more, as a "
                    "clustered heatmap).",
                    "grid|align|lesion:COLUMN=VALUE|matrix", "grid"});
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
  options.screenshot = parser.value("screenshot");
  options.stateJson = parser.value("state-json");
  if (parser.isSet("size")) {
    const QRegularExpressionMatch match = QRegularExpression(R"(^(\d{2,5})[xX](\d{2,5})$)").match(parser.value("size"));
    if (!match.hasMatch()) {
      error = QString("--size: expected WxH in pixels (e.g. 1600x1000), got \"%1\"").arg(parser.value("size"));
      return std::nullopt;
    }
    options.size = QSize(match.captured(1).toInt(), match.captured(2).toInt());
  }
  bool ok = false;
  options.timeoutSeconds = parser.value("timeout").toInt(&ok);
  if (!ok || options.timeoutSeconds <= 0) {
    error = QString("--timeout: expected a positive number of seconds, got \"%1\"").arg(parser.value("timeout"));
    return std::nullopt;
  }
  options.view = parser.value("view");
  static const QRegularExpression lesionView(R"(^lesion:[^=]+=.+$)");
  if (options.view != "grid" && options.view != "align" && options.view != "matrix" &&
      !lesionView.match(options.view).hasMatch()) {
    error = QString("--view: expected grid, align, lesion:COLUMN=VALUE or matrix, got \"%1\"").arg(options.view);
    return std::nullopt;
  }
  if (!options.headless() && (parser.isSet("size") || parser.isSet("timeout"))) {
    error = "--size and --timeout go with --screenshot or --state-json";
    return std::nullopt;
  }
  return options;
}

}  // namespace neurolens::gui
