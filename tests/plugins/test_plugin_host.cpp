// Plugin discovery: static plugins, loadable modules from a folder, refusal of a
// plugin built for another API version and of files that are not plugins.
#include <QtTest/QtTest>
#include <filesystem>
#include <fstream>

#include "neurolens/plugins/plugin_manager.h"

Q_IMPORT_PLUGIN(DataHighMatPlugin)

using neurolens::plugins::PluginManager;

class TestPluginHost : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void staticPluginIsFound() {
    const PluginManager manager({});
    QCOMPARE(manager.recordingReaders().size(), std::size_t{1});
    QCOMPARE(QString::fromStdString(manager.plugins().at(0).name), QString("datahigh-mat"));
    QCOMPARE(QString::fromStdString(manager.plugins().at(0).file), QString("(static)"));
    QVERIFY(manager.problems().empty());
  }

  void readerIsChosenByExtensionAndContent() {
    const PluginManager manager({});
    const std::filesystem::path real =
        std::filesystem::path(NEUROLENS_SHARED_DATA) / "matlab/datahigh_ex1_spikecounts.mat";
    QVERIFY(manager.readerFor(real) != nullptr);
    QVERIFY(manager.readerFor(std::filesystem::path(NEUROLENS_SHARED_DATA) / "pmd_reach_yu2009.nwb") == nullptr);
    QTemporaryDir dir;
    const auto fake = std::filesystem::path(dir.path().toStdString()) / "fake.mat";
    std::ofstream(fake) << "not a MAT-file";
    QVERIFY(manager.readerFor(fake) == nullptr);
  }

  void loadableModuleIsFoundInItsFolder() {
    const PluginManager manager({PLUGIN_BUILD_DIR});
    // The static copy and the module both register: both are listed, each with its file.
    bool sawModule = false;
    for (const auto& entry : manager.plugins())
      if (entry.file.find("neurolens_plugin_datahigh_mat.so") != std::string::npos) sawModule = true;
    QVERIFY2(sawModule, "the datahigh-mat module in the build's plugin folder was not loaded");
    for (const auto& problem : manager.problems()) qWarning() << problem.file.c_str() << problem.message.c_str();
    QVERIFY(manager.problems().empty());
  }

  void otherApiVersionIsRefusedWithBothVersions() {
    const PluginManager manager({FAKE_PLUGIN_DIR});
    QCOMPARE(manager.recordingReaders().size(), std::size_t{1});  // only the static one
    QCOMPARE(manager.problems().size(), std::size_t{1});
    const auto& message = manager.problems().front().message;
    QVERIFY2(message.find("2.0") != std::string::npos && message.find("1.0") != std::string::npos, message.c_str());
  }

  void garbageFilesAreProblemsNotCrashes() {
    QTemporaryDir dir;
    const auto folder = std::filesystem::path(dir.path().toStdString());
    std::ofstream(folder / "garbage.so") << "this is not a shared object";
    std::ofstream(folder / "readme.txt") << "ignored: not a .so";
    const PluginManager manager({folder, folder / "does-not-exist"});
    QCOMPARE(manager.problems().size(), std::size_t{1});
    QVERIFY(manager.problems().front().file.find("garbage.so") != std::string::npos);
  }

  void defaultFoldersIncludeEnvironment() {
    qputenv("NEUROLENS_PLUGIN_PATH", "/tmp/a:/tmp/b");
    const auto folders = PluginManager::defaultFolders();
    qunsetenv("NEUROLENS_PLUGIN_PATH");
    QVERIFY(std::find(folders.begin(), folders.end(), std::filesystem::path("/tmp/b")) != folders.end());
  }
};

QTEST_GUILESS_MAIN(TestPluginHost)
#include "test_plugin_host.moc"
