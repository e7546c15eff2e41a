#include "actions/recent_files_action.h"

#include <QFileInfo>

#include "logic/recent_files.h"

namespace neurolens::gui {

RecentFilesAction::RecentFilesAction(QMenu* menu, Workbench& workbench)
    : QObject(menu), menu_(menu), workbench_(workbench) {
  connect(menu_, &QMenu::aboutToShow, this, &RecentFilesAction::rebuild);
  rebuild();
}

void RecentFilesAction::rebuild() {
  menu_->clear();
  const auto& paths = workbench_.recentFiles().paths();
  if (paths.empty()) {
    menu_->addAction(tr("No recent files"))->setEnabled(false);
    return;
  }
  int number = 1;
  for (const std::string& stored : paths) {
    const QString path = QString::fromStdString(stored);
    const QString text =
        number < 10 ? QStringLiteral("&%1 %2").arg(number).arg(QFileInfo(path).fileName()) : QFileInfo(path).fileName();
    QAction* entry = menu_->addAction(text);
    entry->setToolTip(path);
    entry->setStatusTip(path);
    connect(entry, &QAction::triggered, this, [this, path] { workbench_.openFiles({path}); });
    ++number;
  }
  menu_->addSeparator();
  connect(menu_->addAction(tr("Clear Menu")), &QAction::triggered, this, [this] {
    workbench_.recentFiles().clear();
    rebuild();
  });
}

}  // namespace neurolens::gui
