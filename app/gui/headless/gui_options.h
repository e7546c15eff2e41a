#pragma once
// The `neurolens` command line (../shared/spec/cli.md, "GUI command line"); scripts' mode comes with step 2
// of issue 28.
#include <QString>
#include <QStringList>
#include <optional>

class QCommandLineParser;

namespace neurolens::gui {

struct GuiOptions {
  QStringList files;
  bool demo = false;
  bool restore = true;
};

// Declares the options on `parser` (help and version included).
void declareGuiOptions(QCommandLineParser& parser);
// True when the arguments ask only for help or the version: main() answers them without a display.
[[nodiscard]] bool asksForHelpOrVersion(int argc, const char* const* argv);
// Parses `arguments` (argv[0] first); on a usage error returns none and sets `error`.
[[nodiscard]] std::optional<GuiOptions> parseGuiOptions(QCommandLineParser& parser, const QStringList& arguments,
                                                        QString& error);

}  // namespace neurolens::gui
