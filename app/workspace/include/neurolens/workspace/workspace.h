#pragma once
// The workbench's workspace (issue 28 step 3): any number of recordings and models, each by id, and a pair for
// each recording x model (or (recording, none) while no model is open at all), each with its state (loading,
// ready, error + reason) and its results. Plain logic as Slicer's scene + module logic: no Qt, no VTK, no
// LibTorch. Whoever loads files and runs models (the GUI's WorkspaceController) reports outcomes here; the
// workspace pairs them, checks each recording against each model (units, bin size, unit ids) and says, through
// plain callbacks, what was added, what changed, what was removed and which jobs to cancel.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "neurolens/core/binning.h"
#include "neurolens/core/ndarray.h"

namespace neurolens {
class Model;
}

namespace neurolens::workspace {

using Id = std::uint64_t;

enum class State { Loading, Ready, Error };
[[nodiscard]] const char* stateName(State state);

enum class Kind { Recording, Model, Pair };

// One session of a multi-session model (metadata `sessions`, ../shared/spec/model-contract.md): its neurons.
struct SessionFacts {
  std::string id;  // matched against the recording's NWB identifier
  std::optional<std::int64_t> units;
  std::vector<std::int64_t> unitIds;
};

// What a model says about the data it fits (its metadata; empty optionals: not said).
struct ModelFacts {
  std::optional<std::int64_t> units;
  std::optional<double> binMs;
  std::vector<std::int64_t> unitIds;
  std::int64_t latents = 0;
  std::vector<SessionFacts> sessions;  // a multi-session model's sessions; empty for a single-session model
};

struct RecordingItem {
  Id id = 0;
  std::string path;
  State state = State::Loading;
  std::string error;
  std::shared_ptr<const BinnedRecording> data;
  std::string description;
};

struct ModelItem {
  Id id = 0;
  std::string path;
  State state = State::Loading;
  std::string error;
  std::shared_ptr<const Model> model;  // may be null (tests give facts only)
  ModelFacts facts;
};

struct PairItem {
  Id id = 0;
  Id recording = 0;
  std::optional<Id> model;  // none: the recording alone (no model is open)
  // Loading: a file is still loading, or the model is still to run (or running) on the recording.
  State state = State::Loading;
  std::string error;
  bool running = false;  // a job runs the model on the recording (runStarted .. runFinished/runFailed)
  std::shared_ptr<const FloatArray> latents;
  std::size_t trajectories = 0;  // drawn in its view (the view reports it)
  std::string runError;          // why the model's run on the recording failed (kept until a file changes)
  // A multi-session model: the session chosen for this pair (chooseSession), else none: the recording's own
  // (the session whose id is its NWB identifier).
  std::string requestedSession;
  // The id of the session the model runs with on this recording (Model::forRecording(data, session) binds it);
  // empty for a single-session model, or while the pair is in error or loading.
  std::string session;
};

struct WorkspaceCallbacks {
  std::function<void(Kind, Id)> added;
  std::function<void(Kind, Id)> changed;
  std::function<void(Kind, Id)> removed;  // called before the item is gone: it can still be looked up
  // A running job of this item (a file loading, a pair's run) must stop: its outcome is no longer wanted.
  std::function<void(Id)> cancel;
};

// What "run again" on an item in error does: run a pair again whose run failed or was cancelled, or open a file
// again that could not be opened or whose opening was cancelled (also for a pair in error because of that file).
enum class RetryKind { RunPair, OpenFile };
struct Retry {
  RetryKind kind = RetryKind::RunPair;
  Id id = 0;  // the pair to run, or the file to open
};

// Why `model` cannot run on `recording` (units, bin size, unit ids), in the words of Model::checkAgainst;
// none when the facts given agree. A multi-session model is checked with the session `session` names, else the
// one whose id is the recording's NWB identifier; none matching is a mismatch naming the sessions it knows.
[[nodiscard]] std::optional<std::string> mismatch(const std::string& recordingPath, const BinnedRecording& recording,
                                                  const std::string& modelPath, const ModelFacts& model,
                                                  const std::string& session = {});
// The session of a multi-session model that runs on `recording`: `requested` when given, else the one whose id
// is the recording's NWB identifier; none when nothing matches or the model has no sessions.
[[nodiscard]] const SessionFacts* sessionFor(const BinnedRecording& recording, const ModelFacts& model,
                                             const std::string& requested = {});

class Workspace {
 public:
  void setCallbacks(WorkspaceCallbacks callbacks) { callbacks_ = std::move(callbacks); }

