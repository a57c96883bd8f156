#!/usr/bin/env bash
# run.sh - measure the portal against a bare libmicrohttpd server (make bench).
#
# Scenarios (wrk -t2 -c64, baseline and portal rounds alternate, best kept):
#   A  baseline static page      vs  GET /assets/css/fonts.css    target >= 0.9
#      (fonts.css, 1.2 KB, is the asset nearest the baseline's 2 KB page:
#      throughput here is bound by the bytes sent, so a larger file would
#      measure the network, not the server)
#   B  baseline page + 1 query   vs  GET / (anonymous)            target >= 0.6
#   C  baseline page + 1 query   vs  GET /profilo (logged in)     target >= 0.4
#   D  baseline page + 1 query   vs  course page, 10 x 10 course  target >= 0.35
#   E  baseline page + 1 query   vs  lesson page of that course   target >= 0.35
#      (D and E as the demo operatore, enrolled half way: tests/bench/courses.sql)
# then the portal's memory after BENCH_MEM_REQUESTS and twice as many
# requests of C: PASS when the RSS grew by at most 1 MiB in between; then
# the progress CSV of 10,000 learners x 100 lessons as coordination: PASS
# when it is whole, took under 2 s and the RSS grew by under 16 MiB.
#
# Env:
#   PORTAL_BIN           portal binary (default build/portal), run as
#                        "$PORTAL_BIN migrate|seed-demo|serve"
#   BENCH_DURATION       wrk duration of one round (default 10s)
#   BENCH_ROUNDS         rounds per server and scenario (default 2)
#   BENCH_MEM_REQUESTS   requests between the two memory readings (default 100000)
#   BENCH_BASELINE_ONLY  1: measure the baseline alone (no portal needed)
#   BENCH_KEEP_PG        1: leave the cluster in build/bench/pg at exit
#
# PASS/FAIL rows are informational: the exit status is 0 unless a server
# failed to start, the demo login failed or wrk failed.
set -euo pipefail

cd "$(dirname "$0")/../.."
top=$PWD
out=build/bench
duration=${BENCH_DURATION:-10s}
rounds=${BENCH_ROUNDS:-2}
mem_requests=${BENCH_MEM_REQUESTS:-100000}
baseline_only=${BENCH_BASELINE_ONLY:-0}
portal_bin=${PORTAL_BIN:-build/portal}
pgdir=$out/pg
pgport=5432 # only names the socket: the cluster listens on no TCP port

die() {
	echo "bench: $*" >&2
	exit 1
}

# ---- clean-up: every server this script started, and the cluster.

pids=()
stop_pid() {
	local pid=$1 i
	kill "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}
cleanup() {
	local rc=$? pid
	for pid in "${pids[@]}"; do
		stop_pid "$pid"
	done
	if [ "${BENCH_KEEP_PG:-0}" = 1 ]; then
		scripts/pg.sh stop "$pgdir" >/dev/null 2>&1 || true
	else
		scripts/pg.sh destroy "$pgdir" >/dev/null 2>&1 || true
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- helpers.

# Waits up to 10 s for URL to answer 200; fails early if PID died.
wait_http() {
	local url=$1 pid=$2 i code
	for ((i = 0; i < 100; i++)); do
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$url" || true)
		[ "$code" = 200 ] && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# Runs wrk on URL (extra wrk options after it) and sets r_req, r_rps,
# r_p50, r_p99 and r_bad (non-2xx answers plus socket errors). When
# wrk_limit is set, each wrk thread stops after that many responses. Dies
# when wrk fails: a number measured on a broken run is worse than none.
wrk_limit=
run_wrk() {
	local log=$1 url=$2 line script_args=()
	shift 2
	if [ -n "$wrk_limit" ]; then
		script_args=(-- "$wrk_limit")
	fi
	if ! wrk -t2 -c64 -d"$duration" -s tests/bench/report.lua "$@" "$url" \
		"${script_args[@]}" >"$log" 2>&1; then
		cat "$log" >&2
		die "wrk failed on $url"
	fi
	line=$(grep '^BENCH ' "$log" || true)
	[ -n "$line" ] || {
		cat "$log" >&2
		die "no result from wrk on $url"
	}
	r_req=$(field requests "$line")
	r_rps=$(field rps "$line")
	r_p50=$(field p50_ms "$line")
	r_p99=$(field p99_ms "$line")
	r_bad=$(($(field non2xx "$line") + $(field connect "$line") + $(field read "$line") +
		$(field write "$line") + $(field timeout "$line")))
}

# Prints the value of KEY=VALUE in LINE.
field() {
	local kv
	for kv in $2; do
		case "$kv" in
		"$1="*)
			echo "${kv#*=}"
			return 0
			;;
		esac
	done
	die "no $1 in wrk result"
}

# a >= b for decimal numbers.
ge() {
	awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 >= b + 0) }'
}

