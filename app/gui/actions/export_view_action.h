#pragma once
// File > Export View as PNG...: asks for the image size, scale and background,
// then a file name, and renders the 3-D view offscreen (never a screen grab), so
// the figure can be larger than the screen.
#include <QDialog>

#include "actions/reaction.h"
#include "neurolens/views/offscreen_renderer.h"

class QSpinBox;
class QDoubleSpinBox;
class QCheckBox;

namespace neurolens::gui {

class ExportImageDialog : public QDialog {
  Q_OBJECT

 public:
  ExportImageDialog(QSize viewSize, QWidget* parent);
  [[nodiscard]] views::OffscreenRenderOptions options() const;

 private:
  QSpinBox* width_;
  QSpinBox* height_;
  QDoubleSpinBox* scale_;
  QCheckBox* transparent_;
};

class ExportViewAction : public Reaction {
  Q_OBJECT

 public:
  ExportViewAction(QAction* action, Workbench& workbench);

 protected:
  void onTriggered() override;
};

}  // namespace neurolens::gui
