#pragma once
// File > Export View as PNG...: asks for the image size, scale and background,
// then a file name, and renders the 3-D view offscreen (never a screen grab), so
// the figure can be larger than the screen. A grid view's export (widgets/pair_grid.h,
// drawn by `figure`'s code path) also offers the figure styles of `figure --style`
// (default, nature-1col, nature-2col, slides, a style file), remembered in the settings.
#include <QDialog>
#include <string>

#include "actions/reaction.h"
#include "neurolens/views/offscreen_renderer.h"
#include "widgets/view_export.h"

class QSpinBox;
class QDoubleSpinBox;
class QCheckBox;
class QComboBox;
class QLabel;

namespace neurolens::gui {

class ExportImageDialog : public QDialog {
  Q_OBJECT

 public:
  // `offerStyles`: show the figure style choice (only for exports through `figure`'s code path).
  ExportImageDialog(QSize viewSize, QWidget* parent, bool offerStyles = false);
  [[nodiscard]] views::OffscreenRenderOptions options() const;
  // The chosen style: a built-in name or a style file's path ("default" when styles are not offered).
  [[nodiscard]] std::string style() const;
  // Selects a built-in style by name or a style file by path (added to the list); false if it cannot be read.
  bool selectStyle(const std::string& style);
  // What to export: the style's page (as `figure --style` computes it) or the size and scale above, the style,
  // the background. Also remembers the style in the settings. InputError if the style cannot be read.
  [[nodiscard]] ViewExportOptions viewExportOptions() const;

 private:
  void styleChosen(int index);
  void showPage();

  QSpinBox* width_;
  QSpinBox* height_;
  QDoubleSpinBox* scale_;
  QCheckBox* transparent_;
  QComboBox* style_ = nullptr;
  QLabel* page_ = nullptr;
  int lastStyleIndex_ = 0;
};

class ExportViewAction : public Reaction {
  Q_OBJECT

 public:
  ExportViewAction(QAction* action, Workbench& workbench);

 protected:
  void onTriggered() override;
};

}  // namespace neurolens::gui
