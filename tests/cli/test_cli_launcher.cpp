// neurolens-cli is a launcher without LibTorch plus a compute module loaded only
// for commands that need a model (app/cli/CMakeLists.txt). Checks that the split
// cannot be seen from outside (same commands, help lines and --help text as the
// full registry), that `bin`/`info`/`demo` never map LibTorch into the process
// (the dynamic loader's own log, LD_DEBUG=libs), and that a missing or broken
// module is a clean exit 3 with an `error:` line, not a crash.
#include <QtCore/QFile>
#include <QtCore/QProcessEnvironment>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

#include "cli_program.h"
#include "cli_runner.h"
#include "compute_module_abi.h"
#include "launcher/launcher.h"

using neurolens::test::cliProgram;
using neurolens::test::CliResult;
using neurolens::test::runProcess;
using neurolens::test::sharedData;

namespace {

struct Listing {
  QStringList names;
  QStringList help;
};

Listing listing(const CLI::App& root) {
  Listing out;
  for (const CLI::App* command : root.get_subcommands([](const CLI::App*) { return true; })) {
    out.names << QString::fromStdString(command->get_name());
    out.help << QString::fromStdString(command->get_description());
  }
  return out;
}

// The loader logs every library it initialises ("calling init: /path/lib.so").
QStringList librariesLoaded(const QString& program, const QStringList& arguments, int* exitCode) {
  auto environment = QProcessEnvironment::systemEnvironment();
  environment.insert("LD_DEBUG", "libs");
  const CliResult run = runProcess(program, arguments, 120000, environment);
  *exitCode = run.exitCode;
  QStringList libraries;
  for (const QString& line : run.err.split('\n'))
    if (const int at = line.indexOf("calling init: "); at >= 0) libraries << line.mid(at + 14).trimmed();
  return libraries;
}

QStringList torchLibraries(const QStringList& libraries) { return libraries.filter("libtorch"); }

QString firstLine(const QString& text) { return text.section('\n', 0, 0); }

}  // namespace