# Signs in as the demo account of ROLE and sets session to its cookie.
# Accounts are "role<TAB>email<TAB>password" in the portal's var folder.
login() {
	local role=$1 acct body code
	acct=$(awk -F'\t' -v r="$role" '$1 == r { print $2 "\t" $3; exit }' \
		"$vardir/demo-accounts.txt" 2>/dev/null || true)
	[ -n "$acct" ] || die "no $role account in $vardir/demo-accounts.txt"
	# JSON-encode with python: a password may hold quotes or backslashes.
	body=$(printf '%s' "$acct" | /usr/bin/python3 -c '
import json, sys
email, password = sys.stdin.read().split("\t", 1)
print(json.dumps({"email": email, "password": password}))')
	code=$(printf '%s' "$body" | curl -s -o "$out/login.body" -D "$out/login.headers" \
		-w '%{http_code}' -H 'Content-Type: application/json' \
		-H "Origin: http://127.0.0.1:$p_port" --data-binary @- \
		"http://127.0.0.1:$p_port/api/v1/session" || true)
	session=$(sed -n 's/^[Ss][Ee][Tt]-[Cc][Oo][Oo][Kk][Ii][Ee]: *portal_session=\([^;[:space:]]*\).*/\1/p' \
		"$out/login.headers" | tail -n 1)
	case "$code" in
	2??) ;;
	*)
		cat "$out/login.body" >&2 || true
		die "login as $role answered $code"
		;;
	esac
	[ -n "$session" ] || die "login as $role answered $code but set no portal_session cookie"
}

# ---- build the baseline and start the database.

command -v wrk >/dev/null || die "wrk is missing (run scripts/deps.sh)"
mkdir -p "$out"
read -r -a pkgflags <<<"$(pkg-config --cflags --libs libmicrohttpd libpq)"
cc -std=c11 -O2 -g -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes \
	-Wmissing-declarations -Wshadow -Wpointer-arith -Wcast-qual -Wsign-compare \
	-Wformat-security -Werror -Iportal -pthread tests/bench/baseline.c \
	-o "$out/baseline" "${pkgflags[@]}"

# A fresh cluster each run: seed-demo then starts from an empty database.
scripts/pg.sh destroy "$pgdir" >/dev/null 2>&1 || true
PG_FSYNC=off scripts/pg.sh start "$pgdir" "$pgport" >/dev/null
dburl=$(scripts/pg.sh url "$pgdir" "$pgport")

# ---- start the servers.

bs_port=$(scripts/free-port.sh)
"$out/baseline" static "$bs_port" 2>"$out/baseline-static.log" &
pids+=($!)
wait_http "http://127.0.0.1:$bs_port/" "$!" || die "baseline static did not start"

bq_port=$(scripts/free-port.sh)
"$out/baseline" query "$bq_port" "$dburl" 2>"$out/baseline-query.log" &
pids+=($!)
wait_http "http://127.0.0.1:$bq_port/" "$!" || {
	cat "$out/baseline-query.log" >&2
	die "baseline query did not start"
}

