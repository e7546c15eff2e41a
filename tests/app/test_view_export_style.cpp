// The GUI export dialog's figure styles (issue 30 step 2): the dialog offers the styles of `figure --style`,
// remembers the choice, and a grid view exported through the dialog's options in nature-1col has the page
// `neurolens-cli figure --style nature-1col` writes for the same recording: the same PNG size and DPI, a PDF
// 89 mm (252.28 pt) wide. pmd_reach_yu2009 without a model (PCA of counts, as both draw it). Needs an X server.
#include <QComboBox>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QProcess>
#include <QRegularExpression>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <memory>

#include "actions/export_view_action.h"
#include "main_window.h"
#include "neurolens/core/errors.h"
#include "session/app_settings.h"
#include "widgets/pair_grid.h"
#include "widgets/view_export.h"
#include "workspace_controller.h"

using namespace neurolens;
using neurolens::gui::MainWindow;

namespace {

constexpr int kOpenTimeoutMs = 90000;

QString sharedData(const QString& name) { return QString(NEUROLENS_SHARED_DATA) + "/" + name; }

// The PDF's page width in points (its first MediaBox), or -1.
double pdfPageWidthPt(const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) return -1.0;
  const QString raw = QString::fromLatin1(file.readAll());
  const QRegularExpressionMatch match =
      QRegularExpression(R"(MediaBox\s*\[\s*0\s+0\s+([0-9.]+)\s+([0-9.]+)\s*\])").match(raw);
  return match.hasMatch() ? match.captured(1).toDouble() : -1.0;
}

}  // namespace

