#pragma once
// The Workspace dock's decisions for a pair of a multi-session model (issue 18 step 3), Qt-free: which sessions
// to offer and how they read ("the recording's own" when one matches its NWB identifier, then each session with
// its unit count, the current one checked), the question asked when no session matches, and whether to ask
// (once per pair, and only while the pair is in error for want of a session). The widgets observe.
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "neurolens/workspace/workspace.h"

namespace neurolens::gui {

struct SessionOffer {
  std::string id;        // the session to choose (Workspace::chooseSession); empty: the recording's own
  std::string label;     // "pmd_reach_ex2 (61 units)", "the recording's own (pmd_reach_yu2009)"
  bool checked = false;  // the session the pair asked for (none asked: the recording's own)
  bool fits = true;      // its unit count is the recording's (a session that does not fit stays a clear error)
};

// What a pair of a multi-session model can run with; empty when its model has no sessions or a file is not ready.
[[nodiscard]] std::vector<SessionOffer> sessionOffers(const workspace::Workspace& space, workspace::Id pair);

// True when the pair is in error because no session of its model is the recording's identifier and none was
// chosen: the user must name one.
[[nodiscard]] bool needsSession(const workspace::Workspace& space, workspace::Id pair);

// The question for such a pair: the recording, its identifier and the sessions the model knows.
[[nodiscard]] std::string sessionQuestion(const workspace::Workspace& space, workspace::Id pair);

// The session to preselect when asking: the first whose unit count fits the recording, else the first.
[[nodiscard]] std::optional<std::size_t> preferredOffer(const std::vector<SessionOffer>& offers);

// Asks about each pair once in its life in the workspace (a pair closed and opened again is a new pair).
class SessionAsker {
 public:
  // The pairs that need a session and were not asked about yet; they count as asked from now on.
  [[nodiscard]] std::vector<workspace::Id> toAsk(const workspace::Workspace& space);

 private:
  std::set<workspace::Id> asked_;
};

}  // namespace neurolens::gui
