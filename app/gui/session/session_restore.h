#pragma once
// A reopened session, from reading its file until its view state is applied (QtCore only, no widgets): which
// files to open (its other files first, then its pair, so that the docks end on the pair whose view state it
// restores), whether its saved latents stand for the pair being opened, and when that pair is drawn.
#include <QString>
#include <memory>
#include <optional>
#include <vector>

#include "logic/open_queue.h"
#include "session/session.h"

namespace neurolens::gui {

// What a session saves of the pipeline: the pair the docks hold (absolute paths with content hashes), every
// recording and model open and ready (`recordings`, `models`), the binning, the device and the attribution's
// request. The window adds the view's state (trajectory options, groups, time, camera, colouring, type).
[[nodiscard]] SessionState pipelineSessionState(const PipelineController& controller,
                                                const std::vector<std::string>& recordings,
                                                const std::vector<std::string>& models);

class SessionRestore {
 public:
  struct Start {
    std::vector<OpenRequest> requests;  // to open, in order
    QString problem;                    // non-empty: the session cannot be reopened (nothing pending)
  };
  // Holds `session` until its pair is drawn and returns the files to open; a session whose recording is missing
  // is refused.
  Start begin(LoadedSession session);
  [[nodiscard]] bool pending() const { return session_.has_value(); }
  // The saved latents for the pair of `recordingPath`: the session's own pair with unchanged inputs (the model is
  // not run again); null otherwise.
  [[nodiscard]] std::shared_ptr<const FloatArray> savedLatentsFor(const QString& recordingPath) const;
  // The session's pair has its latents now (`recordingPath` holds them): its view state can be applied.
  [[nodiscard]] bool readyFor(const QString& recordingPath, bool hasLatents) const;
  // Hands the session over; nothing is pending after.
  [[nodiscard]] LoadedSession take();
  // Saved results (attribution, probe) stand only for the inputs they were computed from.
  [[nodiscard]] static bool resultsStand(const LoadedSession& session) { return session.changedInputs.isEmpty(); }

 private:
  std::optional<LoadedSession> session_;
};

}  // namespace neurolens::gui
