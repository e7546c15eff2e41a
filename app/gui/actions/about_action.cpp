#include "actions/about_action.h"

#include <QMessageBox>

#include "neurolens/core/version.h"

namespace neurolens::gui {

AboutAction::AboutAction(QAction* action, Workbench& workbench) : Reaction(action, workbench) {
  action->setMenuRole(QAction::AboutRole);
}

void AboutAction::onTriggered() {
  QMessageBox::about(
      workbench().dialogParent(), tr("About NeuroLens"),
      tr("<h3>NeuroLens %1</h3>"
         "<p>A workbench for looking inside neural foundation models of brain activity: open a recording, "
         "run a trained model on it, and explore its latent trajectories, attributions and probes.</p>"
         "<p>Built with Qt %2, VTK and LibTorch.</p>")
          .arg(QString::fromStdString(versionString()), QString::fromLatin1(qVersion())));
}

}  // namespace neurolens::gui
