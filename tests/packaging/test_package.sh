#!/usr/bin/env bash
# Builds the .deb with CPack, checks its file list, unpacks it into a fresh
# prefix and runs the installed programs from there.
set -euo pipefail
build="$1"
data="$2"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$build" && cpack -G DEB -B "$work/out" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; exit 1; }
deb=$(ls "$work"/out/*.deb)
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's#^\./#/#' >"$work/files"

expect() {
  if ! grep -Eq "$1" "$work/files"; then
    echo "FAIL: the package has no file matching $1"
    cat "$work/files"
    exit 1
  fi
}
expect '^/usr/bin/neurolens$'
expect '^/usr/bin/neurolens-cli$'
expect '^/usr/lib/.*neurolens/neurolens_cli_compute\.so$'
expect '^/usr/lib/.*neurolens/plugins/neurolens_plugin_datahigh_mat\.so$'
expect '^/usr/share/applications/org\.neurolens\.NeuroLens\.desktop$'
expect '^/usr/share/metainfo/org\.neurolens\.NeuroLens\.metainfo\.xml$'
expect '^/usr/share/mime/packages/neurolens\.xml$'
expect '^/usr/share/icons/hicolor/scalable/apps/org\.neurolens\.NeuroLens\.svg$'
expect '^/usr/share/icons/hicolor/256x256/apps/org\.neurolens\.NeuroLens\.png$'
expect '^/usr/share/neurolens/demo/demo_model\.pt$'
dpkg-deb -f "$deb" Depends | grep -q libtorch || { echo "FAIL: Depends lacks LibTorch"; exit 1; }

# Installed into a fresh prefix, the programs run and find their plugins and demo.
dpkg-deb -x "$deb" "$work/root"
cli="$work/root/usr/bin/neurolens-cli"
"$cli" --version
"$cli" info --json "$data/matlab/datahigh_ex1_spikecounts.mat" | grep -q '"trials":210' ||
  { echo "FAIL: installed neurolens-cli did not read a MAT file through its plugin"; exit 1; }
"$cli" demo --out "$work/demo" --quiet
test -s "$work/demo/demo.nwb" && test -s "$work/demo/demo_model.pt" ||
  { echo "FAIL: installed demo command wrote no demo"; exit 1; }
# Model commands run in the CLI's compute module (LibTorch), loaded from the installed libdir.
"$cli" version --json | grep -q '"libtorch":' ||
  { echo "FAIL: installed neurolens-cli did not load its compute module"; exit 1; }
"$cli" evaluate --model "$work/demo/demo_model.pt" "$work/demo/demo.nwb" --quiet --json | grep -q bits_per_spike ||
  { echo "FAIL: installed neurolens-cli could not evaluate the demo model"; exit 1; }
echo "package OK: $(basename "$deb"), $(wc -l <"$work/files") entries"
