#pragma once
// Workbench sessions (*.nlsession): a JSON file naming the input files with their
// SHA-256 content hashes, the parameters, the camera and the view state; computed
// arrays (latents, attribution profiles, link) go to an HDF5 results file beside
// it (<name>.nlsession.h5, io::ResultsWriter layout). Both are written atomically.
// Reopening reads the latents (and the analyses) back from the results file instead
// of running the model again, as long as the inputs' content hashes still match.
#include <QString>
#include <QStringList>
#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "logic/open_queue.h"
#include "logic/pipeline.h"
#include "pipeline_controller.h"

namespace neurolens::gui {

struct SessionInput {
  QString path;
  QString sha256;  // of the file's bytes when saved
};

// A multi-session model's session chosen for one pair (issue 18 step 3), by the pair's files.
struct PairSessionChoice {
  QString recording;
  QString model;
  std::string session;
};

struct SessionState {
  // The pair the docks show (its latents and analyses are in the results file).
  SessionInput recording;
  SessionInput model;
  // Every recording and model open (the workspace's lists, the pair above included); a session written before
  // lists existed reads as the pair above alone.
  std::vector<SessionInput> recordings;
  std::vector<SessionInput> models;
  BinningOptions binning;
  DeviceChoice device = DeviceChoice::Auto;
  TrajectoryRequest trajectory;
  std::vector<bool> groupVisible;
  int time = 0;
  std::optional<std::array<double, 9>> camera;  // position, focal point, view-up
  std::optional<AttributionRequest> attribution;
  QString selectedType;
  std::string colour = "condition";             // ColourChoice::spec() of the trajectory view
  std::vector<PairSessionChoice> pairSessions;  // the sessions chosen in the window ("pair_sessions")
};

// 64 lowercase hex digits; empty when the file cannot be read.
[[nodiscard]] QString sha256OfFile(const QString& path);
// Where the results file of a session lives.
[[nodiscard]] QString resultsPathFor(const QString& sessionPath);

// Writes `path` (JSON) and its results file (latents, attribution when given).
// Throws InputError naming the file when it cannot be written.
void saveSession(const QString& path, const SessionState& state, const FloatArray* latents,
                 const AttributionOutcome* attribution, const ProbeOutcome* probe = nullptr);

struct LoadedSession {
  SessionState state;
  QStringList changedInputs;                        // inputs whose content hash differs now (or that are missing)
  std::shared_ptr<AttributionOutcome> attribution;  // from the results file, when saved
  std::shared_ptr<FloatArray> latents;              // from the results file, when saved
  std::shared_ptr<ProbeOutcome> probe;              // from the results file, when saved
};
// The session's files other than its pair (recording, model), to open after it, in its order.
[[nodiscard]] std::vector<OpenRequest> otherInputs(const SessionState& state);
// Every path given, with the content hash of each (the lists of SessionState).
[[nodiscard]] std::vector<SessionInput> inputsFor(const std::vector<std::string>& paths);

// Throws InputError naming the file on unreadable or malformed sessions.
[[nodiscard]] LoadedSession loadSession(const QString& path);

}  // namespace neurolens::gui
