#pragma once
// Qt needs an application object for fonts and painting. The CLI's figure writers
// (`figure`, `align --matrix --figure`) create one, on the "offscreen" platform
// unless QT_QPA_PLATFORM says otherwise, so no window system is needed.
#include <QGuiApplication>
#include <memory>

namespace neurolens::cli {

// A new application when none exists (kept alive by the caller), else nullptr.
[[nodiscard]] std::unique_ptr<QGuiApplication> ensureGuiApplication();

}  // namespace neurolens::cli
