// A plugin that claims plugin API 2.0 (and the matching IID): the host must
// refuse it by its metadata before running any of its code.
#include <QObject>
#include <QtPlugin>

class FutureInterface {
 public:
  virtual ~FutureInterface() = default;
  virtual int answer() const = 0;
};
Q_DECLARE_INTERFACE(FutureInterface, "org.neurolens.RecordingReader/2")

class FakeV2Plugin : public QObject, public FutureInterface {
  Q_OBJECT
  Q_PLUGIN_METADATA(IID "org.neurolens.RecordingReader/2" FILE "fake_v2.json")
  Q_INTERFACES(FutureInterface)
 public:
  int answer() const override { return 42; }
};

#include "fake_v2_plugin.moc"
