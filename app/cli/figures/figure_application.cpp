#include "figure_application.h"

#include <iostream>

namespace neurolens::cli {
namespace {

// Qt's own chatter (e.g. "XDG_RUNTIME_DIR not set") is not for a CLI user and must
// not break --quiet: only critical and fatal messages reach stderr.
void quietQtMessages(QtMsgType type, const QMessageLogContext& /*context*/, const QString& message) {
  if (type == QtCriticalMsg || type == QtFatalMsg) std::cerr << "warning: " << message.toStdString() << std::endl;
}

}  // namespace

std::unique_ptr<QGuiApplication> ensureGuiApplication() {
  if (QCoreApplication::instance() != nullptr) return nullptr;
  qInstallMessageHandler(quietQtMessages);
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  static int argc = 1;
  static char name[] = "neurolens-cli";
  static char* argv[] = {name, nullptr};
  return std::make_unique<QGuiApplication>(argc, argv);
}

}  // namespace neurolens::cli
