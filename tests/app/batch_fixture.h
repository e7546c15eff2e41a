// A real batch folder for the GUI's batch tests (issue 20 step 4), made the way a user makes one: two small
// models (tests/cli/python/make_batch_models.py), a manifest over three shared recordings and
// `neurolens-cli batch run`. 12 tasks: info and bin per recording, evaluate per recording x model; the 61-unit
// model on the 171-unit M1 recording fails on purpose (exit 3, the model-contract error).
#pragma once

#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QString>

#include "cli_runner.h"

namespace neurolens::test {

struct BatchFixture {
  QString dir;      // the batch folder (--out)
  QString models;   // pmd61.pt, any_units.pt
  QString failing;  // the id of the task that fails on purpose
  int tasks = 0;
};

inline QString batchManifest(const QString& data) {
  return QStringLiteral(R"({
  "recordings": ["%1/pmd_reach_yu2009.nwb", "%1/pmd_reach_ex2.nwb", "%1/m1_stevenson2011.nwb"],
  "models": ["models/pmd61.pt", "models/any_units.pt"],
  "commands": [{"name": "info"}, {"name": "bin", "args": ["--bin-ms", "200"]}, {"name": "evaluate"}]
})")
      .arg(data);
}

// Makes the batch under `root`; returns an empty string, or what went wrong.
inline QString makeBatch(const QString& root, BatchFixture& batch) {
  batch.models = root + "/models";
  batch.dir = root + "/batch";
  batch.failing = "0010-m1_stevenson2011-pmd61-evaluate";
  batch.tasks = 12;
  const auto models =
      runPython({QString(NEUROLENS_SOURCE_DIR) + "/tests/cli/python/make_batch_models.py", batch.models});
  if (models.exitCode != 0) return "make_batch_models.py: " + models.err;
  QFile manifest(root + "/manifest.json");
  if (!manifest.open(QIODevice::WriteOnly | QIODevice::Truncate)) return "cannot write " + manifest.fileName();
  manifest.write(batchManifest(QString(NEUROLENS_SHARED_DATA)).toUtf8());
  manifest.close();
  const auto run = runCli({"batch", "run", manifest.fileName(), "--out", batch.dir, "--jobs", "2", "--json"}, 300000);
  // Exit 4: a task failed (the one meant to).
  const QJsonObject outcome = parseJson(run.out);
  if (run.exitCode != 4 || outcome["tasks"].toInt() != batch.tasks || outcome["failed"].toInt() != 1)
    return QStringLiteral("batch run: exit %1, %2 %3").arg(run.exitCode).arg(run.out, run.err);
  const QJsonArray failed = outcome["failed_tasks"].toArray();
  if (failed.size() != 1 || failed[0].toObject()["id"].toString() != batch.failing)
    return "batch run: unexpected failed tasks: " + run.out;
  return {};
}

}  // namespace neurolens::test
