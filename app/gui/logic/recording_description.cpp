#include "logic/recording_description.h"

#include <cstdio>
#include <sstream>

namespace neurolens::gui {

namespace {
std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names) text += (text.empty() ? "" : ", ") + name;
  return text.empty() ? "none" : text;
}
}  // namespace

std::string describeRecording(const io::RecordingSummary& summary) {
  std::ostringstream text;
  if (!summary.sessionDescription.empty()) text << summary.sessionDescription << "\n";
  text << summary.units << (summary.units == 1 ? " unit" : " units") << "\n";
  if (summary.trials > 0) {
    text << summary.trials << (summary.trials == 1 ? " trial" : " trials") << "\n";
  } else {
    text << "continuous (no trials table)\n";
  }
  char duration[64];
  std::snprintf(duration, sizeof duration, "%.1f s", summary.durationS);
  text << "duration " << duration << "\n";
  text << "unit columns: " << joined(summary.unitColumns) << "\n";
  if (summary.trials > 0) text << "trial columns: " << joined(summary.trialColumns) << "\n";
  if (summary.behavior.empty()) {
    text << "behaviour: none";
  } else {
    text << "behaviour:";
    for (const auto& [name, info] : summary.behavior) {
      text << "\n  " << name << " (" << info.samples << " samples";
      if (info.dims.size() > 1) text << " x " << info.dims[1];
      if (!info.unit.empty()) text << ", " << info.unit;
      text << ")";
    }
  }
  return text.str();
}

Table unitsWithIds(const BinnedRecording& recording) {
  if (recording.units.find("id") != nullptr ||
      (recording.units.rows() != 0 && recording.units.rows() != recording.unitIds.size()))
    return recording.units;
  Table table;
  table.add(
      Column{"id", "unit id in the file", std::vector<double>(recording.unitIds.begin(), recording.unitIds.end()), {}});
  for (const Column& column : recording.units.columns()) table.add(column);
  return table;
}

}  // namespace neurolens::gui
