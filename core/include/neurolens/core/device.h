#pragma once
// Which compute device to use. Plain types only: LibTorch stays inside core's .cpp files.
#include <string>

namespace neurolens {

enum class DeviceChoice { Auto, Cpu, Cuda };

struct DeviceInfo {
  bool cudaAvailable = false;
  int cudaDeviceCount = 0;
  std::string torchVersion;  // the LibTorch this program was built with
};

[[nodiscard]] DeviceInfo queryDevices();
// "auto" | "cpu" | "cuda"; throws InputError otherwise.
[[nodiscard]] DeviceChoice parseDeviceChoice(const std::string& text);
// Auto -> Cuda when LibTorch sees a GPU, else Cpu. Cuda without a GPU throws InputError.
[[nodiscard]] DeviceChoice resolveDevice(DeviceChoice choice);
[[nodiscard]] std::string deviceName(DeviceChoice choice);

}  // namespace neurolens