cookie=
portal_pid=
if [ "$baseline_only" != 1 ]; then
	[ -x "$portal_bin" ] ||
		die "$portal_bin not found: build it, or set BENCH_BASELINE_ONLY=1"
	vardir=$top/$out/var
	rm -rf -- "$vardir"
	mkdir -p -- "$vardir"
	export PORTAL_DATABASE_URL=$dburl PORTAL_VAR_DIR=$vardir
	"$portal_bin" migrate >"$out/portal-setup.log" 2>&1 || {
		cat "$out/portal-setup.log" >&2
		die "$portal_bin migrate failed"
	}
	"$portal_bin" seed-demo >>"$out/portal-setup.log" 2>&1 || {
		cat "$out/portal-setup.log" >&2
		die "$portal_bin seed-demo failed"
	}
	echo "bench: loading the 10 x 10 course and 10,000 learners" >&2
	psql -X -q "$dburl" -f tests/bench/courses.sql >>"$out/portal-setup.log" 2>&1 || {
		cat "$out/portal-setup.log" >&2
		die "loading tests/bench/courses.sql failed"
	}
	sql() { psql -X -A -t -q "$dburl" -c "$1"; }
	bench_course=$(sql "SELECT id FROM courses WHERE slug = 'misura-10x10'")
	bench_lesson=$(sql "SELECT l.id FROM lessons l JOIN modules m ON m.id = l.module_id
		WHERE m.course_id = $bench_course AND m.position = 6 AND l.position = 1")

	p_port=$(scripts/free-port.sh)
	# stdout is the access log: one line per request, hundreds of MB here.
	PORTAL_LISTEN=127.0.0.1:$p_port "$portal_bin" serve >/dev/null 2>"$out/portal.log" &
	portal_pid=$!
	pids+=("$portal_pid")
	wait_http "http://127.0.0.1:$p_port/healthz" "$portal_pid" || {
		tail -n 20 "$out/portal.log" >&2
		die "portal did not answer 200 on /healthz within 10 s"
	}

	login operatore
	cookie=$session
fi

# ---- the scenarios.

names=("A static asset" "B anonymous home" "C logged-in page" "D course page" "E lesson page")
targets=(0.9 0.6 0.4 0.35 0.35)
bq_url="http://127.0.0.1:$bq_port/"
base_urls=("http://127.0.0.1:$bs_port/" "$bq_url" "$bq_url" "$bq_url" "$bq_url")
paths=(/assets/css/fonts.css / /profilo "/corsi/${bench_course:-0}"
	"/corsi/${bench_course:-0}/lezioni/${bench_lesson:-0}")

# Best round of one server: req/s, p50, p99; bad sums over all rounds.
declare -A best
measure() {
	local key=$1 url=$2 round=$3
	shift 3
	run_wrk "$out/wrk-$key-$round.log" "$url" "$@"
	if [ -z "${best[$key.rps]:-}" ] || ge "$r_rps" "${best[$key.rps]}"; then
		best[$key.rps]=$r_rps
		best[$key.p50]=$r_p50
		best[$key.p99]=$r_p99
	fi
	best[$key.bad]=$((${best[$key.bad]:-0} + r_bad))
}

for i in "${!names[@]}"; do
	hdr=()
	if [ "$i" -ge 2 ]; then
		hdr=(-H "Cookie: portal_session=$cookie")
	fi
	purl=
	if [ "$baseline_only" != 1 ]; then
		purl="http://127.0.0.1:$p_port${paths[$i]}"
		# A redirect (e.g. to the login page) would be measured as speed:
		# check the answer first. wrk's non-2xx count flags it as well.
		code=$(curl -s -o /dev/null -w '%{http_code}' "${hdr[@]}" "$purl" || true)
		[ "$code" = 200 ] || echo "bench: warning: GET ${paths[$i]} answered $code" >&2
	fi
	echo "bench: ${names[$i]}: $rounds rounds of $duration each" >&2
	for ((r = 1; r <= rounds; r++)); do
		measure "b$i" "${base_urls[$i]}" "$r"
		if [ -n "$purl" ]; then
			measure "p$i" "$purl" "$r" "${hdr[@]}"
		fi
	done
done

# ---- the table.

echo
printf '%-18s %12s %12s %6s %7s %15s %15s %9s  %s\n' scenario 'base req/s' \
	'portal req/s' ratio target 'base p50/p99' 'portal p50/p99' 'bad b/p' result
for i in "${!names[@]}"; do
	b_rps=${best[b$i.rps]}
	b_lat=$(printf '%.2f/%.2f' "${best[b$i.p50]}" "${best[b$i.p99]}")
	if [ "$baseline_only" = 1 ]; then
		printf '%-18s %12.0f %12s %6s %7s %15s %15s %9s  %s\n' "${names[$i]}" \
			"$b_rps" - - ">=${targets[$i]}" "$b_lat" - "${best[b$i.bad]}/-" -
		continue
	fi
	p_rps=${best[p$i.rps]}
	ratio=$(awk -v p="$p_rps" -v b="$b_rps" 'BEGIN { printf "%.2f", (b > 0 ? p / b : 0) }')
	p_lat=$(printf '%.2f/%.2f' "${best[p$i.p50]}" "${best[p$i.p99]}")
	result=PASS
	# A run with failed requests does not pass, whatever its speed.
	if ! ge "$ratio" "${targets[$i]}" || [ "${best[p$i.bad]}" != 0 ] ||
		[ "${best[b$i.bad]}" != 0 ]; then
		result=FAIL
	fi
	printf '%-18s %12.0f %12.0f %6s %7s %15s %15s %9s  %s\n' "${names[$i]}" \
		"$b_rps" "$p_rps" "$ratio" ">=${targets[$i]}" "$b_lat" "$p_lat" \
		"${best[b$i.bad]}/${best[p$i.bad]}" "$result"
done
echo "(req/s: best of $rounds rounds; latency in ms; bad = non-2xx answers + socket errors, all rounds)"

[ "$baseline_only" = 1 ] && exit 0

# ---- memory: RSS of the portal after N and 2N logged-in requests.

# Prints "VmHWM VmRSS" of the portal in KiB.
rss() {
	awk '/^VmHWM:/ { h = $2 } /^VmRSS:/ { r = $2 } END { print h, r }' \
		"/proc/$portal_pid/status"
}

echo
echo "bench: memory: ${mem_requests} then $((2 * mem_requests)) requests of C" >&2
# Each wrk thread stops at its share of the requests still missing
# (report.lua's argument), so the readings land on the counts. wrk itself
# still runs for the whole -d, so -d is sized from C's measured rate with
# some margin; a run that falls short is followed by another.
c_rps=${best[p2.rps]}
mem_bad=0
total=0
step=0
readings=()
for target in "$mem_requests" $((2 * mem_requests)); do
	while [ "$total" -lt "$target" ]; do
		step=$((step + 1))
		left=$((target - total))
		wrk_limit=$(((left + 1) / 2))
		duration=$(awk -v n="$left" -v r="$c_rps" \
			'BEGIN { s = int(n / (r > 1 ? r : 1) * 1.3) + 1; print (s < 2 ? 2 : s) "s" }')
		run_wrk "$out/wrk-mem-$step.log" "http://127.0.0.1:$p_port/profilo" \
			-H "Cookie: portal_session=$cookie"
		total=$((total + r_req))
		mem_bad=$((mem_bad + r_bad))
	done
	kill -0 "$portal_pid" 2>/dev/null || die "the portal died during the memory run"
	read -r hwm cur < <(rss)
	readings+=("$cur")
	printf 'after %7d requests: peak RSS %6d KiB, RSS %6d KiB\n' "$total" "$hwm" "$cur"
done
result=PASS
if [ "${readings[1]}" -gt $((readings[0] + 1024)) ] || [ "$mem_bad" != 0 ]; then
	result=FAIL
fi
echo "memory: RSS grew by $((readings[1] - readings[0])) KiB between the readings" \
	"(limit 1024), bad requests $mem_bad: $result"

# ---- the progress CSV: 10,000 learners x 100 lessons, as coordination.

echo "bench: progress CSV of course $bench_course" >&2
login coordinamento
read -r _ before < <(rss)
peak=$before
csv_url="http://127.0.0.1:$p_port/avanzamento.csv?corso=$bench_course"
curl -s -o "$out/progress.csv" -w '%{http_code} %{time_total}\n' \
	-H "Cookie: portal_session=$session" "$csv_url" >"$out/progress.curl" &
curl_pid=$!
# The RSS sampled every 20 ms while the export runs.
while kill -0 "$curl_pid" 2>/dev/null; do
	read -r _ cur < <(rss)
	[ "$cur" -gt "$peak" ] && peak=$cur
	sleep 0.02
done
wait "$curl_pid" || die "curl failed on $csv_url"
read -r code secs <"$out/progress.curl"
rows=$(($(wc -l <"$out/progress.csv") - 1))
grew=$((peak - before))
result=PASS
if [ "$code" != 200 ] || [ "$rows" != 10001 ] || ! awk -v s="$secs" 'BEGIN { exit !(s < 2) }' ||
	[ "$grew" -ge 16384 ]; then
	result=FAIL
fi
printf 'progress CSV: HTTP %s, %d rows, %s bytes in %.2f s (limit 2), RSS grew by %d KiB (limit 16384): %s\n' \
	"$code" "$rows" "$(stat -c %s "$out/progress.csv")" "$secs" "$grew" "$result"
