#pragma once
// The `neurolens` command line (../shared/spec/cli.md, "GUI command line").
#include <QSize>
#include <QString>
#include <QStringList>
#include <optional>

class QCommandLineParser;

namespace neurolens::gui {

struct GuiOptions {
  QStringList files;
  bool demo = false;
  bool restore = true;
  QString screenshot;        // --screenshot OUT.png
  QSize size{1500, 950};     // --size WxH
  QString stateJson;         // --state-json OUT.json
  int timeoutSeconds = 120;  // --timeout S
  QString view = "grid";     // --view grid|align|matrix (lesion:COLUMN=VALUE: not yet available, exit 2)
  // Scripts' mode: open everything, wait for every job, write what was asked, exit.
  [[nodiscard]] bool headless() const { return !screenshot.isEmpty() || !stateJson.isEmpty(); }
};

// Declares the options on `parser` (help and version included).
void declareGuiOptions(QCommandLineParser& parser);
// True when the arguments ask only for help or the version: main() answers them without a display.
[[nodiscard]] bool asksForHelpOrVersion(int argc, const char* const* argv);
// Parses `arguments` (argv[0] first); on a usage error returns none and sets `error`.
[[nodiscard]] std::optional<GuiOptions> parseGuiOptions(QCommandLineParser& parser, const QStringList& arguments,
                                                        QString& error);

}  // namespace neurolens::gui
