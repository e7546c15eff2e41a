// The logic the main window assembles (issue 28 step 5), each class alone, without a window: what the focus
// view draws and its summary, what colours it and why not, what a selection in the tables means, what a
// reopened session opens and when it applies, and what the window remembers between runs.
#include <QFile>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <cmath>

#include "logic/colouring.h"
#include "logic/focus_drawing.h"
#include "logic/linked_views.h"
#include "logic/selection.h"
#include "neurolens/core/errors.h"
#include "session/app_settings.h"
#include "session/session_restore.h"

using namespace neurolens::gui;

namespace {

// 4 trials x 5 bins x 6 units, trials in conditions a, b, a, b; one behaviour channel of 2 columns.
neurolens::BinnedRecording smallRecording() {
  neurolens::BinnedRecording recording;
  recording.binMs = 20.0;
  recording.counts = neurolens::FloatArray({4, 5, 6});
  for (std::size_t i = 0; i < recording.counts.size(); ++i)
    recording.counts.values()[i] = static_cast<float>((i * 7) % 5) + (i % 3 == 0 ? 2.0F : 0.0F);
  recording.trials.add(neurolens::Column{"condition", "", std::vector<std::string>{"a", "b", "a", "b"}, {}});
  recording.units.add(neurolens::Column{"cell_type", "", std::vector<std::string>{"E", "I", "E", "E", "I", "E"}, {}});
  recording.behavior["hand_vel"] = neurolens::FloatArray({4, 5, 2}, 1.0F);
  return recording;
}

}  // namespace

