#!/bin/bash
# Profiles the bench's measured windows with perf and splits the samples by window, so that each strategy's
# CPU per transaction can be taken apart (client or server, Java or kernel, which system call).
#
#   bench/scripts/profile-windows.sh [OUT_DIR] [bench options...]
#
# Runs the bench with --verbose (each window's line is timestamped as it is printed), records the whole
# machine with perf while the rounds run, then prints the attribution (bench/scripts/attribute-windows.py).
# Needs perf and python3; build the bench first (./mvnw -q package -DskipTests). The defaults measure the
# 1-thread cells at 1,000 tenants in 3 rounds of 6 s windows (about 5 minutes, most of it provisioning).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-target/profile}
shift || true
options=("$@")
if [ ${#options[@]} -eq 0 ]; then
  options=(--tenants 1000 --threads 1 --strategies tenantry-per-request,raw-jdbc --rounds 3 --seconds-per-window 6)
fi
mkdir -p "$out"
java -jar "$here/../target/tenantry-bench.jar" "${options[@]}" --verbose 2>&1 \
  | while IFS= read -r line; do printf '%s %s\n' "$(date +%s.%N)" "$line"; done > "$out/bench.out" &
bench=$!
# Record from the first measured round on: the last strategy has started once the bench says so.
until grep -q ", round 1, " "$out/bench.out" 2>/dev/null; do
  kill -0 $bench 2>/dev/null || { echo "the bench ended before its first round; see $out/bench.out" >&2; exit 1; }
  sleep 0.2
done
perf record -k realtime -a -g -F 499 -o "$out/perf.data" -- \
  bash -c "while kill -0 $bench 2>/dev/null; do sleep 0.5; done" > "$out/perf.log" 2>&1
wait $bench || true
perf script -i "$out/perf.data" -F comm,pid,tid,time,ip,sym,dso > "$out/perf.script" 2>/dev/null
python3 "$here/attribute-windows.py" "$out/bench.out" "$out/perf.script"
