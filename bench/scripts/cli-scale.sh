#!/bin/bash
# Times the command line's operations on many tenants against a PostgreSQL server, each in a new database that is
# dropped at the end, and prints one Markdown table row per step: wall time, the command's own figure, the load
# average before and after, CPU of the command and of the server, and the database's committed transactions.
#
#   bench/scripts/cli-scale.sh [TENANTS]            (default 1000)
#
# Environment: SERVER_URL (default postgresql://postgres@127.0.0.1:5432; the server must run on this machine, its
# CPU is read from /proc), JAR (default cli/target/tenantry.jar; build it with ./mvnw -q package -DskipTests),
# PARALLEL (default 4), STEPS (default "template migrate rollback snapshot replay"). Needs psql and /usr/bin/time.
#
# template: tenants create --from-template; migrate: migrate --all with the app module holding one migration
# (V100, ALTER TABLE users ADD COLUMN); rollback: migrate --all --to 0 of that module (U100, DROP COLUMN); snapshot:
# tenants snapshot --all; replay: tenants create without the template (every migration replayed), in a second
# new database. Server CPU is the postmaster's and its children's, exited ones included (cutime and cstime), so
# the server's background processes are in it too; on a quiet server they are a small part.
set -euo pipefail
cd "$(dirname "$0")/../.."
tenants=${1:-1000}
server=${SERVER_URL:-postgresql://postgres@127.0.0.1:5432}
jar=${JAR:-cli/target/tenantry.jar}
parallel=${PARALLEL:-4}
steps=${STEPS:-template migrate rollback snapshot replay}
app=$(mktemp -d)
cp bench/src/main/resources/db/bench/extra/V100__nickname.sql bench/src/main/resources/db/bench/extra/U100__nickname.sql "$app"
run_id=cli_scale_$(date +%s)_$$

psql_in() { psql -X -q -tA "$server/$1" -c "$2"; }
server_ticks() {
  # CPU ticks of the postmaster and its children, the exited ones included.
  local postmaster
  postmaster=$(psql_in postgres "SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'")
  postmaster=$(awk '{ sub(/^.*\) /, ""); print $2 }' "/proc/$postmaster/stat")
  python3 - "$postmaster" <<'EOF'
import os, sys
root = sys.argv[1]
def ticks(pid, children):
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    # utime, stime, cutime, cstime are fields 14-17; after the name they are 12-15 (0-based 11-14).
    return sum(int(f) for f in fields[11:15 if children else 13])
total = ticks(root, True)
for pid in os.listdir("/proc"):
    if pid.isdigit():
        try:
            if open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[1] == root:
                total += ticks(pid, True)
        except OSError:
            pass
print(total)
EOF
}
load() { cut -d' ' -f1 /proc/loadavg; }
commits() { sleep 1; psql_in "$1" "SELECT pg_stat_force_next_flush(); SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()" | tail -n 1; }

step() {
  local name=$1 database=$2; shift 2
  local before_load before_ticks before_commits out
  before_load=$(load); before_ticks=$(server_ticks); before_commits=$(commits "$database")
  out=$(mktemp)
  DATABASE_URL="$server/$database" /usr/bin/time -f "%e %U %S" -o "$out.time" java -jar "$jar" "$@" >"$out" 2>&1 \
    || { echo "step $name failed:"; tail -n 20 "$out"; exit 1; }
  local after_ticks after_commits wall user sys own
  after_ticks=$(server_ticks); after_commits=$(commits "$database")
  read -r wall user sys <"$out.time"
  own=$(grep -oE '[0-9,]+ tenants in [0-9.]+ s' "$out" | tail -n 1 || true)
  printf '| %s | %s s | %s | %s -> %s | %.1f s / %.1f s | %s | %s UTC |\n' "$name" "$wall" "${own:--}" \
    "$before_load" "$(load)" "$(echo "$user + $sys" | bc)" "$(echo "($after_ticks - $before_ticks) / 100" | bc -l)" \
    "$((after_commits - before_commits))" "$(date -u +%H:%M)"
  rm -f "$out" "$out.time"
}

names=$(seq -f 't_%04g' 1 "$tenants")
echo "# $tenants tenants, --parallel $parallel, $server, $(psql_in postgres 'SHOW synchronous_commit') synchronous_commit,"\
     "$(nproc) CPUs, $(java -version 2>&1 | head -n 1), jar $jar"
echo "| operation | wall time | the command's own figure | load before -> after | CPU: command / server | transactions | run |"
echo "|---|---:|---:|---|---:|---:|---|"
psql_in postgres "CREATE DATABASE $run_id"
trap 'psql_in postgres "DROP DATABASE IF EXISTS $run_id" >/dev/null; psql_in postgres "DROP DATABASE IF EXISTS ${run_id}_replay" >/dev/null; rm -rf "$app"' EXIT
for s in $steps; do
  case $s in
    template) step "create, copying the template" "$run_id" tenants create --from-template --parallel "$parallel" $names ;;
    migrate) step "migrate all, one migration of the app module" "$run_id" migrate --all --parallel "$parallel" --migrations "filesystem:$app" ;;
    rollback) step "roll back all (--to 0 of the app module)" "$run_id" migrate --all --parallel "$parallel" --to 0 --migrations "filesystem:$app" ;;
    snapshot) step "snapshot of all" "$run_id" tenants snapshot --all --parallel "$parallel" --migrations "filesystem:$app" ;;
    replay)
      psql_in postgres "CREATE DATABASE ${run_id}_replay"
      step "create, replaying the migrations" "${run_id}_replay" tenants create --parallel "$parallel" $names ;;
    *) echo "unknown step $s" >&2; exit 2 ;;
  esac
done
