#!/usr/bin/env bash
# A one-node Slurm cluster on this machine for the tests: munged, slurmctld and slurmd on localhost, their
# state, spool and logs under DIR. Needs root and Debian's slurm-wlm and munge.
#   scripts/slurm-test-cluster.sh start DIR   starts it; prints the SLURM_CONF to use
#   scripts/slurm-test-cluster.sh stop DIR    stops what start started
set -euo pipefail

usage() {
  echo "usage: $0 start|stop DIR" >&2
  exit 2
}
[ $# -eq 2 ] || usage
action=$1
dir=$(realpath -m "$2")

stop() {
  for daemon in slurmd slurmctld munged; do
    if [ -f "$dir/$daemon.pid" ]; then
      kill "$(cat "$dir/$daemon.pid")" 2>/dev/null || true
    fi
  done
  # Wait for them to go, so the next start finds the ports free.
  for _ in $(seq 50); do
    alive=0
    for daemon in slurmd slurmctld munged; do
      if [ -f "$dir/$daemon.pid" ] && kill -0 "$(cat "$dir/$daemon.pid")" 2>/dev/null; then alive=1; fi
    done
    [ $alive -eq 0 ] && break
    sleep 0.1
  done
  rm -f "$dir"/*.pid
}

start() {
  for command in munged slurmctld slurmd sbatch; do
    if ! command -v "$command" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$command" ]; then
      echo "$command is missing: install Debian's slurm-wlm and munge (apt-get install slurm-wlm munge)" >&2
      exit 1
    fi
  done
  if [ "$(id -u)" -ne 0 ]; then
    echo "starting a test Slurm cluster needs root (munged, slurmctld and slurmd)" >&2
    exit 1
  fi
  mkdir -p "$dir/state" "$dir/spool" "$dir/munge"
  # munged runs as its own user, and must reach its folder through DIR (mktemp makes it private).
  chmod 755 "$dir"
  chown munge:munge "$dir/munge"
  chmod 700 "$dir/munge"
  # A key of our own, so the test cluster trusts nobody else's.
  head -c 1024 /dev/urandom >"$dir/munge/munge.key"
  chown munge:munge "$dir/munge/munge.key"
  chmod 400 "$dir/munge/munge.key"
  mkdir -p /run/munge
  chown munge:munge /run/munge
  runuser -u munge -- /usr/sbin/munged --key-file="$dir/munge/munge.key" --pid-file="$dir/munge/munged.pid" \
    --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed" --socket=/run/munge/munge.socket.2 --force
  cp "$dir/munge/munged.pid" "$dir/munged.pid"

  local host memory cpus
  host=$(hostname -s)
  cpus=$(nproc)
  # A little below the machine's memory, as slurmd refuses a node that claims more than it has.
  memory=$(($(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo) - 512))
  cat >"$dir/slurm.conf" <<EOF
ClusterName=maskbench-test
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=1024
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
SlurmctldPort=6817
SlurmdPort=6818
ReturnToService=2
MinJobAge=3600
KillWait=5
InactiveLimit=0
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
  /usr/sbin/slurmctld -f "$dir/slurm.conf"
  /usr/sbin/slurmd -f "$dir/slurm.conf"
  for _ in $(seq 100); do
    if SLURM_CONF="$dir/slurm.conf" sinfo -h -o %T 2>/dev/null | grep -q '^idle'; then
      echo "$dir/slurm.conf"
      return 0
    fi
    sleep 0.2
  done
  echo "the test Slurm cluster did not come up; see $dir/slurmctld.log and $dir/slurmd.log" >&2
  stop
  exit 1
}

case $action in
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac
