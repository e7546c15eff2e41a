# Finds LibTorch, making sure every library comes from the same LibTorch.
#
# TorchConfig.cmake looks for libtorch and libc10 with find_library(... PATHS <its prefix>/lib), and CMake
# searches PATHS only after the system directories. With Debian's libtorch-dev installed (install-deps.sh
# installs it), a pip PyTorch's LibTorch named by -DCMAKE_PREFIX_PATH=$(torch.utils.cmake_prefix_path)
# would then be linked against Debian's libtorch.so and libc10.so: two ABIs in one process. So the two
# cache entries are set from the chosen LibTorch's own lib/ before TorchConfig.cmake runs, and a mix that
# still happens (a stale cache, say) stops the configure.

set(_neurolens_torch_hints ${Torch_DIR} ${CMAKE_PREFIX_PATH})
if(DEFINED ENV{CMAKE_PREFIX_PATH})
  string(REPLACE ":" ";" _neurolens_env_prefixes "$ENV{CMAKE_PREFIX_PATH}")
  list(APPEND _neurolens_torch_hints ${_neurolens_env_prefixes})
endif()
foreach(_hint IN LISTS _neurolens_torch_hints)
  foreach(_config_dir "${_hint}" "${_hint}/Torch" "${_hint}/share/cmake/Torch")
    if(EXISTS "${_config_dir}/TorchConfig.cmake")
      get_filename_component(_torch_prefix "${_config_dir}/../../.." ABSOLUTE)
      if(EXISTS "${_torch_prefix}/lib")
        find_library(TORCH_LIBRARY torch PATHS "${_torch_prefix}/lib" NO_DEFAULT_PATH)
        find_library(c10_LIBRARY c10 PATHS "${_torch_prefix}/lib" NO_DEFAULT_PATH)
      endif()
      break()
    endif()
  endforeach()
  if(_torch_prefix)
    break()
  endif()
endforeach()

find_package(Torch REQUIRED)

# torch_cpu comes from Caffe2Targets.cmake, whose paths are always right: the other two must sit beside it.
get_target_property(_torch_cpu_configs torch_cpu IMPORTED_CONFIGURATIONS)
if(_torch_cpu_configs)
  list(GET _torch_cpu_configs 0 _torch_cpu_config)
  get_target_property(_torch_cpu_location torch_cpu IMPORTED_LOCATION_${_torch_cpu_config})
else()
  get_target_property(_torch_cpu_location torch_cpu IMPORTED_LOCATION)
endif()
if(_torch_cpu_location)
  get_filename_component(_torch_lib_dir "${_torch_cpu_location}" DIRECTORY)
  get_filename_component(_torch_lib_dir "${_torch_lib_dir}" REALPATH)
  foreach(_library IN ITEMS TORCH_LIBRARY c10_LIBRARY)
    if(${_library})
      get_filename_component(_dir "${${_library}}" DIRECTORY)
      get_filename_component(_dir "${_dir}" REALPATH)
      if(NOT _dir STREQUAL _torch_lib_dir)
        message(FATAL_ERROR
          "LibTorch is mixed: ${_library} is ${${_library}}, but torch_cpu is in ${_torch_lib_dir}. "
          "Delete the build folder's CMakeCache.txt and configure again with "
          "-DCMAKE_PREFIX_PATH=<the LibTorch's share/cmake>.")
      endif()
    endif()
  endforeach()
endif()
