#include "widgets/study_bar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>

namespace neurolens::gui {

StudyBar::StudyBar(const QString& prefix, QWidget* parent) : QWidget(parent) {
  auto* bar = new QHBoxLayout(this);
  bar->setContentsMargins(0, 0, 0, 0);
  status_ = new QLabel(this);
  status_->setObjectName(prefix + "Status");
  status_->setWordWrap(true);
  progress_ = new QProgressBar(this);
  progress_->setRange(0, 100);
  progress_->setVisible(false);
  cancel_ = new QPushButton(tr("Cancel"), this);
  cancel_->setObjectName(prefix + "Cancel");
  cancel_->setVisible(false);
  connect(cancel_, &QPushButton::clicked, this, &StudyBar::cancelRequested);
  auto* close = new QPushButton(tr("Back to the Views"), this);
  close->setObjectName(prefix + "Close");
  connect(close, &QPushButton::clicked, this, &StudyBar::closeRequested);
  bar->addWidget(status_, 1);
  bar->addWidget(progress_);
  bar->addWidget(cancel_);
  bar->addWidget(close);
}

void StudyBar::showRunning(const QString& what) {
  status_->setText(what);
  progress_->setValue(0);
  progress_->setVisible(true);
  cancel_->setVisible(true);
}

void StudyBar::setProgress(double fraction, const QString& stage) {
  progress_->setValue(static_cast<int>(100.0 * fraction));
  progress_->setFormat(stage + " %p%");
}

void StudyBar::showStopped() {
  progress_->setVisible(false);
  cancel_->setVisible(false);
}

void StudyBar::setText(const QString& text) { status_->setText(text); }

}  // namespace neurolens::gui
