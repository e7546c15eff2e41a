#include "neurolens/core/device.h"

#include <torch/torch.h>

#include "neurolens/core/errors.h"

namespace neurolens {

DeviceInfo queryDevices() {
  DeviceInfo info;
  info.cudaAvailable = torch::cuda::is_available();
  info.cudaDeviceCount = info.cudaAvailable ? static_cast<int>(torch::cuda::device_count()) : 0;
  info.torchVersion = std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) + "." +
                      std::to_string(TORCH_VERSION_PATCH);
  return info;
}

DeviceChoice parseDeviceChoice(const std::string& text) {
  if (text == "auto") return DeviceChoice::Auto;
  if (text == "cpu") return DeviceChoice::Cpu;
  if (text == "cuda") return DeviceChoice::Cuda;
  throw InputError("unknown device '" + text + "' (use auto, cpu or cuda)");
}

DeviceChoice resolveDevice(DeviceChoice choice) {
  const bool cuda = torch::cuda::is_available();
  if (choice == DeviceChoice::Auto) return cuda ? DeviceChoice::Cuda : DeviceChoice::Cpu;
  if (choice == DeviceChoice::Cuda && !cuda)
    throw InputError("--device cuda was asked for, but LibTorch sees no CUDA GPU on this machine");
  return choice;
}

std::string deviceName(DeviceChoice choice) {
  switch (choice) {
    case DeviceChoice::Auto: return "auto";
    case DeviceChoice::Cpu: return "cpu";
    case DeviceChoice::Cuda: return "cuda";
  }
  return "auto";
}

}  // namespace neurolens
