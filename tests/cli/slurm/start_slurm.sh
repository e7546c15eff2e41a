#!/usr/bin/env bash
# CTest fixture: a one-node Slurm on localhost for test_cli_batch_slurm (as root, as CI and
# the dev machine run). Usage: start_slurm.sh DIR   (writes DIR/slurm.conf; stop_slurm.sh DIR ends it)
# Without slurm-wlm installed it writes nothing and exits 0: the Slurm test then skips, saying why.
# munged: started as user munge when no munged answers yet (its key made by mungekey if missing).
set -euo pipefail
dir=$1
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
  echo "slurm-wlm / munge not installed (apt-get install slurm-wlm munge): Slurm tests will skip"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "not root: a one-node Slurm needs root to start slurmd; Slurm tests will skip"
  exit 0
fi
"$(dirname "$0")/stop_slurm.sh" "$dir"  # daemons a previous run left behind
rm -rf "$dir"
mkdir -p "$dir/state" "$dir/spool"

# munge: the authentication Slurm's daemons and clients share.
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  [ -f /etc/munge/munge.key ] || mungekey --create --keyfile=/etc/munge/munge.key
  chown munge:munge /etc/munge/munge.key && chmod 600 /etc/munge/munge.key
  mkdir -p /run/munge /var/log/munge /var/lib/munge && chown munge:munge /run/munge /var/log/munge /var/lib/munge
  runuser -u munge -- /usr/sbin/munged
  for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
fi

host=$(hostname -s)
cpus=$(nproc)
memory=$(( $(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo) * 8 / 10 ))
cat > "$dir/slurm.conf" <<CONF
ClusterName=neurolens-test
SlurmctldHost=$host
SlurmctldPort=16817
SlurmdPort=16818
AuthType=auth/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
ReturnToService=2
MinJobAge=300
NodeName=$host CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=batchtest Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF

export SLURM_CONF=$dir/slurm.conf
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for _ in $(seq 150); do
  state=$(sinfo -h -o %T 2>/dev/null || true)
  if [ "$state" = "idle" ] && kill -0 "$(cat "$dir/slurmctld.pid" 2>/dev/null)" 2>/dev/null \
     && kill -0 "$(cat "$dir/slurmd.pid" 2>/dev/null)" 2>/dev/null; then
    echo "one-node Slurm up: $host, $cpus CPUs, ${memory} MB, SLURM_CONF=$SLURM_CONF"
    exit 0
  fi
  sleep 0.2
done
echo "Slurm did not come up within 30 s (sinfo: '${state:-}'); logs:" >&2
tail -n 20 "$dir/slurmctld.log" "$dir/slurmd.log" >&2 || true
exit 1