class TestWindowLogic : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void focusDrawsALatentPairARecordingAloneOrNothing() {
    const neurolens::BinnedRecording recording = smallRecording();
    neurolens::FloatArray latents({4, 5, 3});
    for (std::size_t i = 0; i < latents.size(); ++i) latents.values()[i] = std::sin(0.37F * static_cast<float>(i));
    TrajectoryRequest request;
    // Nothing open, or a model that has not run on the recording yet: nothing to draw.
    QVERIFY(!focusDrawing(FocusInputs{}, request));
    QVERIFY(!focusDrawing(FocusInputs{&recording, true, nullptr, "/d/r.nwb", "/m/m.pt"}, request));
    // A recording alone: its smoothed rates' principal components, condition means over single trials.
    const auto alone = focusDrawing(FocusInputs{&recording, false, nullptr, "/d/r.nwb", ""}, request);
    QVERIFY(alone && alone->recordingAlone);
    QVERIFY(alone->trajectories.means);
    QCOMPARE(alone->trajectories.conditionCount(), std::size_t{2});
    QCOMPARE(alone->trajectories.data.points.dim(0), std::size_t{4 + 2});
    QCOMPARE(alone->summary, std::string("<b>Smoothed rates (PCA)</b> on <b>r.nwb</b>: 2 condition means over "
                                         "their single trials, grouped by condition."));
    // The model's latents, single trials only; file names are escaped for the rich-text label.
    request.conditionMeans = false;
    const auto pair = focusDrawing(FocusInputs{&recording, true, &latents, "/d/r&1.nwb", "/m/<m>.pt"}, request);
    QVERIFY(pair && !pair->recordingAlone);
    QCOMPARE(pair->trajectories.data.points.dim(0), std::size_t{4});
    QCOMPARE(pair->summary, std::string("<b>&lt;m&gt;.pt</b> on <b>r&amp;1.nwb</b>: 4 trials, grouped by condition."));
    request.groupColumn = "nope";
    QVERIFY(focusDrawing(FocusInputs{&recording, true, &latents, "r.nwb", "m.pt"}, request)
                ->summary.find("grouped by nothing (one group)") != std::string::npos);
    // Latents of another number of trials than the recording: refused, in words.
    const neurolens::FloatArray wrong({2, 5});
    QVERIFY_THROWS_EXCEPTION(neurolens::InputError,
                             (void)focusDrawing(FocusInputs{&recording, true, &wrong, "r", "m"}, request));
    QCOMPARE(htmlEscaped("a<b>&\"c\""), std::string("a&lt;b&gt;&amp;&quot;c&quot;"));
  }

  void colouringFallsBackToConditionsSayingWhy() {
    const neurolens::BinnedRecording recording = smallRecording();
    TrajectoryRequest request;
    const Trajectories shown = focusDrawing(FocusInputs{&recording, false, nullptr, "r", ""}, request)->trajectories;
    ColouringInputs inputs{&recording, &shown, nullptr, {}};
    // Condition colours: no scalar colouring and nothing to say.
    ColouringOutcome outcome = colourTrajectories(ColourChoice{}, inputs);
    QVERIFY(!outcome.colouring && outcome.note.empty());
    // Time: one value per shown trajectory and bin (the single trials beneath the means grey).
    outcome = colourTrajectories(ColourChoice{ColourMode::Time, {}, -1}, inputs);
    QVERIFY(outcome.colouring);
    QCOMPARE(outcome.colouring->values.shape(), (std::vector<std::size_t>{6, 5}));
    QVERIFY(std::isnan(outcome.colouring->values.values()[0]));
    QCOMPARE(outcome.colouring->values.values()[4 * 5 + 2], 40.0F);
    QCOMPARE(outcome.colouring->title, std::string("time (ms)"));
    // A behaviour channel the recording lacks, or a column it does not have.
    outcome = colourTrajectories(ColourChoice{ColourMode::Behaviour, "pupil", 0}, inputs);
    QVERIFY(!outcome.colouring);
    QCOMPARE(outcome.note, std::string("This recording has no behaviour channel \"pupil\": coloured by group."));
    outcome = colourTrajectories(ColourChoice{ColourMode::Behaviour, "hand_vel", 5}, inputs);
    QVERIFY(!outcome.colouring);
    QVERIFY2(outcome.note.rfind("Cannot colour by hand_vel dim 6: ", 0) == 0, outcome.note.c_str());
    QVERIFY(colourTrajectories(ColourChoice{ColourMode::Behaviour, "hand_vel", -1}, inputs).colouring);
    // Attribution: none run, run on other bins, or on the first trials only.
    const ColourChoice attribution{ColourMode::Attribution, {}, -1};
    outcome = colourTrajectories(attribution, inputs);
    QVERIFY(!outcome.colouring);
    QCOMPARE(outcome.note,
             std::string("Run attribution (Analysis dock) to colour by it: coloured by group meanwhile."));
    const neurolens::FloatArray otherBins({4, 3, 6}, 1.0F);
    inputs.attribution = &otherBins;
    QCOMPARE(colourTrajectories(attribution, inputs).note,
             std::string("The attribution was computed with other bins: run it again."));
    const neurolens::FloatArray firstTwo({2, 5, 6}, 1.0F);
    inputs.attribution = &firstTwo;
    inputs.units = UnitChoice{{0, 2}, "2 selected units"};
    outcome = colourTrajectories(attribution, inputs);
    QVERIFY(outcome.colouring);
    QCOMPARE(outcome.colouring->colormap, std::string("magma"));
    QCOMPARE(outcome.colouring->values.values()[4 * 5], 2.0F);  // condition a's mean: trial 0 (2 units x 1)
    QCOMPARE(outcome.note, std::string("Per bin: summed |attribution| of 2 selected units to the attributed latents. "
                                       "Attribution covers the first 2 of 4 trials; group means average those "
                                       "trials; groups without any are grey."));
    // Without a recording or trajectories nothing is coloured.
    QVERIFY(!colourTrajectories(ColourChoice{ColourMode::Time, {}, -1}, ColouringInputs{}).colouring);
  }

  void selectionNamesUnitsAndFindsTrials() {
    const neurolens::BinnedRecording recording = smallRecording();
    QCOMPARE(typeColumnFor("", &recording.units), std::string("cell_type"));
    QCOMPARE(typeColumnFor("location", &recording.units), std::string("location"));
    QCOMPARE(typeColumnFor("", nullptr), std::string());
    const std::vector<std::string> types = unitTypes(recording.units, "cell_type", 6);
    QCOMPARE(unitsOfType(types, "I"), (std::vector<std::size_t>{1, 4}));
    QCOMPARE(*typeOfFirst(types, {4, 0}), std::string("I"));
    QVERIFY(!typeOfFirst(types, {}));
    QVERIFY(!typeOfFirst(types, {9}));
    neurolens::Table table;
    table.add(neurolens::Column{"id", "", std::vector<double>{10, 11, 12, 13, 14, 15}, {}});
    QCOMPARE(attributionUnits({}, table, types, "").name, std::string("all units"));
    QCOMPARE(attributionUnits({3}, table, types, "").name, std::string("unit id 13"));
    QCOMPARE(attributionUnits({3}, neurolens::Table{}, types, "").name, std::string());  // not listed
    neurolens::Table noIds;
    noIds.add(neurolens::Column{"depth", "", std::vector<double>{1, 2, 3, 4, 5, 6}, {}});
    QCOMPARE(attributionUnits({3}, noIds, types, "").name, std::string("unit 3"));
    QCOMPARE(attributionUnits({0, 4}, table, types, "I").name, std::string("2 selected units"));
    const UnitChoice type = attributionUnits({1, 4}, table, types, "I");
    QCOMPARE(type.name, std::string("the I units"));
    QCOMPARE(type.units, (std::vector<std::size_t>{1, 4}));
    // A selected trial's drawn row: single trials first; none when only means are drawn.
    Trajectories shown;
    shown.rowTrial = {0, 2, 1, 3};
    QCOMPARE(*drawnRowOfTrial(shown, 1), std::size_t{2});
    QVERIFY(!drawnRowOfTrial(shown, 7));
  }

  void sessionRestoreOpensTheOtherFilesThenItsPair() {
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    const QString recordingPath = folder.filePath("a.nwb");
    QFile file(recordingPath);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.close();
    LoadedSession session;
    session.state.recording = {recordingPath, {}};
    session.state.model = {"/m/m.pt", {}};
    session.state.recordings = {{"/d/b.nwb", {}}, {recordingPath, {}}};
    session.state.models = {{"/m/m.pt", {}}};
    session.latents = std::make_shared<neurolens::FloatArray>(std::vector<std::size_t>{4, 5, 3});
    SessionRestore restore;
    QVERIFY(!restore.pending());
    QVERIFY(!restore.readyFor(recordingPath, true));
    const SessionRestore::Start start = restore.begin(session);
    QVERIFY(start.problem.isEmpty());
    QVERIFY(restore.pending());
    QCOMPARE(start.requests.size(), std::size_t{2});
    QVERIFY(start.requests[0] == (OpenRequest{OpenKind::Recording, "/d/b.nwb", {}}));
    QVERIFY(start.requests[1] == (OpenRequest{OpenKind::RecordingWithModel, recordingPath.toStdString(), "/m/m.pt"}));
    // Its saved latents stand for its own pair only, and only while its inputs are unchanged.
    QCOMPARE(restore.savedLatentsFor(recordingPath), std::shared_ptr<const neurolens::FloatArray>(session.latents));
    QVERIFY(restore.savedLatentsFor("/d/b.nwb") == nullptr);
    // Applied once its pair has latents; taken, nothing is pending.
    QVERIFY(!restore.readyFor(recordingPath, false));
    QVERIFY(!restore.readyFor("/d/b.nwb", true));
    QVERIFY(restore.readyFor(recordingPath, true));
    const LoadedSession taken = restore.take();
    QVERIFY(SessionRestore::resultsStand(taken));
    QVERIFY(!restore.pending());
    QVERIFY(restore.savedLatentsFor(recordingPath) == nullptr);
    // Changed inputs: the files open, the saved results do not stand.
    session.changedInputs = {recordingPath};
    (void)restore.begin(session);
    QVERIFY(restore.savedLatentsFor(recordingPath) == nullptr);
    QVERIFY(!SessionRestore::resultsStand(restore.take()));
    // A session whose recording is gone is refused, naming it; nothing is pending.
    session.state.recording.path = folder.filePath("gone.nwb");
    const SessionRestore::Start refused = restore.begin(session);
    QVERIFY(refused.requests.empty());
    QVERIFY(refused.problem.contains("gone.nwb"));
    QVERIFY(!restore.pending());
    // The pipeline's part of a session: nothing open, the defaults.
    const neurolens::gui::PipelineController controller;
    const SessionState state = pipelineSessionState(controller, {"/d/b.nwb"}, {});
    QVERIFY(state.recording.path.isEmpty() && state.model.path.isEmpty());
    QCOMPARE(state.recordings.size(), std::size_t{1});
    QVERIFY(!state.attribution);
  }

  void settingsRememberAndSayWhatAStartOpens() {
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    const AppSettings settings(folder.filePath("settings.ini"));
    QCOMPARE(settings.binMs(), 20.0);
    QVERIFY(settings.device() == neurolens::DeviceChoice::Auto);
    QCOMPARE(settings.colour(), std::string("condition"));
    settings.setBinMs(10.0);
    settings.setDevice(neurolens::DeviceChoice::Cpu);
    settings.setColour("time");
    settings.setRecentFiles({"/d/a.nwb", "/m/m.pt"});
    const AppSettings again(folder.filePath("settings.ini"));
    QCOMPARE(again.binMs(), 10.0);
    QVERIFY(again.device() == neurolens::DeviceChoice::Cpu);
    QCOMPARE(again.colour(), std::string("time"));
    QCOMPARE(again.recentFiles(), (std::vector<std::string>{"/d/a.nwb", "/m/m.pt"}));
    // The very first start opens the demo; later starts the last recording (and model) while they exist.
    QVERIFY(*again.takeStartRequest() == (OpenRequest{OpenKind::Demo, {}, {}}));
    QVERIFY(!again.takeStartRequest());
    const QString recording = folder.filePath("settings.ini");  // any file that exists
    again.setLastRecording(recording);
    again.setLastModel("/gone/m.pt");
    QVERIFY(*again.takeStartRequest() == (OpenRequest{OpenKind::RecordingWithModel, recording.toStdString(), {}}));
    again.setLastModel(recording);
    QCOMPARE(again.takeStartRequest()->model, recording.toStdString());
    again.setLastRecording("/gone/r.nwb");
    QVERIFY(!again.takeStartRequest());
  }

  // Issue 29 step 1: linked views give each condition label one colour, the focus's first.
  void linkedViewsShareOneColourPerLabel() {
    using neurolens::gui::LabelledColours;
    const neurolens::scene::Rgb red{1, 0, 0}, green{0, 1, 0}, blue{0, 0, 1};
    const LabelledColours focus = {{"reach1", red}, {"reach2", green}};
    const LabelledColours other = {{"reach1", blue}, {"reach3", green}, {"reach2", red}};
    const std::map<std::string, neurolens::scene::Rgb> colours = sharedConditionColours({focus, other});
    QCOMPARE(colours.size(), std::size_t{3});
    QCOMPARE(colours.at("reach1").b, 0.0);  // the focus's red, not the other view's blue
    QCOMPARE(colours.at("reach1").r, 1.0);
    QCOMPARE(colours.at("reach2").g, 1.0);
    // reach3's own green is reach2's already: it takes a palette colour no label has.
    const neurolens::scene::Rgb three = colours.at("reach3");
    for (const auto& label : {"reach1", "reach2"}) {
      const neurolens::scene::Rgb taken = colours.at(label);
      QVERIFY(std::abs(three.r - taken.r) + std::abs(three.g - taken.g) + std::abs(three.b - taken.b) > 1e-3);
    }
    const LabelledColours legend = sharedLegend({focus, other}, colours);
    QCOMPARE(legend.size(), std::size_t{3});
    QCOMPARE(legend[0].first, std::string("reach1"));
    QCOMPARE(legend[2].first, std::string("reach3"));
    // Groups recoloured by name. Means drawn: single trials in c (lighter), means in C + c.
    neurolens::scene::TrajectoryData layered;
    const neurolens::scene::Rgb light{0.6, 0.6, 0.9};
    layered.colours = {light, light, blue, blue};  // reach3, reach1 (trials), reach3, reach1 (means)
    recolourByLabel(layered, {"reach3", "reach1"}, colours);
    QCOMPARE(layered.colours[3].r, 1.0);  // reach1's mean: the focus's red
    QCOMPARE(layered.colours[3].b, 0.0);
    QCOMPARE(layered.colours[2].r, three.r);
    // The trials' colour moves with the mean's by the builder's share: lighter than the mean, red now.
    QVERIFY(std::abs(layered.colours[1].r - (0.6 + kTrialColourShare * 1.0)) < 1e-12);
    QVERIFY(std::abs(layered.colours[1].b - (0.9 - kTrialColourShare * 1.0)) < 1e-12);
    // Single trials alone: one group per condition.
    neurolens::scene::TrajectoryData single;
    single.colours = {green, blue};
    recolourByLabel(single, {"reach3", "reach1"}, colours);
    QCOMPARE(single.colours[1].r, 1.0);
    QCOMPARE(single.colours[0].b, three.b);
    // Not linked (no shared colours): nothing changes.
    recolourByLabel(single, {"reach3", "reach1"}, {});
    QCOMPARE(single.colours[1].r, 1.0);
  }

  void cameraPosesCompareWithinTolerance() {
    CameraPose a;
    a.position = {0, -10, 0};
    a.viewUp = {0, 0, 1};
    CameraPose b = a;
    QVERIFY(samePose(a, b));
    b.position[0] = 1e-12;
    QVERIFY(samePose(a, b));
    b.position[0] = 0.5;
    QVERIFY(!samePose(a, b));
    b = a;
    b.viewAngle = 20.0;
    QVERIFY(!samePose(a, b));
  }
};

QTEST_GUILESS_MAIN(TestWindowLogic)
#include "test_window_logic.moc"
