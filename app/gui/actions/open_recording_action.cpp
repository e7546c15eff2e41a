#include "actions/open_recording_action.h"

#include <QFileDialog>
#include <QSettings>

#include "logic/file_kind.h"

namespace neurolens::gui {

OpenRecordingAction::OpenRecordingAction(QAction* action, Workbench& workbench) : Reaction(action, workbench) {
  action->setShortcut(QKeySequence::Open);
  action->setStatusTip(tr("Open a recording (NWB or MATLAB file)"));
}

void OpenRecordingAction::onTriggered() {
  QSettings settings;
  const QString folder = settings.value("dialogs/recordingFolder").toString();
  const QString path = QFileDialog::getOpenFileName(workbench().dialogParent(), tr("Open Recording"), folder,
                                                    QString::fromLatin1(recordingFileFilter()));
  if (path.isEmpty()) return;
  settings.setValue("dialogs/recordingFolder", QFileInfo(path).absolutePath());
  workbench().openRecording(path);
}

}  // namespace neurolens::gui
