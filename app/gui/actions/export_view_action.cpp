#include "actions/export_view_action.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QMessageBox>
#include <QSettings>
#include <QSpinBox>
#include <exception>

#include "neurolens/views/vtk_view_widget.h"
#include "widgets/pair_grid.h"

namespace neurolens::gui {

ExportImageDialog::ExportImageDialog(QSize viewSize, QWidget* parent)
    : QDialog(parent),
      width_(new QSpinBox(this)),
      height_(new QSpinBox(this)),
      scale_(new QDoubleSpinBox(this)),
      transparent_(new QCheckBox(tr("Transparent background"), this)) {
  setWindowTitle(tr("Export View as PNG"));
  for (QSpinBox* box : {width_, height_}) {
    box->setRange(16, 8192);
    box->setSuffix(tr(" px"));
  }
  width_->setValue(viewSize.width());
  height_->setValue(viewSize.height());
  scale_->setRange(0.5, 8.0);
  scale_->setSingleStep(0.5);
  scale_->setValue(2.0);
  scale_->setToolTip(tr("Pixels per screen pixel: 2 or 3 for print; lines and text grow with it"));
  auto* form = new QFormLayout(this);
  form->addRow(tr("Width:"), width_);
  form->addRow(tr("Height:"), height_);
  form->addRow(tr("Scale:"), scale_);
  form->addRow(QString(), transparent_);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  form->addRow(buttons);
}

views::OffscreenRenderOptions ExportImageDialog::options() const {
  return {width_->value(), height_->value(), scale_->value(), transparent_->isChecked()};
}

ExportViewAction::ExportViewAction(QAction* action, Workbench& workbench) : Reaction(action, workbench) {
  action->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
  action->setStatusTip(tr("Save the 3-D view as a PNG image of any size"));
}

void ExportViewAction::onTriggered() {
  // A pair's view is drawn by `figure`'s code path with the view's camera (widgets/pair_grid.h); the synthetic
  // demo, or a view coloured by a value, as the interactive view renders it.
  if (PairGrid* grid = workbench().pairGrid(); grid != nullptr && grid->exportFocusWithDialog()) return;
  views::VtkViewWidget* view = workbench().trajectoryView();
  ExportImageDialog dialog(view->size(), workbench().dialogParent());
  if (dialog.exec() != QDialog::Accepted) return;
  QSettings settings;
  const QString folder = settings.value("dialogs/exportFolder").toString();
  QString path = QFileDialog::getSaveFileName(workbench().dialogParent(), tr("Export View as PNG"),
                                              folder.isEmpty() ? QString() : folder + "/trajectories.png",
                                              tr("PNG images (*.png)"));
  if (path.isEmpty()) return;
  if (!path.endsWith(".png", Qt::CaseInsensitive)) path += ".png";
  settings.setValue("dialogs/exportFolder", QFileInfo(path).absolutePath());
  try {
    views::savePng(view->renderImage(dialog.options()), path);
    workbench().showStatus(tr("Saved %1").arg(path));
  } catch (const std::exception& error) {
    QMessageBox::warning(workbench().dialogParent(), tr("Export failed"), QString::fromStdString(error.what()));
  }
}

}  // namespace neurolens::gui
