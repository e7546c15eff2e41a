#include "widgets/model_panel_text.h"

#include <QFileInfo>
#include <QObject>

#include "pipeline_controller.h"

namespace neurolens::gui {

namespace {

QString fileName(const QString& path) { return QFileInfo(path).fileName(); }

}  // namespace

QString modelPanelHtml(const PipelineController& controller) {
  const Model* model = controller.model();
  if (model == nullptr) return QObject::tr("<b>No model.</b><p>Open a trained model (TorchScript, Ctrl+M).</p>");
  const ModelMetadata& meta = model->metadata();
  QString text = QObject::tr("<b>%1</b>").arg(fileName(controller.modelPath()).toHtmlEscaped());
  text += "<table>";
  const auto row = [&text](const QString& key, const QString& value) {
    text += "<tr><td>" + key + "&nbsp;</td><td>" + value.toHtmlEscaped() + "</td></tr>";
  };
  if (!meta.name.empty()) row(QObject::tr("name"), QString::fromStdString(meta.name));
  row(QObject::tr("bin size"), meta.binMs ? QObject::tr("%1 ms").arg(*meta.binMs) : QObject::tr("not stated"));
  row(QObject::tr("units"), meta.units ? QString::number(*meta.units) : QObject::tr("not stated"));
  row(QObject::tr("latents"), QString::number(model->latentCount()));
  row(QObject::tr("rates"), model->hasRates() ? QObject::tr("yes") : QObject::tr("no"));
  if (!meta.trainedOn.empty()) row(QObject::tr("trained on"), QString::fromStdString(meta.trainedOn));
  text += "</table>";
  if (controller.latents() != nullptr) {
    const RunReport& report = controller.runReport();
    const FloatArray& latents = *controller.latents();
    text += QObject::tr("<p><b>Status:</b> ran on %1: latents %2 trials x %3 bins x %4.</p>")
                .arg(fileName(controller.recordingPath()).toHtmlEscaped())
                .arg(latents.dim(0))
                .arg(latents.dim(1))
                .arg(latents.dim(2));
    text += QObject::tr("<p><b>Last run:</b> device %1, %2 trials per chunk")
                .arg(QString::fromStdString(deviceName(report.device)))
                .arg(report.chunkTrials);
    for (const std::string& note : report.notes) text += "<br>" + QString::fromStdString(note).toHtmlEscaped();
    text += "</p>";
  } else if (controller.recording() != nullptr) {
    text += controller.fitProblem().isEmpty() ? QObject::tr("<p><b>Status:</b> did not run on the open recording.</p>")
                                              : QObject::tr("<p><b>Status:</b> does not fit the open recording: %1</p>")
                                                    .arg(controller.fitProblem().toHtmlEscaped());
  } else {
    text += QObject::tr("<p><b>Status:</b> loaded; open a recording to run it.</p>");
  }
  return text;
}

QString recordingPanelHtml(const PipelineController& controller) {
  const BinnedRecording* recording = controller.recording();
  if (recording == nullptr) return {};
  QString description = controller.recordingDescription().toHtmlEscaped();
  description.replace('\n', "<br>");
  return QObject::tr("<b>%1</b><p>%2</p><p>Binned: %3 trials x %4 bins of %5 ms x %6 units.</p>")
      .arg(QFileInfo(controller.recordingPath()).fileName().toHtmlEscaped(), description)
      .arg(recording->trialCount())
      .arg(recording->binCount())
      .arg(recording->binMs)
      .arg(recording->unitCount());
}

}  // namespace neurolens::gui