  // A file asked for (state Loading); a path already held keeps its id and state.
  Id addRecording(const std::string& path);
  Id addModel(const std::string& path);
  void recordingLoaded(Id id, std::shared_ptr<const BinnedRecording> data, std::string description = {});
  void modelLoaded(Id id, std::shared_ptr<const Model> model, const ModelFacts& facts);
  // A file that could not be opened (or whose opening was cancelled): its pairs are in error, naming it.
  void fileFailed(Id id, const std::string& error);
  // Closes a recording or a model: cancels its own job and its pairs' jobs, removes its pairs and itself,
  // then pairs the rest again (the last model closed: each recording alone again).
  void close(Id id);
  void closeAll();

  // Pairs whose files are ready and fit, whose model has not run and is not running: the jobs to start.
  [[nodiscard]] std::vector<Id> pairsToRun() const;
  void runStarted(Id pair);
  void runFinished(Id pair, std::shared_ptr<const FloatArray> latents);
  void runFailed(Id pair, const std::string& error);
  void setTrajectories(Id pair, std::size_t count);
  // A session chooser's answer for a pair of a multi-session model (empty: the recording's own again): the pair
  // is checked again and, when it fits, runs again with that session. False for an unknown pair.
  bool chooseSession(Id pair, const std::string& session);
  // What running `id` (a pair, or a file) again would do; none when there is nothing to retry: it is ready,
  // loading or running, or its error is a mismatch that another run cannot mend.
  [[nodiscard]] std::optional<Retry> retryFor(Id id) const;
  // Starts the retry: a pair's run error is cleared (it is loading and among pairsToRun() again), or the file is
  // loading again (its opener reports the outcome as before: recordingLoaded, modelLoaded or fileFailed).
  // Returns what the caller must do next: start the pairs, or open the file.
  std::optional<Retry> retry(Id id);

  [[nodiscard]] const std::vector<RecordingItem>& recordings() const { return recordings_; }
  [[nodiscard]] const std::vector<ModelItem>& models() const { return models_; }
  // Ordered by recording, then model, as opened.
  [[nodiscard]] const std::vector<PairItem>& pairs() const { return pairs_; }
  [[nodiscard]] const RecordingItem* recording(Id id) const;
  [[nodiscard]] const ModelItem* model(Id id) const;
  [[nodiscard]] const PairItem* pair(Id id) const;
  [[nodiscard]] std::optional<Kind> kindOf(Id id) const;
  [[nodiscard]] const RecordingItem* findRecording(const std::string& path) const;
  [[nodiscard]] const ModelItem* findModel(const std::string& path) const;
  [[nodiscard]] const PairItem* findPair(Id recording, std::optional<Id> model) const;
  // Nothing loading and nothing to run: every pair is ready or in error.
  [[nodiscard]] bool settled() const;
  // The file or pair's name for messages: "a.nwb", "m.pt", "a.nwb with m.pt", "a.nwb alone".
  [[nodiscard]] std::string label(Id id) const;
  // Why no model's latents can be drawn for the recording at `path`: the error of its first pair with a model
  // (which names the model); none when it has no such pair (no model is open, or one is loading or ready).
  [[nodiscard]] std::optional<std::string> whyNoModelRuns(const std::string& path) const;

 private:
  RecordingItem* recordingEntry(Id id);
  ModelItem* modelEntry(Id id);
  PairItem* pairEntry(Id id);
  // Adds missing pairs, removes pairs no longer wanted, and derives every pair's state from its files.
  void syncPairs();
  void removePair(std::size_t index);
  void refresh(PairItem& pair);
  void emitChanged(Kind kind, Id id) const;

  Id nextId_ = 1;
  std::vector<RecordingItem> recordings_;
  std::vector<ModelItem> models_;
  std::vector<PairItem> pairs_;
  WorkspaceCallbacks callbacks_;
};

}  // namespace neurolens::workspace
