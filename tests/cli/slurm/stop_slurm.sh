#!/usr/bin/env bash
# CTest fixture cleanup: stops the daemons start_slurm.sh DIR started, by their pid files
# (munged is left running: other Slurm users of the machine may share it).
dir=$1
for name in slurmd slurmctld; do
  pidfile="$dir/$name.pid"
  [ -f "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  kill "$pid" 2>/dev/null || continue
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
done
exit 0
