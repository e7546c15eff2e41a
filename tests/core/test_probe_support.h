#pragma once
// Helpers shared by the probe, projection and link tests: raw float64 exchange
// with the Python references (row-major, little-endian) and running them.
#include <Eigen/Dense>
#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtCore/QStringList>
#include <fstream>
#include <string>
#include <vector>

namespace neurolens::testing {

using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

inline void writeMatrix(const QString& path, const Eigen::MatrixXd& matrix) {
  const RowMajor rows = matrix;
  std::ofstream out(path.toStdString(), std::ios::binary);
  out.write(reinterpret_cast<const char*>(rows.data()), static_cast<std::streamsize>(sizeof(double) * rows.size()));
}

inline Eigen::MatrixXd readMatrix(const QString& path, Eigen::Index rows, Eigen::Index cols) {
  RowMajor matrix(rows, cols);
  std::ifstream in(path.toStdString(), std::ios::binary);
  in.read(reinterpret_cast<char*>(matrix.data()), static_cast<std::streamsize>(sizeof(double) * matrix.size()));
  if (!in) return {};
  return matrix;
}

inline void writeJson(const QString& path, const QJsonObject& object) {
  QFile file(path);
  if (file.open(QIODevice::WriteOnly)) file.write(QJsonDocument(object).toJson());
}

inline QJsonObject readJson(const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) return {};
  return QJsonDocument::fromJson(file.readAll()).object();
}

// Runs tests/core/python/<script> with the test Python. Returns the exit code
// (77: a package is missing; -1: the interpreter did not start or timed out).
inline int runPythonReference(const QString& script, const QStringList& arguments, QString* errors,
                              int timeoutMs = 120000) {
  QProcess process;
  QStringList all{QStringLiteral(NEUROLENS_SOURCE_DIR "/tests/core/python/") + script};
  all += arguments;
  process.start(QStringLiteral(NEUROLENS_TEST_PYTHON), all);
  if (!process.waitForStarted(20000) || !process.waitForFinished(timeoutMs)) {
    if (errors != nullptr) *errors = QStringLiteral("could not run " NEUROLENS_TEST_PYTHON);
    process.kill();
    process.waitForFinished(2000);
    return -1;
  }
  if (errors != nullptr) *errors = QString::fromUtf8(process.readAllStandardError());
  return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
}

inline QJsonArray toJsonArray(const std::vector<double>& values) {
  QJsonArray array;
  for (const double value : values) array.append(value);
  return array;
}

}  // namespace neurolens::testing
