// Core building blocks: progress/cancel, atomic writes, tables, arrays, devices.
#include <QtTest/QtTest>

#include <filesystem>
#include <fstream>

#include "neurolens/core/atomic_file.h"
#include "neurolens/core/device.h"
#include "neurolens/core/errors.h"
#include "neurolens/core/ndarray.h"
#include "neurolens/core/progress.h"
#include "neurolens/core/table.h"

using namespace neurolens;

class TestCoreBasics : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void progressMapsNestedStages() {
    std::vector<double> seen;
    Progress root([&](double f, const std::string&) {
      seen.push_back(f);
      return true;
    });
    const Progress second = root.sub(0.5, 1.0);
    second.report(0.5, "x");
    second.sub(0.0, 0.5).report(1.0, "y");
    QCOMPARE(seen.size(), std::size_t{2});
    QCOMPARE(seen[0], 0.75);
    QCOMPARE(seen[1], 0.75);
  }

  void progressCancelThrows() {
    Progress cancelling([](double, const std::string&) { return false; });
    QVERIFY_THROWS_EXCEPTION(Cancelled, cancelling.report(0.1, "work"));
    Progress none;
    none.report(0.5, "no callback is fine");
  }

  void atomicFileCommitsOrLeavesNothing() {
    QTemporaryDir dir;
    const std::filesystem::path target = std::filesystem::path(dir.path().toStdString()) / "out.h5";
    {
      AtomicFile file(target);
      std::ofstream(file.temporaryPath()) << "partial";
      // destroyed without commit: as if an error happened half-way
    }
    QVERIFY(!std::filesystem::exists(target));
    QCOMPARE(std::distance(std::filesystem::directory_iterator(target.parent_path()), {}), 0);
    {
      AtomicFile file(target);
      std::ofstream(file.temporaryPath()) << "whole";
      file.commit();
    }
    std::ifstream in(target);
    std::string text;
    in >> text;
    QCOMPARE(QString::fromStdString(text), QString("whole"));
  }

  void atomicFileRefusesMissingFolder() {
    QVERIFY_THROWS_EXCEPTION(InputError, AtomicFile("/nonexistent-folder-xyz/out.h5"));
    QTemporaryDir dir;
    QVERIFY_THROWS_EXCEPTION(InputError, AtomicFile(dir.path().toStdString()));
  }

  void tableSelectKeepsRaggedRows() {
    Table table;
    table.add(Column{"id", "", std::vector<double>{10, 11, 12}, {}});
    table.add(Column{"tags", "", std::vector<std::string>{"a", "b", "c", "d"}, {1, 1, 4}});
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, table.add(Column{"bad", "", std::vector<double>{1}, {}}));
    const Table picked = table.select({2, 0});
    QCOMPARE(picked.rows(), std::size_t{2});
    QCOMPARE(QString::fromStdString(picked.find("tags")->cellText(0)), QString("b, c, d"));
    QCOMPARE(QString::fromStdString(picked.find("tags")->cellText(1)), QString("a"));
    QCOMPARE(picked.find("id")->numbers()[0], 12.0);
  }

  void floatArrayIndexesRowMajor() {
    FloatArray a({2, 3, 4});
    a(1, 2, 3) = 5.0F;
    QCOMPARE(a.values().back(), 5.0F);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, FloatArray({2, 2}, std::vector<float>(3)));
  }

  void deviceChoiceParsesAndResolves() {
    QVERIFY(parseDeviceChoice("cpu") == DeviceChoice::Cpu);
    QVERIFY_THROWS_EXCEPTION(InputError, (void)parseDeviceChoice("tpu"));
    const DeviceInfo info = queryDevices();
    QVERIFY(!info.torchVersion.empty());
    const DeviceChoice resolved = resolveDevice(DeviceChoice::Auto);
    QVERIFY(resolved == (info.cudaAvailable ? DeviceChoice::Cuda : DeviceChoice::Cpu));
    if (!info.cudaAvailable) QVERIFY_THROWS_EXCEPTION(InputError, (void)resolveDevice(DeviceChoice::Cuda));
  }
};

QTEST_GUILESS_MAIN(TestCoreBasics)
#include "test_core_basics.moc"
