#!/usr/bin/env bash
# Makes tests/data/models/poyo_pmd_sessions.pt (+ poyo_pmd_sessions.json, its provenance): one small POYO
# trained with torch_brain on pmd_reach_yu2009 and pmd_reach_ex2 together (two sessions, their own unit
# vocabularies, reach condition), exported with from_poyo as a two-session model (tools/make_poyo_sessions.py).
# Uses the PyTorch 2.x venv of tools/make_poyo_model.sh (POYO_VENV), creating it the first time.
#   tools/make_poyo_sessions.sh [OUT.pt] [make_poyo_sessions.py options]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/tests/data/models/poyo_pmd_sessions.pt}"
shift || true
POYO_SCRIPT=tools/make_poyo_sessions.py exec "$root/tools/make_poyo_model.sh" "$out" "$@"