class TestViewExportStyle : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir folder_;
  std::unique_ptr<MainWindow> window_;
  workspace::Id pair_ = 0;

  // `neurolens-cli figure` on the same recording with `arguments`; the written file's path.
  QString cliFigure(const QStringList& arguments, const QString& name) {
    const QString out = folder_.filePath(name);
    QProcess cli;
    cli.start(
        NEUROLENS_CLI_EXE,
        QStringList{"figure", sharedData("pmd_reach_yu2009.nwb"), "--view", "trajectories", "--out", out} + arguments);
    if (!cli.waitForFinished(180000) || cli.exitCode() != 0)
      qWarning("neurolens-cli figure failed: %s", cli.readAllStandardError().constData());
    return out;
  }

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName("NeuroLensTest");
    QCoreApplication::setApplicationName("NeuroLensTestViewExportStyle");
    QSettings().clear();
    if (!QFileInfo::exists(sharedData("pmd_reach_yu2009.nwb")))
      QSKIP("the shared recording pmd_reach_yu2009.nwb is not here");
    QVERIFY(folder_.isValid());
    window_ = std::make_unique<MainWindow>();
    window_->resize(1400, 900);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    window_->openFiles({sharedData("pmd_reach_yu2009.nwb")});
    QTRY_VERIFY_WITH_TIMEOUT(window_->opener().isIdle() && window_->workspace().workspace().settled(), kOpenTimeoutMs);
    QVERIFY(window_->workspace().focusedPair().has_value());
    pair_ = *window_->workspace().focusedPair();
  }

  void theDialogOffersTheCliStylesAndRemembersTheChoice() {
    {
      gui::ExportImageDialog dialog(QSize(800, 600), window_.get(), /*offerStyles=*/true);
      auto* styles = dialog.findChild<QComboBox*>("exportStyle");
      QVERIFY(styles != nullptr);
      for (const char* name : {"default", "nature-1col", "nature-2col", "slides"})
        QVERIFY2(styles->findData(QString(name)) >= 0, name);
      QCOMPARE(dialog.style(), std::string("default"));
      QVERIFY(!dialog.selectStyle("nature"));  // neither built in nor a file
      QVERIFY(dialog.selectStyle("nature-1col"));
      // The style sets the page: size and scale are the style's, not asked.
      const auto spins = dialog.findChildren<QSpinBox*>();
      QVERIFY(!spins.isEmpty());
      for (QSpinBox* spin : spins) QVERIFY(!spin->isEnabled());
      if (qEnvironmentVariableIsSet("NEUROLENS_TEST_KEEP")) {
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        dialog.grab().save("/tmp/export_style_dialog.png");
      }
      dialog.accept();
    }
    QCOMPARE(gui::AppSettings().exportStyle(), std::string("nature-1col"));
    gui::ExportImageDialog again(QSize(800, 600), window_.get(), true);
    QCOMPARE(again.style(), std::string("nature-1col"));
    // Without styles (the plain view's PNG export) nothing changes.
    gui::ExportImageDialog plain(QSize(800, 600), window_.get());
    QVERIFY(plain.findChild<QComboBox*>("exportStyle") == nullptr);
  }

  void nature1colExportMatchesTheCliPage() {
    gui::ExportImageDialog dialog(QSize(800, 600), window_.get(), true);
    QVERIFY(dialog.selectStyle("nature-1col"));
    const gui::ViewExportOptions options = dialog.viewExportOptions();
    QCOMPARE(options.style, std::string("nature-1col"));
    const QString png = folder_.filePath("gui.png");
    const QString pdf = folder_.filePath("gui.pdf");
    window_->pairGrid()->exportView(pair_, png, options);
    window_->pairGrid()->exportView(pair_, pdf, options);
    const QImage gui(png);
    const QImage cli(cliFigure({"--style", "nature-1col"}, "cli.png"));
    QVERIFY(!cli.isNull());
    QCOMPARE(gui.size(), cli.size());
    QCOMPARE(gui.size(), QSize(2102, 1583));  // 89 x 67 mm at 600 dpi
    QCOMPARE(gui.dotsPerMeterX(), cli.dotsPerMeterX());
    const double guiWidth = pdfPageWidthPt(pdf);
    const double cliWidth = pdfPageWidthPt(cliFigure({"--style", "nature-1col"}, "cli.pdf"));
    QVERIFY2(std::abs(guiWidth - 89.0 / 25.4 * 72.0) < 0.5, qPrintable(QString::number(guiWidth)));
    QVERIFY2(std::abs(guiWidth - cliWidth) < 1e-3, qPrintable(QString("%1 vs %2").arg(guiWidth).arg(cliWidth)));
    if (qEnvironmentVariableIsSet("NEUROLENS_TEST_KEEP")) {
      QFile::copy(png, "/tmp/export_style_gui.png");
      QFile::copy(folder_.filePath("cli.png"), "/tmp/export_style_cli.png");
    }
  }

  void aStyleFileSetsThePageAndTheDefaultKeepsTheAskedSize() {
    const QString file = folder_.filePath("mine.json");
    QFile style(file);
    QVERIFY(style.open(QIODevice::WriteOnly));
    style.write(R"({"width_mm": 50.8, "height_mm": 25.4, "dpi": 100, "tick_pt": 6})");
    style.close();
    gui::ExportImageDialog dialog(QSize(640, 480), window_.get(), true);
    QVERIFY(dialog.selectStyle(file.toStdString()));
    const gui::ViewExportOptions mine = dialog.viewExportOptions();
    QCOMPARE(mine.size, QSize(200, 100));
    QCOMPARE(mine.dpi, 100.0);
    const QString png = folder_.filePath("mine.png");
    window_->pairGrid()->exportView(pair_, png, mine);
    QCOMPARE(QImage(png).size(), QImage(cliFigure({"--style", file}, "mine_cli.png")).size());
    // The default style: the asked size times the scale (2 by default), 72 dpi per scale step.
    QVERIFY(dialog.selectStyle("default"));
    const gui::ViewExportOptions plain = dialog.viewExportOptions();
    QCOMPARE(plain.size, QSize(1280, 960));
    QCOMPARE(plain.dpi, 144.0);
    // An unreadable style file is an error naming it.
    QVERIFY_THROWS_EXCEPTION(InputError, (void)gui::styledExportOptions(folder_.filePath("missing.json").toStdString(),
                                                                        QSize(10, 10), 72.0, false));
  }
};

QTEST_MAIN(TestViewExportStyle)
#include "test_view_export_style.moc"
