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
  const QStringList paths = QFileDialog::getOpenFileNames(workbench().dialogParent(), tr("Open Recording"), folder,
                                                          QString::fromLatin1(recordingFileFilter()));
  if (paths.isEmpty()) return;
  settings.setValue("dialogs/recordingFolder", QFileInfo(paths.front()).absolutePath());
  workbench().openFiles(paths);  // several at once: each opens in turn
}

}  // namespace neurolens::gui
