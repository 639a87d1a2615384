#!/bin/sh
# scale-run.sh: the national-scale benchmark of issue 18 on MySQL/MariaDB/TiDB.
#
#   VISITBOT_DATABASE_DSN='root@tcp(127.0.0.1:3306)/visitbot_scale?parseTime=true' scripts/scale-run.sh
#
# Seeds REPS reps × DOCTORS doctors (default 20000 × 300000) into the empty
# database of the DSN (SKIP_SEED=1 reuses a seeded one), then runs the
# nightly scoring and the morning push (rank + render + enqueue, console
# platform) with one replica and with REPLICAS processes sharing each run's
# shards (`visitbot job run -join`). Every process runs under /usr/bin/time -v;
# the table printed at the end has wall time, CPU (user + system) and peak
# RSS per phase and process, plus the load average before and after each
# phase and, when the database server runs on this machine (DB_PID, default
# the pid of mariadbd or mysqld), the server's CPU seconds over the phase.
# Logs go to OUT (default ./scale-out).
set -eu

REPS=${REPS:-20000}
DOCTORS=${DOCTORS:-300000}
REPLICAS=${REPLICAS:-2}
OUT=${OUT:-scale-out}
# Two Tuesdays: every seeded doctor has clinics then. The first is scored
# and pushed by one replica, the second by REPLICAS of them.
DAY1=${DAY1:-2026-12-01}
DAY2=${DAY2:-2026-12-08}
: "${VISITBOT_DATABASE_DSN:?set VISITBOT_DATABASE_DSN to a MySQL DSN (with parseTime=true)}"
export VISITBOT_DATABASE_DRIVER=mysql VISITBOT_DATABASE_DSN
export VISITBOT_CONSOLE_ENABLED=true VISITBOT_LOG_LEVEL=${VISITBOT_LOG_LEVEL:-warn}

DB_PID=${DB_PID:-$(pidof mariadbd || pidof mysqld || true)}

mkdir -p "$OUT"
BIN="$OUT/visitbot"
go build -o "$BIN" .
"$BIN" migrate >"$OUT/migrate.log"
RUN_ID=$(date +%s)

# timed LABEL CMD…: run CMD under /usr/bin/time -v, output in $OUT/LABEL.log.
timed() {
	label=$1
	shift
	/usr/bin/time -v "$@" >"$OUT/$label.log" 2>&1
}

# row PHASE LABEL: one table row from a /usr/bin/time -v log.
row() {
	awk -v phase="$1" -v label="$2" -F': ' '
		/Elapsed \(wall clock\)/ { n = split($2, p, ":"); wall = (n == 3) ? p[1]*3600 + p[2]*60 + p[3] : p[1]*60 + p[2] }
		/User time/ { user = $2 }
		/System time/ { sys = $2 }
		/Maximum resident set size/ { rss = $2 }
		END { printf "| %s | %s | %.1f s | %.1f s | %.0f MB |\n", phase, label, wall, user + sys, rss / 1024 }
	' "$OUT/$2.log"
}

# dbcpu: the database server's user + system CPU in clock ticks (0 if not local).
dbcpu() {
	if [ -n "$DB_PID" ] && [ -r "/proc/$DB_PID/stat" ]; then
		awk '{ print $14 + $15 }' "/proc/$DB_PID/stat"
	else
		echo 0
	fi
}

# phase NAME JOB DAY N: N processes share one run of JOB for DAY.
phase() {
	name=$1 job=$2 day=$3 n=$4
	echo "load before $name ($n): $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/load.txt"
	db0=$(dbcpu)
	start=$(date +%s.%N)
	i=1
	while [ "$i" -le "$n" ]; do
		timed "$name-$n-$i" "$BIN" job run "$job" -date "$day" -join "$name-$RUN_ID-$n" &
		i=$((i + 1))
	done
	wait
	end=$(date +%s.%N)
	db1=$(dbcpu)
	echo "$name with $n replica(s): $(echo "$end - $start" | bc) s wall for the run," \
		"database server CPU $(( (db1 - db0) / $(getconf CLK_TCK) )) s," \
		"load after $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/load.txt"
}

: >"$OUT/load.txt"
if [ "${SKIP_SEED:-}" != 1 ]; then
	echo "load before seed: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/load.txt"
	db0=$(dbcpu)
	timed seed "$BIN" seed -reps "$REPS" -doctors "$DOCTORS" -today "$DAY1"
	db1=$(dbcpu)
	echo "seed: database server CPU $(( (db1 - db0) / $(getconf CLK_TCK) )) s, load after $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/load.txt"
fi
phase nightly nightly_scores "$DAY1" 1
phase push morning_push "$DAY1" 1
phase nightly nightly_scores "$DAY2" "$REPLICAS"
phase push morning_push "$DAY2" "$REPLICAS"

echo "| phase | process | wall | CPU | peak RSS |"
echo "|---|---|---|---|---|"
[ -f "$OUT/seed.log" ] && row seed seed
for f in "$OUT"/nightly-*.log "$OUT"/push-*.log; do
	label=$(basename "$f" .log)
	row "${label%%-*}" "$label"
done
cat "$OUT/load.txt"
