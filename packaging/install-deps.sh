#!/usr/bin/env bash
# Installs what NeuroLens needs on Debian 12 (bookworm), as root.
#   packaging/install-deps.sh          build + run dependencies (Debian packages)
#   packaging/install-deps.sh --test   also the test peers: Xvfb, clang (fuzzing) and a
#                                      Python venv (.venv) with pynwb, nwbinspector, captum, nlb-tools, cebra
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

packages=(
  cmake ninja-build g++ pkg-config
  qt6-base-dev libqt6opengl6-dev qt6-svg-dev qt6-qpa-plugins      # GUI (Qt 6 Widgets, QOpenGLWidget, SVG export)
  libvtk9-dev                                                     # 3-D views (never its Qt 5 module)
  libtorch-dev                                                    # models, attribution (LibTorch 1.13)
  libeigen3-dev                                                   # probes, projections, linear algebra
  libhdf5-dev                                                     # NWB reading, results store
  libpng-dev                                                      # fast PNG figure export
  libcli11-dev nlohmann-json3-dev                                 # command line, JSON summaries
  libmatio-dev                                                    # MATLAB (DataHigh) recordings
  python3-torch python3-h5py python3-numpy                        # demo model training, model export helper
  xvfb xauth                                                      # headless GUI runs
)
test_packages=(
  python3-venv python3-sklearn python3-scipy python3-matplotlib python3-pandas  # reference implementations
  clang libclang-rt-14-dev                                        # libFuzzer target for the NWB reader
  imagemagick poppler-utils librsvg2-bin                          # screenshots; PDF/SVG text checks in render tests
  ffmpeg                                                          # MP4 animation export (optional at run time)
  slurm-wlm munge                                                 # batch --runner slurm against a one-node Slurm
)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ $want_test -eq 1 ]; then
  for p in "${test_packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ $want_test -eq 1 ]; then
  venv="$here/.venv"
  if [ ! -x "$venv/bin/python" ]; then
    /usr/bin/python3 -m venv --system-site-packages "$venv"
  fi
  constraints="$here/tools/python/constraints.txt"
  if ! "$venv/bin/python" -c "import pynwb, nwbinspector, captum, nlb_tools, cebra" >/dev/null 2>&1; then
    "$venv/bin/pip" install -q --disable-pip-version-check -c "$constraints" -r "$here/tools/python/requirements-test.txt"
    # nlb-tools pins pandas<=1.3.4 (no build for Python 3.11); its evaluation code runs with pandas 2.0.
    # cebra declares torch>=2.4 but trains over Debian's torch 1.13 (docs/models.md, CEBRA).
    "$venv/bin/pip" install -q --disable-pip-version-check --no-deps nlb-tools cebra==0.6.1
  fi
fi
