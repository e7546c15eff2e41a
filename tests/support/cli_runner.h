// Runs the built `neurolens-cli` (the NEUROLENS_CLI environment variable that CTest sets) the way a
// user's script would, or a Python reference script, and collects exit status and output.
// Shared by every test that drives a program.
#pragma once

#include <QtCore/QFile>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtCore/QProcessEnvironment>
#include <QtCore/QString>
#include <QtCore/QStringList>

namespace neurolens::test {

struct ProcessResult {
  int exitCode = -1;  // -1: killed by a signal or timed out
  QString out;
  QString err;
  [[nodiscard]] bool crashed() const { return exitCode == -1; }
};

inline QString cliProgram() {
#ifdef NEUROLENS_BINARY_DIR
  return qEnvironmentVariable("NEUROLENS_CLI", QString(NEUROLENS_BINARY_DIR) + "/bin/neurolens-cli");
#else
  return qEnvironmentVariable("NEUROLENS_CLI");
#endif
}

using CliResult = ProcessResult;

inline ProcessResult runProcess(const QString& program, const QStringList& arguments, int timeoutMs,
                                const QProcessEnvironment& environment = QProcessEnvironment::systemEnvironment()) {
  QProcess process;
  process.setProcessEnvironment(environment);
  process.start(program, arguments);
  ProcessResult result;
  if (!process.waitForFinished(timeoutMs)) {
    process.kill();
    process.waitForFinished();
    result.err = QStringLiteral("timed out after %1 ms: %2 %3").arg(timeoutMs).arg(program, arguments.join(' '));
    return result;
  }
  result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
  result.out = QString::fromUtf8(process.readAllStandardOutput());
  result.err = QString::fromUtf8(process.readAllStandardError());
  return result;
}

inline CliResult runCli(const QStringList& arguments, int timeoutMs = 180000,
                        const QProcessEnvironment& environment = QProcessEnvironment::systemEnvironment()) {
  return runProcess(cliProgram(), arguments, timeoutMs, environment);
}

#ifdef NEUROLENS_TEST_PYTHON
/// Runs the test Python (the venv with the reference libraries) on ARGUMENTS (a script path first).
inline ProcessResult runPython(const QStringList& arguments, int timeoutMs = 180000) {
  return runProcess(QString(NEUROLENS_TEST_PYTHON), arguments, timeoutMs);
}
#endif

#ifdef NEUROLENS_SHARED_DATA
/// A file of ../shared/data (real recordings).
inline QString sharedData(const char* name) { return QString(NEUROLENS_SHARED_DATA) + "/" + name; }
#endif

/// The one-line `--json` summary the CLI prints on stdout.
inline QJsonObject parseJson(const QString& text) { return QJsonDocument::fromJson(text.trimmed().toUtf8()).object(); }

/// A JSON object file (a --state-json state), or {} when it cannot be read.
inline QJsonObject readJsonFile(const QString& path) {
  QFile file(path);
  return file.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(file.readAll().trimmed()).object() : QJsonObject{};
}

/// The environment a GUI program runs in from a test: its own HOME and XDG folders under `home` (no settings,
/// recent files or restored session from the user), and Qt's platform left to the DISPLAY (xcb under Xvfb).
inline QProcessEnvironment isolatedEnvironment(const QString& home) {
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.insert("HOME", home);
  env.insert("XDG_CONFIG_HOME", home + "/config");
  env.insert("XDG_DATA_HOME", home + "/data");
  env.remove("QT_QPA_PLATFORM");
  return env;
}

/// A program run as a user would, in isolatedEnvironment(home).
inline ProcessResult runIsolated(const QString& program, const QStringList& arguments, const QString& home,
                                 int timeoutMs = 200000) {
  return runProcess(program, arguments, timeoutMs, isolatedEnvironment(home));
}

}  // namespace neurolens::test
