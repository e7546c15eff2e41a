#include "actions/export_view_action.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QLabel>
#include <QMessageBox>
#include <QSettings>
#include <QSpinBox>
#include <exception>
#include <initializer_list>

#include "neurolens/views/figure/figure_style.h"
#include "neurolens/views/vtk_view_widget.h"
#include "session/app_settings.h"
#include "widgets/pair_grid.h"

namespace neurolens::gui {

namespace fig = views::figure;

namespace {

constexpr const char* kStyleFileItem = "@file";

QString styleTitle(const std::string& name) {
  if (name == "default") return QObject::tr("Default (size and scale below)");
  if (name == "nature-1col") return QObject::tr("Nature, single column (89 mm)");
  if (name == "nature-2col") return QObject::tr("Nature, double column (183 mm)");
  if (name == "slides") return QObject::tr("Slides (1920 x 1080)");
  return QString::fromStdString(name);
}

}  // namespace

ExportImageDialog::ExportImageDialog(QSize viewSize, QWidget* parent, bool offerStyles)
    : QDialog(parent),
      width_(new QSpinBox(this)),
      height_(new QSpinBox(this)),
      scale_(new QDoubleSpinBox(this)),
      transparent_(new QCheckBox(tr("Transparent background"), this)) {
  setWindowTitle(offerStyles ? tr("Export View (PNG, SVG, PDF)") : tr("Export View as PNG"));
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
  if (offerStyles) {
    style_ = new QComboBox(this);
    style_->setObjectName("exportStyle");
    style_->setToolTip(
        tr("The figure styles of neurolens-cli figure --style: page width in mm, text in pt, "
           "line widths and DPI"));
    for (const std::string& name : fig::builtinFigureStyleNames())
      style_->addItem(styleTitle(name), QString::fromStdString(name));
    style_->addItem(tr("Style file..."), QString(kStyleFileItem));
    page_ = new QLabel(this);
    page_->setObjectName("exportPage");
    form->addRow(tr("Style:"), style_);
    form->addRow(QString(), page_);
    if (!selectStyle(AppSettings().exportStyle())) selectStyle("default");
    connect(style_, qOverload<int>(&QComboBox::activated), this, &ExportImageDialog::styleChosen);
    connect(this, &QDialog::accepted, this, [this] { AppSettings().setExportStyle(style()); });
  }
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

std::string ExportImageDialog::style() const {
  return style_ == nullptr ? "default" : style_->currentData().toString().toStdString();
}

bool ExportImageDialog::selectStyle(const std::string& style) {
  if (style_ == nullptr || style.empty() || style == kStyleFileItem) return false;
  int index = style_->findData(QString::fromStdString(style));
  if (index < 0) {
    try {
      (void)fig::figureStyleNamed(style);  // a readable style file, else not offered
    } catch (const std::exception&) {
      return false;
    }
    index = style_->count() - 1;  // before "Style file..."
    style_->insertItem(index, QFileInfo(QString::fromStdString(style)).fileName(), QString::fromStdString(style));
    style_->setItemData(index, QString::fromStdString(style), Qt::ToolTipRole);
  }
  style_->setCurrentIndex(index);
  lastStyleIndex_ = index;
  showPage();
  return true;
}

void ExportImageDialog::styleChosen(int index) {
  if (style_->itemData(index).toString() != kStyleFileItem) {
    lastStyleIndex_ = index;
    showPage();
    return;
  }
  const QString path =
      QFileDialog::getOpenFileName(this, tr("Figure style file"), QString(), tr("Figure styles (*.json)"));
  if (path.isEmpty()) {
    style_->setCurrentIndex(lastStyleIndex_);
    return;
  }
  try {
    (void)fig::figureStyleNamed(path.toStdString());
  } catch (const std::exception& error) {
    QMessageBox::warning(this, tr("Style file"), QString::fromStdString(error.what()));
    style_->setCurrentIndex(lastStyleIndex_);
    return;
  }
  selectStyle(path.toStdString());
}

void ExportImageDialog::showPage() {
  if (style_ == nullptr) return;
  bool fromStyle = false;
  try {
    const fig::FigureStyle chosen = fig::figureStyleNamed(style());
    fromStyle = chosen.widthMm.has_value();
    if (fromStyle) {
      const fig::FigurePage page = fig::figurePage(chosen);
      page_->setText(
          tr("%1 x %2 px at %3 dpi (%4 mm wide)").arg(page.width).arg(page.height).arg(page.dpi).arg(*chosen.widthMm));
    } else {
      page_->setText(tr("Size and scale below"));
    }
  } catch (const std::exception& error) {
    page_->setText(QString::fromStdString(error.what()));
  }
  for (QWidget* field : std::initializer_list<QWidget*>{width_, height_, scale_}) field->setEnabled(!fromStyle);
}

ViewExportOptions ExportImageDialog::viewExportOptions() const {
  const views::OffscreenRenderOptions chosen = options();
  const QSize size(static_cast<int>(chosen.width * chosen.scale), static_cast<int>(chosen.height * chosen.scale));
  return styledExportOptions(style(), size, 72.0 * chosen.scale, chosen.transparentBackground);
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
