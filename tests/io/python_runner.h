#pragma once
// Runs the Python references of tests/io/python with NEUROLENS_TEST_PYTHON and
// reports a missing optional peer (exit 77) so the test can QSKIP.
#include <QtCore/QString>
#include <QtCore/QStringList>
#include <string>

#include "cli_runner.h"

namespace neurolens::testing {

struct PythonResult {
  int exitCode = -1;
  bool skipped = false;  // the script said a PyPI peer is missing (exit 77)
  QString output;        // stdout
  QString errors;        // stderr
};

inline QString ioScript(const char* name) { return QString(NEUROLENS_SOURCE_DIR) + "/tests/io/python/" + name; }

inline PythonResult runPython(const QString& script, const QStringList& arguments, int timeoutMs = 120000) {
  const auto run = test::runProcess(QString(NEUROLENS_TEST_PYTHON), QStringList{script} + arguments, timeoutMs);
  return {run.exitCode, run.exitCode == 77, run.out, run.err};
}

inline std::string sharedData(const char* name) { return std::string(NEUROLENS_SHARED_DATA) + "/" + name; }

}  // namespace neurolens::testing
