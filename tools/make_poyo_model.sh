#!/usr/bin/env bash
# Makes tests/data/models/poyo_m1.pt (+ poyo_m1.json, its provenance): a small POYO trained with torch_brain on
# m1_stevenson2011 and exported with tools/python/neurolens_export.py from_poyo (tools/make_poyo_model.py).
# torch_brain needs PyTorch 2.x: this creates a throwaway venv outside the repository (POYO_VENV, default
# ../poyo-venv beside the checkout) with a pip PyTorch, the first time (about 3 GB from PyPI, 2 minutes here).
#   tools/make_poyo_model.sh [OUT.pt] [make_poyo_model.py options]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${POYO_VENV:-$root/../poyo-venv}"
out="${1:-$root/tests/data/models/poyo_m1.pt}"
shift || true
if [ ! -x "$venv/bin/python" ]; then
  /usr/bin/python3 -m venv "$venv"
  "$venv/bin/pip" install torch==2.5.1 numpy h5py
  # torch_brain 0.2.1 declares ray, uv, pynwb, ... ; the POYO model imports only these.
  "$venv/bin/pip" install --no-deps torch_brain==0.2.1 temporaldata==0.1.6
  "$venv/bin/pip" install pandas ray rich
fi
# POYO_SCRIPT: another training script sharing this venv (tools/make_poyo_sessions.sh sets it).
exec "$venv/bin/python" "$root/${POYO_SCRIPT:-tools/make_poyo_model.py}" "$out" "$@"
