#pragma once
// What a headless run (`neurolens FILES --screenshot/--state-json`) reports: every
// recording and model it was given or that the window opened, with its state, and
// the pairs of the workspace (each recording with each model, or alone). Plain logic, no Qt; HeadlessRun feeds it from
// the window and writes it out (../shared/spec/cli.md, "GUI command line").
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace neurolens::gui {

enum class FileState { Loading, Ready, Error };
[[nodiscard]] const char* fileStateName(FileState state);

struct OpenedFile {
  std::string path;
  bool recording = true;  // else a model
  FileState state = FileState::Loading;
  std::size_t units = 0;
  std::size_t trials = 0;
  std::int64_t latents = 0;
  std::string error;
};

struct PairState {
  std::string recording;
  std::optional<std::string> model;  // none: the recording alone
  bool ready = false;
  std::string error;
  std::size_t trajectories = 0;  // drawn in its view
  // Each condition drawn in its view and its colour ("#rrggbb"), as `figure --json` lists them.
  std::vector<std::pair<std::string, std::string>> conditions{};
  bool loading = false;  // still opening or running when the run ended (a timeout)
};

class RunState {
 public:
  void asked(const std::string& path, bool recording);
  void recordingOpened(const std::string& path, std::size_t units, std::size_t trials);
  void modelLoaded(const std::string& path, std::int64_t latents);
  void failed(const std::string& path, bool recording, const std::string& error);
  // A problem that belongs to no file listed (a session that cannot be read, a file of no known kind).
  void problem(const std::string& message);
  void setPairs(std::vector<PairState> pairs) { pairs_ = std::move(pairs); }

  [[nodiscard]] const std::vector<OpenedFile>& files() const { return files_; }
  [[nodiscard]] const std::vector<PairState>& pairs() const { return pairs_; }
  // The first failure, for the one `error:` line: a file's, else a pair's, else another problem; none when all is well.
  [[nodiscard]] std::optional<std::string> firstError() const;
  // 0 every file opened and every pair is ready; 3 otherwise (4, a timeout, is the caller's).
  [[nodiscard]] int exitCode() const { return firstError() ? 3 : 0; }

 private:
  OpenedFile& entry(const std::string& path, bool recording);

  std::vector<OpenedFile> files_;
  std::vector<PairState> pairs_;
  std::vector<std::string> problems_;
};

}  // namespace neurolens::gui
