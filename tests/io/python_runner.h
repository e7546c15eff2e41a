#pragma once
// Runs the Python references of tests/io/python with NEUROLENS_TEST_PYTHON and
// reports a missing optional peer (exit 77) so the test can QSKIP.
#include <QtCore/QProcess>
#include <QtCore/QString>
#include <QtCore/QStringList>
#include <string>

namespace neurolens::testing {

struct PythonResult {
  int exitCode = -1;
  bool skipped = false;  // the script said a PyPI peer is missing (exit 77)
  QString output;        // stdout
  QString errors;        // stderr
};

inline QString ioScript(const char* name) { return QString(NEUROLENS_SOURCE_DIR) + "/tests/io/python/" + name; }

inline PythonResult runPython(const QString& script, const QStringList& arguments, int timeoutMs = 120000) {
  QProcess process;
  process.start(QString(NEUROLENS_TEST_PYTHON), QStringList{script} + arguments);
  PythonResult result;
  if (!process.waitForFinished(timeoutMs)) {
    process.kill();
    process.waitForFinished();
    result.errors = "timed out";
    return result;
  }
  result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
  result.skipped = result.exitCode == 77;
  result.output = QString::fromUtf8(process.readAllStandardOutput());
  result.errors = QString::fromUtf8(process.readAllStandardError());
  return result;
}

inline std::string sharedData(const char* name) { return std::string(NEUROLENS_SHARED_DATA) + "/" + name; }

}  // namespace neurolens::testing