class TestCliLauncher : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir dir_;
  QString nwb_ = sharedData("pmd_reach_yu2009.nwb");

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    QVERIFY2(QFileInfo(cliProgram()).isExecutable(), qPrintable("no program at " + cliProgram()));
  }

  // The launcher lists every command of the full registry, in order, with the same help line.
  void sameCommandsAsTheFullRegistry() {
    CLI::App full;
    neurolens::cli::configureRoot(full);
    neurolens::cli::CommandList fullCommands;
    neurolens::cli::addAllCommands(full, fullCommands);

    CLI::App launcher;
    neurolens::cli::configureRoot(launcher);
    neurolens::cli::CommandList launcherCommands;
    neurolens::cli::addLauncherCommands(launcher, launcherCommands, 0, nullptr);

    const Listing expected = listing(full);
    const Listing actual = listing(launcher);
    QCOMPARE(actual.names, expected.names);
    QCOMPARE(actual.help, expected.help);
    QCOMPARE(QString::fromStdString(launcher.help()), QString::fromStdString(full.help()));
    for (const char* name : {"info", "bin", "infer", "attribute", "evaluate", "probe", "link", "demo", "version"})
      QVERIFY2(actual.names.contains(name), name);
  }

  // The program's own --help matches too (and needs no module).
  void helpFromTheProgram() {
    const CliResult run = neurolens::test::runCli({"--help"});
    QCOMPARE(run.exitCode, 0);
    CLI::App full;
    neurolens::cli::configureRoot(full);
    neurolens::cli::CommandList commands;
    neurolens::cli::addAllCommands(full, commands);
    QCOMPARE(run.out, QString::fromStdString(full.help()));
  }

  void binAndInfoDoNotLoadLibTorch() {
    int exitCode = -1;
    const QString out = dir_.filePath("counts.h5");
    QStringList libraries = librariesLoaded(cliProgram(), {"bin", "--quiet", "--out", out, nwb_}, &exitCode);
    QCOMPARE(exitCode, 0);
    QVERIFY2(libraries.filter("libhdf5").size() > 0, "LD_DEBUG gave no library list");  // the log works
    QVERIFY2(torchLibraries(libraries).isEmpty(), qPrintable(torchLibraries(libraries).join(", ")));

    libraries = librariesLoaded(cliProgram(), {"info", "--json", nwb_}, &exitCode);
    QCOMPARE(exitCode, 0);
    QVERIFY2(torchLibraries(libraries).isEmpty(), qPrintable(torchLibraries(libraries).join(", ")));

    libraries = librariesLoaded(cliProgram(), {"--help"}, &exitCode);
    QCOMPARE(exitCode, 0);
    QVERIFY2(torchLibraries(libraries).isEmpty(), qPrintable(torchLibraries(libraries).join(", ")));

    libraries = librariesLoaded(cliProgram(), {"demo", "--recording-only", "--quiet", "--out", dir_.filePath("demo")},
                                &exitCode);
    QCOMPARE(exitCode, 0);
    QVERIFY2(torchLibraries(libraries).isEmpty(), qPrintable(torchLibraries(libraries).join(", ")));
  }

  // The same check sees LibTorch where a command needs it (so the check above can fail).
  void modelCommandsLoadTheModule() {
    int exitCode = -1;
    const QStringList libraries = librariesLoaded(cliProgram(), {"version", "--json"}, &exitCode);
    QCOMPARE(exitCode, 0);
    QVERIFY(!torchLibraries(libraries).isEmpty());
    QVERIFY(!libraries.filter(neurolens::cli::kComputeModuleFile).isEmpty());
  }

  // A program without its module still runs `info`, and a model command says what is missing.
  void missingModule() {
    const QString bin = dir_.filePath("missing/bin");
    QVERIFY(QDir().mkpath(bin));
    const QString program = bin + "/neurolens-cli";
    QVERIFY(QFile::copy(cliProgram(), program));

    CliResult run = runProcess(program, {"info", "--json", nwb_}, 120000);
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(neurolens::test::parseJson(run.out).value("units").toInt(), 61);

    for (const QStringList& arguments :
         {QStringList{"infer", "--model", "m.pt", nwb_}, QStringList{"version"}, QStringList{"attribute", "--help"}}) {
      run = runProcess(program, arguments, 120000);
      QCOMPARE(run.exitCode, 3);
      QVERIFY(run.out.isEmpty());
      QCOMPARE(run.err.count('\n'), 1);
      QVERIFY2(run.err.startsWith("error: '" + arguments.first() + "' needs the part of NeuroLens that runs models"),
               qPrintable(run.err));
      QVERIFY2(run.err.contains("neurolens_cli_compute.so"), qPrintable(run.err));
    }
  }

  void brokenModule() {
    const QString root = dir_.filePath("broken");
    QVERIFY(QDir().mkpath(root + "/bin") && QDir().mkpath(root + "/lib/neurolens"));
    const QString program = root + "/bin/neurolens-cli";
    QVERIFY(QFile::copy(cliProgram(), program));
    QFile module(root + "/lib/neurolens/" + neurolens::cli::kComputeModuleFile);
    QVERIFY(module.open(QIODevice::WriteOnly));
    module.write("not a shared library\n");
    module.close();

    const CliResult run = runProcess(program, {"evaluate", "--model", "m.pt", nwb_}, 120000);
    QCOMPARE(run.exitCode, 3);
    QCOMPARE(run.err.count('\n'), 1);
    QVERIFY2(firstLine(run.err).contains("cannot be loaded"), qPrintable(run.err));
    QVERIFY2(run.err.contains("Reinstall NeuroLens"), qPrintable(run.err));
  }
};

QTEST_GUILESS_MAIN(TestCliLauncher)
#include "test_cli_launcher.moc"
