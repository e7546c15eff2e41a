#pragma once
// The Analysis results' "Cursor window" tab (issue 21 step 4): the attribution of the time window under the
// time cursor, units x latents (summed over the window's input bins), the window's times, the completeness
// (warned when above the tolerance) and how long it took. It shows what it is given; the
// CursorAttributionController computes it in the background.
#include <QString>
#include <QWidget>
#include <memory>
#include <string>
#include <vector>

#include "logic/window_attribution.h"

class QLabel;

namespace neurolens::gui {

class PlotWidget;

class WindowAttributionView : public QWidget {
  Q_OBJECT

 public:
  explicit WindowAttributionView(QWidget* parent = nullptr);

  // Where the window's bins lie in time: bin b of trial t starts at binStartS[t] + b * binMs.
  void setTiming(std::vector<double> binStartS, double binMs, bool continuous);
  // A window is being computed (the last result stays drawn until the new one comes).
  void showComputing(const AttributionWindow& window);
  // `latencySeconds`: from the cursor move to now (a cached window: the look-up alone).
  void showResult(const std::shared_ptr<const WindowAttribution>& result, double latencySeconds, bool cached);
  void showProblem(const QString& text);
  void clear(const QString& why);

  [[nodiscard]] PlotWidget* plot() const { return plot_; }
  [[nodiscard]] QString headerText() const;
  [[nodiscard]] QString summaryText() const;
  [[nodiscard]] const std::shared_ptr<const WindowAttribution>& shown() const { return shown_; }

 private:
  [[nodiscard]] QString describe(const AttributionWindow& window) const;

  QLabel* header_ = nullptr;
  QLabel* summary_ = nullptr;
  PlotWidget* plot_ = nullptr;
  std::vector<double> binStartS_;
  double binMs_ = 20.0;
  bool continuous_ = false;
  std::shared_ptr<const WindowAttribution> shown_;
};

}  // namespace neurolens::gui
