#pragma once
// The bar under a Compare view (Align, Lesion, Matrix): what runs or what is shown, the study's progress with
// Cancel while it runs, and Back to the Views. Its parts are named PREFIXStatus, PREFIXCancel, PREFIXClose.
#include <QString>
#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;

namespace neurolens::gui {

class StudyBar : public QWidget {
  Q_OBJECT

 public:
  StudyBar(const QString& prefix, QWidget* parent);
  // A study starts: `what` is said, the progress (at 0) and Cancel show.
  void showRunning(const QString& what);
  void setProgress(double fraction, const QString& stage);
  // The study ended (shown, failed or cancelled): the progress and Cancel go.
  void showStopped();
  void setText(const QString& text);

 Q_SIGNALS:
  void cancelRequested();
  void closeRequested();

 private:
  QLabel* status_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QPushButton* cancel_ = nullptr;
};

}  // namespace neurolens::gui
