#include "widgets/session_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace neurolens::gui {

SessionDialog::SessionDialog(workspace::Id pair, const QString& question, const std::vector<SessionOffer>& offers,
                             QWidget* parent)
    : QDialog(parent), pair_(pair) {
  setObjectName(QString("sessionDialog_%1").arg(pair));
  setWindowTitle(tr("Choose the model's session"));
  auto* layout = new QVBoxLayout(this);
  auto* text = new QLabel(question, this);
  text->setObjectName("sessionQuestion");
  text->setWordWrap(true);
  text->setMinimumWidth(420);
  combo_ = new QComboBox(this);
  combo_->setObjectName("sessionCombo");
  for (const SessionOffer& offer : offers) {
    combo_->addItem(QString::fromStdString(offer.label), QString::fromStdString(offer.id));
    if (!offer.fits)
      combo_->setItemData(combo_->count() - 1,
                          tr("its unit count is not the recording's: the pair would stay in error"), Qt::ToolTipRole);
  }
  if (const auto preferred = preferredOffer(offers)) combo_->setCurrentIndex(static_cast<int>(*preferred));
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
  QPushButton* run = buttons->addButton(tr("Run"), QDialogButtonBox::AcceptRole);
  run->setObjectName("sessionRun");
  run->setDefault(true);
  layout->addWidget(text);
  layout->addWidget(combo_);
  layout->addWidget(buttons);
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(this, &QDialog::accepted, this,
          [this] { Q_EMIT chosen(pair_, combo_->currentData().toString().toStdString()); });
}

}  // namespace neurolens::gui
