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
# Then F, the quiz at 9:00 (issue 4), on the cluster restarted with
# fsync=on and synchronous_commit=on (the other scenarios run with fsync
# off, which only makes the seeding faster): 200 learners at once each
# start an attempt of a 10-question test, save the 10 answers one by one
# and submit (tests/bench/quiz.sql, build/bench/quizload), BENCH_QUIZ_ROUNDS
# times.  Target >= 200 complete attempts/s, no error, and the grades (the
# attempt's and each question's score, the stored answers, the quiz grade)
# identical to those of the same learners run one at a time.
#
# Before F, the document area (issue: documents):
#   G  download of a 50 MB file (random bytes after a PDF header, uploaded
#      once by the demo formatore) by 8 clients at once, each downloading
#      it again and again (build/bench/dlload: wrk's 8 KiB reads into user
#      space took a whole CPU here and capped both servers alike), as the
#      demo operatore (members visibility: the check runs), vs the same file
#      served from disk by "baseline file" (sendfile).  Target:
#      portal/baseline MB/s >= 0.5.
#   H  search over 100,000 documents (tests/bench/documents.sql): GET
#      /api/v1/documents?q=... as the demo operatore, one request at a time
#      (latency, not throughput), BENCH_SEARCH_REQUESTS requests rotating
#      over 20 queries from the rare to the most common word, two words, a
#      phrase, an accented and a missing word; after one warm-up pass.
#      Target p95 <= 30 ms.  The latency of each query goes to
#      build/bench/search-queries.txt.
#
# Last, I, a campaign (issue 6) to 100,000 subscribers
# (tests/bench/newsletter.sql), on the cluster with fsync=on: the demo
# admin creates it (bearer token) and sends it; the portal's senders
# deliver it, without rate limit (PORTAL_MAIL_RATE=0), to Postfix's
# smtp-sink, which throws the mail away.  Once per value of
# BENCH_MAIL_CONCURRENCY (PORTAL_MAIL_CONCURRENCY, the portal restarted
# each time).  Targets: the enqueue (POST .../send, which fans out in its
# transaction) under 5 s; >= 500 messages/s from the first to the last
# sent_at; the portal's RSS, sampled every 100 ms during the send, under
# 64 MiB; and every recipient sent once: none failed, bounced or
# cancelled, smtp-sink's count equal to the sent one.
#
# Env:
#   PORTAL_BIN           portal binary (default build/portal), run as
#                        "$PORTAL_BIN migrate|seed-demo|serve"
#   BENCH_DURATION       wrk duration of one round (default 10s)
#   BENCH_ROUNDS         rounds per server and scenario (default 2)
#   BENCH_MEM_REQUESTS   requests between the two memory readings (default 100000)
#   BENCH_BASELINE_ONLY  1: measure the baseline alone (no portal needed)
#   BENCH_ONLY           F, G, H or I: run that scenario alone (no A-E,
#                        memory or CSV, and only the fixtures it needs)
#   BENCH_QUIZ_ROUNDS    attempts per learner in F's concurrent run (default 3)
#   QUIZLOAD_BIN         F's load client (default build/bench/quizload)
#   DLLOAD_BIN           G's load client (default build/bench/dlload)
#   BENCH_SEARCH_REQUESTS  H's measured requests (default 2000)
#   BENCH_SEARCH_BUDGET  seconds after which H stops measuring (default 300):
#                        a run cut short is a FAIL
#   BENCH_MAIL_CONCURRENCY  I's sender threads, a list: one campaign per
#                        value (default "2 4 8")
#   BENCH_MAIL_BUDGET    seconds after which I stops waiting for one
#                        campaign (default 600): a run cut short is a FAIL
#   BENCH_OUT            the work folder (default build/bench): another one
#                        lets two runs share the tree
#   BENCH_KEEP_PG        1: leave the cluster in build/bench/pg at exit
#
# PASS/FAIL rows are informational: the exit status is 0 unless a server
# failed to start, the demo login failed or wrk failed.
set -euo pipefail

cd "$(dirname "$0")/../.."
top=$PWD
out=${BENCH_OUT:-build/bench}
duration=${BENCH_DURATION:-10s}
rounds=${BENCH_ROUNDS:-2}
mem_requests=${BENCH_MEM_REQUESTS:-100000}
baseline_only=${BENCH_BASELINE_ONLY:-0}
only=${BENCH_ONLY:-}
quiz_rounds=${BENCH_QUIZ_ROUNDS:-3}
portal_bin=${PORTAL_BIN:-build/portal}
quizload_bin=${QUIZLOAD_BIN:-build/bench/quizload}
dlload_bin=${DLLOAD_BIN:-build/bench/dlload}
search_requests=${BENCH_SEARCH_REQUESTS:-2000}
search_budget=${BENCH_SEARCH_BUDGET:-300}
mail_concurrency=${BENCH_MAIL_CONCURRENCY:-2 4 8}
mail_budget=${BENCH_MAIL_BUDGET:-600}
pgdir=$out/pg
pgport=5432 # only names the socket: the cluster listens on no TCP port

die() {
	echo "bench: $*" >&2
	exit 1
}

case "$only" in
'' | F | G | H | I) ;;
*) die "BENCH_ONLY must be F, G, H, I or empty" ;;
esac
case "$quiz_rounds" in
'' | *[!0-9]* | 0) die "BENCH_QUIZ_ROUNDS must be a positive number" ;;
esac
case "$search_requests/$search_budget" in
/* | */ | *[!0-9/]* | 0/* | */0) die "BENCH_SEARCH_REQUESTS and BENCH_SEARCH_BUDGET must be positive numbers" ;;
esac
for c in $mail_concurrency; do
	case "$c" in
	'' | *[!0-9]* | 0) die "BENCH_MAIL_CONCURRENCY must be a list of positive numbers" ;;
	esac
done
[ -n "$mail_concurrency" ] || die "BENCH_MAIL_CONCURRENCY must be a list of positive numbers"
case "$mail_budget" in
'' | *[!0-9]* | 0) die "BENCH_MAIL_BUDGET must be a positive number" ;;
esac
[ -n "$only" ] && [ "$baseline_only" = 1 ] && die "BENCH_ONLY=$only needs the portal"

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
	die "no $1 in the result line"
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

mkdir -p "$out"
if [ -z "$only" ]; then
	command -v wrk >/dev/null || die "wrk is missing (run scripts/deps.sh)"
fi
if [ -z "$only" ] || [ "$only" = G ]; then
	read -r -a pkgflags <<<"$(pkg-config --cflags --libs libmicrohttpd libpq)"
	cc -std=c11 -O2 -g -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes \
		-Wmissing-declarations -Wshadow -Wpointer-arith -Wcast-qual -Wsign-compare \
		-Wformat-security -Werror -Iportal -pthread tests/bench/baseline.c \
		-o "$out/baseline" "${pkgflags[@]}"
fi
# quizload also makes I's bearer token.
if [ "$baseline_only" != 1 ] && { [ -z "$only" ] || [ "$only" = F ] || [ "$only" = I ]; }; then
	[ -x "$quizload_bin" ] ||
		die "$quizload_bin not found: make build/bench/quizload (make bench builds it)"
fi
if [ "$baseline_only" != 1 ] && { [ -z "$only" ] || [ "$only" = I ]; }; then
	[ -x /usr/sbin/smtp-sink ] || command -v smtp-sink >/dev/null ||
		die "smtp-sink is missing (run scripts/deps.sh --bench: Debian's postfix)"
	PATH=$PATH:/usr/sbin
fi
if [ "$baseline_only" != 1 ] && { [ -z "$only" ] || [ "$only" = G ]; }; then
	[ -x "$dlload_bin" ] ||
		die "$dlload_bin not found: make build/bench/dlload (make bench builds it)"
fi

# A fresh cluster each run: seed-demo then starts from an empty database.
scripts/pg.sh destroy "$pgdir" >/dev/null 2>&1 || true
PG_FSYNC=off scripts/pg.sh start "$pgdir" "$pgport" >/dev/null
dburl=$(scripts/pg.sh url "$pgdir" "$pgport")

# ---- start the servers.

if [ -z "$only" ]; then
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
fi

# Starts the portal on a free port: sets p_port and portal_pid.
start_portal() {
	p_port=$(scripts/free-port.sh)
	# stdout is the access log: one line per request, hundreds of MB here.
	PORTAL_LISTEN=127.0.0.1:$p_port "$portal_bin" serve >/dev/null 2>>"$out/portal.log" &
	portal_pid=$!
	pids+=("$portal_pid")
	wait_http "http://127.0.0.1:$p_port/healthz" "$portal_pid" || {
		tail -n 20 "$out/portal.log" >&2
		die "portal did not answer 200 on /healthz within 10 s"
	}
}

sql() { psql -X -A -t -q -v ON_ERROR_STOP=1 "$dburl" -c "$1"; }

cookie=
portal_pid=
if [ "$baseline_only" != 1 ]; then
	[ -x "$portal_bin" ] ||
		die "$portal_bin not found: build it, or set BENCH_BASELINE_ONLY=1"
	vardir=$top/$out/var
	rm -rf -- "$vardir"
	mkdir -p -- "$vardir"
	: >"$out/portal.log"
	export PORTAL_DATABASE_URL=$dburl PORTAL_VAR_DIR=$vardir
	"$portal_bin" migrate >"$out/portal-setup.log" 2>&1 || {
		cat "$out/portal-setup.log" >&2
		die "$portal_bin migrate failed"
	}
	"$portal_bin" seed-demo >>"$out/portal-setup.log" 2>&1 || {
		cat "$out/portal-setup.log" >&2
		die "$portal_bin seed-demo failed"
	}
	if [ -z "$only" ]; then
		echo "bench: loading the 10 x 10 course and 10,000 learners" >&2
		psql -X -q "$dburl" -f tests/bench/courses.sql >>"$out/portal-setup.log" 2>&1 || {
			cat "$out/portal-setup.log" >&2
			die "loading tests/bench/courses.sql failed"
		}
		bench_course=$(sql "SELECT id FROM courses WHERE slug = 'misura-10x10'")
		bench_lesson=$(sql "SELECT l.id FROM lessons l JOIN modules m ON m.id = l.module_id
			WHERE m.course_id = $bench_course AND m.position = 6 AND l.position = 1")
	fi

	if [ -z "$only" ] || [ "$only" = H ]; then
		echo "bench: loading 100,000 documents" >&2
		psql -X -q "$dburl" -f tests/bench/documents.sql >>"$out/portal-setup.log" 2>&1 || {
			cat "$out/portal-setup.log" >&2
			die "loading tests/bench/documents.sql failed"
		}
	fi

	if [ -z "$only" ] || [ "$only" = I ]; then
		echo "bench: loading 100,000 newsletter subscribers" >&2
		psql -X -q "$dburl" -f tests/bench/newsletter.sql >>"$out/portal-setup.log" 2>&1 || {
			cat "$out/portal-setup.log" >&2
			die "loading tests/bench/newsletter.sql failed"
		}
	fi
fi

# F's fixtures: the test and its 200 learners, with a bearer token each.
# quizload makes the tokens and their hashes with the portal's own code;
# only the hashes go into the database.
if [ "$baseline_only" != 1 ] && { [ -z "$only" ] || [ "$only" = F ]; }; then
	psql -X -q "$dburl" -f tests/bench/quiz.sql >>"$out/portal-setup.log" 2>&1 || {
		cat "$out/portal-setup.log" >&2
		die "loading tests/bench/quiz.sql failed"
	}
	(umask 077 && "$quizload_bin" tokens 200 >"$out/quiz-tokens.tsv") ||
		die "$quizload_bin tokens failed"
	cut -f1,3 "$out/quiz-tokens.tsv" | psql -X -q -v ON_ERROR_STOP=1 "$dburl" \
		-c "CREATE TEMP TABLE bench_tokens (n int, hash text)" \
		-c "COPY bench_tokens FROM STDIN" \
		-c "INSERT INTO api_tokens (user_id, token_hash)
		    SELECT u.id, decode(t.hash, 'hex') FROM bench_tokens t
		    JOIN users u ON lower(u.email) = 'quiz' || t.n || '@misura.example'" \
		>>"$out/portal-setup.log" 2>&1 || {
		cat "$out/portal-setup.log" >&2
		die "loading the quiz learners' tokens failed"
	}
	quiz_id=$(sql "SELECT z.id FROM quizzes z JOIN courses c ON c.id = z.course_id
		WHERE c.slug = 'misura-test'")
	[ "$(sql "SELECT count(*) FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE u.email LIKE 'quiz%@misura.example'")" = 200 ] ||
		die "the 200 quiz learners did not all get a token"
fi

if [ "$baseline_only" != 1 ]; then
	start_portal
	if [ "$only" != F ]; then
		login operatore
		cookie=$session
	fi
fi

# ---- F: the quiz at 9:00, with the database at its default durability.

# Prints the grades of quiz_id as stored, one line per learner and distinct
# attempt: every attempt of a learner graded alike gives one line.
quiz_grades() {
	sql "SELECT DISTINCT u.email, a.submitted_at IS NOT NULL, a.score, a.passed,
	            (SELECT string_agg(aq.question_id || ':' || coalesce(aq.score::text, '-') || ':' ||
	                               coalesce(aq.answer::text, '-'), ' ' ORDER BY aq.question_id)
	             FROM attempt_questions aq WHERE aq.attempt_id = a.id),
	            g.grade, g.passed
	     FROM quiz_attempts a JOIN users u ON u.id = a.user_id
	     LEFT JOIN quiz_grades g ON g.quiz_id = a.quiz_id AND g.user_id = a.user_id
	     WHERE a.quiz_id = $quiz_id ORDER BY 1, 2, 3"
}

# Reads the QUIZBENCH line of quizload's log $1 into q_aps, q_secs,
# q_complete, q_errors and q_STEP_p50/p99 for the steps start, save, submit.
quiz_fields() {
	local line
	line=$(grep '^QUIZBENCH ' "$1" || true)
	[ -n "$line" ] || {
		cat "$1" >&2
		die "no result from quizload"
	}
	q_aps=$(field aps "$line")
	q_secs=$(field secs "$line")
	q_complete=$(field complete "$line")
	q_errors=$(field errors "$line")
	q_start_p50=$(field start_p50 "$line")
	q_start_p99=$(field start_p99 "$line")
	q_save_p50=$(field save_p50 "$line")
	q_save_p99=$(field save_p99 "$line")
	q_submit_p50=$(field submit_p50 "$line")
	q_submit_p99=$(field submit_p99 "$line")
}

scenario_f() {
	local base fsync sync conc_errors result grades db_grades rc=0

	echo "bench: F quiz: restarting PostgreSQL with fsync=on and synchronous_commit=on" >&2
	stop_pid "$portal_pid"
	scripts/pg.sh stop "$pgdir" >/dev/null
	PG_FSYNC=on scripts/pg.sh start "$pgdir" "$pgport" >/dev/null
	fsync=$(sql "SHOW fsync")
	sync=$(sql "SHOW synchronous_commit")
	[ "$fsync/$sync" = on/on ] ||
		die "F needs fsync=on and synchronous_commit=on, the cluster has $fsync/$sync"
	start_portal
	base="http://127.0.0.1:$p_port"

	echo "bench: F quiz: 200 learners at once, $quiz_rounds attempts each" >&2
	"$quizload_bin" run -r "$quiz_rounds" -o "$out/quiz-scores-concurrent.txt" \
		"$base" "$quiz_id" "$out/quiz-tokens.tsv" >"$out/quiz-concurrent.log" 2>&1 || {
		cat "$out/quiz-concurrent.log" >&2
		die "quizload failed (concurrent run)"
	}
	quiz_fields "$out/quiz-concurrent.log"
	conc_errors=$q_errors
	quiz_grades >"$out/quiz-grades-concurrent.txt"

	# The same learners one at a time, from a clean slate.
	sql "DELETE FROM quiz_attempts WHERE quiz_id = $quiz_id;
	     DELETE FROM quiz_grades WHERE quiz_id = $quiz_id;
	     UPDATE enrolments SET completed_at = NULL
	     WHERE course_id = (SELECT course_id FROM quizzes WHERE id = $quiz_id)" >/dev/null
	echo "bench: F quiz: the same learners one at a time" >&2
	"$quizload_bin" run -c 1 -k "$out/quiz-scores-concurrent.txt" \
		"$base" "$quiz_id" "$out/quiz-tokens.tsv" >"$out/quiz-sequential.log" 2>&1 || rc=$?
	[ "$rc" = 0 ] || [ "$rc" = 2 ] || {
		cat "$out/quiz-sequential.log" >&2
		die "quizload failed (sequential run)"
	}
	quiz_fields "$out/quiz-sequential.log"
	q_seq_errors=$q_errors
	q_seq_aps=$q_aps
	grades=$(sed -n 's/^grades: .*: \(PASS\|FAIL\)$/\1/p' "$out/quiz-sequential.log")
	quiz_grades >"$out/quiz-grades-sequential.txt"
	db_grades=PASS
	if ! cmp -s "$out/quiz-grades-concurrent.txt" "$out/quiz-grades-sequential.txt" ||
		[ "$(wc -l <"$out/quiz-grades-sequential.txt")" != 200 ]; then
		db_grades=FAIL
	fi
	quiz_fields "$out/quiz-concurrent.log"

	result=PASS
	if ! ge "$q_aps" 200 || [ "$conc_errors" != 0 ] || [ "$q_seq_errors" != 0 ] ||
		[ "$grades" != PASS ] || [ "$db_grades" != PASS ]; then
		result=FAIL
	fi
	echo
	printf '%-18s %11s %7s %13s %13s %13s %9s %11s  %s\n' scenario attempts/s target \
		'start p50/p99' 'save p50/p99' 'submit p50/p99' 'errors c/s' 'grades a/db' result
	printf '%-18s %11.1f %7s %13s %13s %13s %9s %11s  %s\n' "F quiz at 9:00" "$q_aps" '>=200' \
		"$(printf '%.0f/%.0f' "$q_start_p50" "$q_start_p99")" \
		"$(printf '%.0f/%.0f' "$q_save_p50" "$q_save_p99")" \
		"$(printf '%.0f/%.0f' "$q_submit_p50" "$q_submit_p99")" \
		"$conc_errors/$q_seq_errors" "${grades:-none}/$db_grades" "$result"
	echo "(200 learners x $quiz_rounds attempts of 10 questions, $q_complete complete in" \
		"${q_secs} s; one at a time: $q_seq_aps attempts/s; latency in ms; errors: concurrent/sequential;" \
		"grades vs the sequential run: API score_percent / database; nproc $(nproc)," \
		"fsync=$fsync, synchronous_commit=$sync)"
}

# ---- G: download of a 50 MB document, with 8 clients at once.

dl_size=$((50 * 1024 * 1024))

# Runs dlload with 8 clients on URL (extra dlload options after it) into
# LOG and keeps the best bytes/s of KEY in best[]; bad (errors) sums over
# the rounds.
measure_download() {
	local key=$1 log=$2 url=$3 line bad secs
	shift 3
	secs=${duration%s}
	case "$secs" in
	'' | *[!0-9.]*) die "G needs BENCH_DURATION in seconds (e.g. 10s), not '$duration'" ;;
	esac
	if ! "$dlload_bin" -c 8 -d "$secs" "$@" "$url" >"$log" 2>&1; then
		cat "$log" >&2
		die "dlload failed on $url"
	fi
	line=$(grep '^DOWNLOAD ' "$log" || true)
	[ -n "$line" ] || {
		cat "$log" >&2
		die "no result from dlload on $url"
	}
	bad=$(($(field connect "$line") + $(field read "$line") + $(field write "$line") +
		$(field timeout "$line") + $(field status "$line")))
	if [ -z "${best[$key.bps]:-}" ] || ge "$(field bps "$line")" "${best[$key.bps]}"; then
		best[$key.bps]=$(field bps "$line")
		best[$key.p50]=$(field p50_ms "$line")
		best[$key.p99]=$(field p99_ms "$line")
	fi
	best[$key.bad]=$((${best[$key.bad]:-0} + bad))
	best[$key.req]=$((${best[$key.req]:-0} + $(field requests "$line")))
}

# Fetches URL once (extra curl options after it): dies unless it answers
# 200 with the bytes of the file.
check_download() {
	local url=$1 code
	shift
	code=$(curl -s -o "$out/download.check" -w '%{http_code}' "$@" "$url" || true)
	[ "$code" = 200 ] || die "GET $url answered $code"
	cmp -s "$out/download.check" "$dl_file" || die "GET $url did not send the file's bytes"
	rm -f -- "$out/download.check"
}

scenario_g() {
	local csrf code doc_id status i r bl_port b_url p_url result ratio
	# The memory run sizes its own wrk durations: G's rounds last the set one.
	local duration=${BENCH_DURATION:-10s}

	dl_file=$out/misura-50mb.pdf
	echo "bench: G download: uploading a 50 MB file as the demo formatore" >&2
	{
		printf '%%PDF-1.4\n'
		head -c $((dl_size - 9)) /dev/urandom
	} >"$dl_file"
	login formatore
	csrf=$(/usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["csrf_token"])' \
		<"$out/login.body") || die "no csrf_token in the formatore's login answer"
	code=$(curl -s -o "$out/upload.body" -w '%{http_code}' \
		-H "Cookie: portal_session=$session" -H "X-CSRF-Token: $csrf" \
		-H "Origin: http://127.0.0.1:$p_port" \
		-F 'title=Documento di misura da 50 MB' -F visibility=members \
		-F "file=@$dl_file;type=application/pdf;filename=misura-50mb.pdf" \
		"http://127.0.0.1:$p_port/api/v1/documents" || true)
	[ "$code" = 201 ] || {
		cat "$out/upload.body" >&2 || true
		die "the upload of the 50 MB file answered $code"
	}
	doc_id=$(/usr/bin/python3 -c 'import json, sys; print(int(json.load(sys.stdin)["id"]))' \
		<"$out/upload.body") || die "no id in the upload's answer"
	# The text extraction job runs pdftotext on the new version: let it
	# finish first, or it would share the CPUs with the measurement.
	for ((i = 0; i < 600; i++)); do
		status=$(sql "SELECT text_status FROM document_versions WHERE document_id = $doc_id")
		[ "$status" != pending ] && break
		sleep 0.2
	done
	[ "$status" != pending ] ||
		echo "bench: warning: the text extraction of the 50 MB file is still running" >&2

	bl_port=$(scripts/free-port.sh)
	"$out/baseline" file "$bl_port" "$dl_file" 2>"$out/baseline-file.log" &
	pids+=($!)
	wait_http "http://127.0.0.1:$bl_port/" "$!" || {
		cat "$out/baseline-file.log" >&2
		die "baseline file did not start"
	}
	b_url="http://127.0.0.1:$bl_port/misura-50mb.pdf"
	p_url="http://127.0.0.1:$p_port/documents/$doc_id/download"
	check_download "$b_url"
	check_download "$p_url" -H "Cookie: portal_session=$cookie"

	echo "bench: G download: $rounds rounds of $duration each, 8 clients" >&2
	for ((r = 1; r <= rounds; r++)); do
		measure_download bG "$out/dl-bG-$r.log" "$b_url"
		measure_download pG "$out/dl-pG-$r.log" "$p_url" -H "Cookie: portal_session=$cookie"
	done

	ratio=$(awk -v p="${best[pG.bps]}" -v b="${best[bG.bps]}" \
		'BEGIN { printf "%.2f", (b > 0 ? p / b : 0) }')
	result=PASS
	if ! ge "$ratio" 0.5 || [ "${best[pG.bad]}" != 0 ] || [ "${best[bG.bad]}" != 0 ]; then
		result=FAIL
	fi
	echo
	printf '%-18s %12s %12s %6s %7s %15s %15s %9s  %s\n' scenario 'base MB/s' \
		'portal MB/s' ratio target 'base p50/p99' 'portal p50/p99' 'bad b/p' result
	printf '%-18s %12.1f %12.1f %6s %7s %15s %15s %9s  %s\n' "G 50 MB download" \
		"$(awk -v v="${best[bG.bps]}" 'BEGIN { print v / 1e6 }')" \
		"$(awk -v v="${best[pG.bps]}" 'BEGIN { print v / 1e6 }')" "$ratio" '>=0.5' \
		"$(printf '%.0f/%.0f' "${best[bG.p50]}" "${best[bG.p99]}")" \
		"$(printf '%.0f/%.0f' "${best[pG.p50]}" "${best[pG.p99]}")" \
		"${best[bG.bad]}/${best[pG.bad]}" "$result"
	echo "(MB/s: 10^6 body bytes received by 8 clients per second (build/bench/dlload), best" \
		"of $rounds rounds of $duration; latency of one whole download in ms; complete downloads:" \
		"${best[bG.req]} baseline, ${best[pG.req]} portal; bad = socket errors + answers other" \
		"than 200, all rounds; nproc $(nproc))"
}

# ---- H: search over 100,000 documents, one request at a time.

# The queries, URL-encoded: common to rare words, an accented word with
# and without its accent, two words, a phrase, a negation, OR, a number,
# and a word that is in no document.
search_queries=(servizi municipio formazione inclusione minori 'disabilit%C3%A0'
	'attivit%C3%A0' attivita anziani caregiver ludopatia zooterapia ornitorinco
	'presa+in+carico' '%22violenza+di+genere%22' 'verbale+riunione' 'modulo+domanda'
	'delibera+2023' 'servizi+-minori' 'protocollo+or+convenzione')

# Prints the p-th percentile (nearest rank) of the sorted numbers in FILE.
percentile() {
	awk -v p="$2" '{ v[NR] = $1 } END {
		if (NR == 0) { print 0; exit }
		i = int(NR * p / 100); if (i < NR * p / 100) i++; if (i < 1) i = 1
		print v[i] }' "$1"
}

scenario_h() {
	local base n i k q code bad total made p50 p95 p99 result h_end

	base="http://127.0.0.1:$p_port/api/v1/documents?q="
	n=${#search_queries[@]}
	total=$(sql "SELECT count(*) FROM documents WHERE deleted_at IS NULL")
	echo "bench: H search: $search_requests requests over $n queries, one at a time" >&2
	h_end=$((SECONDS + search_budget))
	# Warm-up: each query once, which also prepares the statement on the
	# pool threads' connections and records each query's hit count.
	: >"$out/search-hits.txt"
	for q in "${search_queries[@]}"; do
		code=$(curl -s -o "$out/search.body" -w '%{http_code}' \
			-H "Cookie: portal_session=$cookie" "$base$q" || true)
		[ "$code" = 200 ] || {
			cat "$out/search.body" >&2 || true
			die "GET /api/v1/documents?q=$q answered $code"
		}
		printf '%s %s\n' "$q" "$(/usr/bin/python3 -c \
			'import json, sys; print(json.load(sys.stdin)["total"])' <"$out/search.body")" \
			>>"$out/search-hits.txt"
	done
	# One curl per pass over the queries: one connection, kept alive, as
	# a browser.  A slow search stops the run at search_budget seconds,
	# with the requests made so far (the row says how many).
	: >"$out/search.times"
	for ((i = 0; i < search_requests; i += n)); do
		if [ "$SECONDS" -ge "$h_end" ]; then
			echo "bench: H search: stopped after $i requests (${search_budget} s budget)" >&2
			break
		fi
		for ((k = i; k < i + n && k < search_requests; k++)); do
			printf 'url = "%s%s"\noutput = "/dev/null"\n' "$base" "${search_queries[k % n]}"
		done >"$out/search.curl"
		curl -s -g -K "$out/search.curl" -H "Cookie: portal_session=$cookie" \
			-w '%{http_code} %{time_total} %{url_effective}\n' >>"$out/search.times" ||
			die "curl failed on the search requests"
	done
	made=$(wc -l <"$out/search.times")
	[ "$made" -ge "$n" ] || die "curl made $made search requests"
	bad=$(awk '$1 != 200' "$out/search.times" | wc -l)
	awk '{ printf "%.3f\n", $2 * 1000 }' "$out/search.times" | sort -n >"$out/search.ms"
	p50=$(percentile "$out/search.ms" 50)
	p95=$(percentile "$out/search.ms" 95)
	p99=$(percentile "$out/search.ms" 99)

	# Each query's latency, slowest first, for the diagnosis.
	{
		printf '%-32s %8s %8s %8s %8s\n' query hits p50_ms p95_ms max_ms
		for q in "${search_queries[@]}"; do
			awk -v q="$q" '{ u = $3; sub(/^.*[?&]q=/, "", u) } u == q { printf "%.3f\n", $2 * 1000 }' \
				"$out/search.times" | sort -n >"$out/search.q.ms"
			printf '%-32s %8s %8.1f %8.1f %8.1f\n' "$q" \
				"$(awk -v q="$q" '$1 == q { print $2 }' "$out/search-hits.txt")" \
				"$(percentile "$out/search.q.ms" 50)" "$(percentile "$out/search.q.ms" 95)" \
				"$(tail -n 1 "$out/search.q.ms")"
		done | sort -k4,4 -n -r
	} >"$out/search-queries.txt"
	rm -f -- "$out/search.q.ms" "$out/search.body"

	result=PASS
	if ! ge 30 "$p95" || [ "$bad" != 0 ] || [ "$made" != "$search_requests" ]; then
		result=FAIL
	fi
	echo
	printf '%-18s %10s %8s %8s %8s %7s %5s  %s\n' scenario documents p50_ms p95_ms p99_ms \
		target bad result
	printf '%-18s %10s %8.1f %8.1f %8.1f %7s %5s  %s\n' "H search" "$total" "$p50" "$p95" \
		"$p99" '<=30' "$bad" "$result"
	echo "($made of $search_requests requests over $n queries as the demo operatore, one at a time, after" \
		"a warm-up pass; bad = answers other than 200; each query: $out/search-queries.txt;" \
		"nproc $(nproc))"
	sed 's/^/  /' "$out/search-queries.txt"
}

# ---- I: one campaign fanned out to 100,000 subscribers, sent to smtp-sink.

# The campaign: Markdown of the size of a real one (headings, a list, links).
campaign_subject='Misura: il programma formativo del prossimo semestre'
campaign_body='## Il programma del semestre

Gentili colleghe e colleghi, è online il **programma formativo** del prossimo
semestre: dodici corsi a distanza e quattro giornate in presenza, aperti a
tutti gli operatori dei servizi sociali degli enti aderenti.

Le novità di quest'"'"'anno:

- un percorso sulla *presa in carico integrata*, con casi di studio;
- i webinar mensili della comunità di pratica, registrati e consultabili;
- un corso sulla protezione dei dati personali nei servizi sociali.

Le iscrizioni sono aperte fino alla fine del mese sul
[portale della formazione](https://formazione.example/corsi). Per domande
scrivete alla [redazione](mailto:redazione@formazione.example).

> Il calendario completo è nella sezione Documenti del portale.'

# Sets rss_kib to the portal's VmRSS in KiB; no subprocess, as it runs
# every 100 ms on the machine being measured.
portal_rss() {
	local k v _
	rss_kib=0
	while read -r k v _; do
		if [ "$k" = VmRSS: ]; then
			rss_kib=$v
			return 0
		fi
	done <"/proc/$portal_pid/status"
}

# Prints the CPU seconds used so far by the portal, PostgreSQL (the
# postmaster and its live children) and smtp-sink: "portal pg sink".
cpu_seconds() {
	local pm p pg=0
	pm=$(head -n 1 "$pgdir/postmaster.pid")
	for p in $(ps -o cputimes= -p "$pm") $(ps -o cputimes= --ppid "$pm"); do
		pg=$((pg + p))
	done
	echo "$(ps -o cputimes= -p "$portal_pid" | tr -d ' ') $pg $(ps -o cputimes= -p "$sink_pid" | tr -d ' ')"
}

# Prints how many messages smtp-sink has received: its -c counters,
# rewritten in place with \r after every message.
sink_count() {
	local n
	n=$(tr '\r' '\n' <"$out/smtp-sink.out" | sed -n 's/.*mesg=\([0-9]*\).*/\1/p' | tail -n 1)
	echo "${n:-0}"
}

# Reads KEY (a dotted path: counts.sent) of the JSON in FILE.
json_get() {
	/usr/bin/python3 -c '
import json, sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    v = v[k]
print(v)' "$1" "$2"
}

# Runs one campaign to every subscriber with CONC sender threads: sets
# i_row (the table row) and i_note (the per-run detail).
run_campaign() {
	local conc=$1 base code secs=0 id recipients=0 before peak n t0 t1 end_at cut=0 queued=-
	local load rss_kib
	local span first_wait queued_epoch stats sent_db sink0 sink1 rate txn result cpu0 cpu1
	local c_portal c_pg c_sink k sent failed bounced cancelled

	stop_pid "$portal_pid"
	PORTAL_SMTP_URL=smtp://127.0.0.1:$sink_port PORTAL_MAIL_RATE=0 \
		PORTAL_MAIL_CONCURRENCY=$conc start_portal
	base="http://127.0.0.1:$p_port/api/v1/campaigns"

	code=$(/usr/bin/python3 -c 'import json, sys; print(json.dumps(
		{"subject": sys.argv[1], "body": sys.argv[2], "topics": None}))' \
		"$campaign_subject ($conc)" "$campaign_body" |
		curl -s -o "$out/campaign.body" -w '%{http_code}' -H "Authorization: Bearer $admin_token" \
			-H 'Content-Type: application/json' --data-binary @- "$base" || true)
	[ "$code" = 201 ] || {
		cat "$out/campaign.body" >&2 || true
		die "POST /api/v1/campaigns answered $code"
	}
	id=$(json_get "$out/campaign.body" id) || die "no id in the campaign's answer"

	echo "bench: I campaign: sending campaign $id with $conc sender threads" >&2
	sink0=$(sink_count)
	# Other work on the machine shows in the figures: note the load.
	read -r load _ </proc/loadavg
	portal_rss
	before=$rss_kib
	peak=$before
	cpu0=$(cpu_seconds)
	t0=$EPOCHREALTIME
	t1=$t0
	curl -s -o "$out/campaign-send.body" -w '%{http_code} %{time_total}\n' -X POST \
		-H "Authorization: Bearer $admin_token" "$base/$id/send" >"$out/campaign-send.curl" &
	local curl_pid=$! sent_ok=0
	end_at=$((SECONDS + mail_budget))
	# RSS every 100 ms; once the enqueue has answered, the campaign's
	# counts (GET, as its progress bar does) every second.
	for ((n = 0; ; n++)); do
		kill -0 "$portal_pid" 2>/dev/null || die "the portal died during the campaign"
		portal_rss
		[ "$rss_kib" -gt "$peak" ] && peak=$rss_kib
		if [ "$sent_ok" = 0 ] && ! kill -0 "$curl_pid" 2>/dev/null; then
			wait "$curl_pid" || die "curl failed on POST $base/$id/send"
			read -r code secs <"$out/campaign-send.curl"
			[ "$code" = 202 ] || {
				cat "$out/campaign-send.body" >&2 || true
				die "POST /api/v1/campaigns/$id/send answered $code"
			}
			t1=$(awk -v a="$t0" -v s="$secs" 'BEGIN { printf "%.6f", a + s }')
			recipients=$(json_get "$out/campaign-send.body" recipients)
			sent_ok=1
		fi
		if [ "$sent_ok" = 1 ] && [ $((n % 10)) = 0 ]; then
			curl -s -o "$out/campaign-get.body" -H "Authorization: Bearer $admin_token" \
				"$base/$id" || die "curl failed on GET $base/$id"
			queued=$(json_get "$out/campaign-get.body" counts.queued) ||
				die "no counts in GET $base/$id"
			[ "$queued" = 0 ] && break
		fi
		if [ "$SECONDS" -ge "$end_at" ]; then
			echo "bench: I campaign: stopped after ${mail_budget} s with $queued queued" >&2
			cut=1
			break
		fi
		sleep 0.1
	done
	cpu1=$(cpu_seconds)
	# smtp-sink counts a message once the session ends or at the next
	# command; let the last ones land.
	sleep 1
	sink1=$(sink_count)

	curl -s -o "$out/campaign-get.body" -H "Authorization: Bearer $admin_token" "$base/$id" ||
		die "curl failed on GET $base/$id"
	for k in sent failed bounced cancelled; do
		printf -v "$k" '%s' "$(json_get "$out/campaign-get.body" "counts.$k")"
	done
	# From the first to the last message marked sent; and the enqueue as
	# the database saw it: queued_at is now() of the sending transaction,
	# which starts just before the INSERT ... SELECT.
	stats=$(sql "SELECT count(*), coalesce(extract(epoch FROM max(o.sent_at) - min(o.sent_at)), 0),
		            coalesce(extract(epoch FROM min(o.sent_at) - c.queued_at), 0), extract(epoch FROM c.queued_at)
		     FROM campaigns c LEFT JOIN mail_outbox o ON o.source = 'campaign' AND o.source_id = c.id
		          AND o.status = 'sent'
		     WHERE c.id = $id GROUP BY c.queued_at")
	IFS='|' read -r sent_db span first_wait queued_epoch <<<"$stats"
	rate=$(awk -v n="$sent_db" -v s="$span" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
	txn=$(awk -v a="$t1" -v q="$queued_epoch" 'BEGIN { printf "%.2f", a - q }')
	read -r c_portal c_pg c_sink <<<"$(awk -v a="$cpu0" -v b="$cpu1" -v s="$span" 'BEGIN {
		split(a, x, " "); split(b, y, " ")
		for (i = 1; i <= 3; i++) printf "%.0f%% ", (s > 0 ? (y[i] - x[i]) / s * 100 : 0) }')"

	result=PASS
	if ! awk -v s="$secs" 'BEGIN { exit !(s < 5) }' || ! ge "$rate" 500 ||
		[ "$peak" -ge $((64 * 1024)) ] || [ "$cut" = 1 ] || [ "$failed" != 0 ] ||
		[ "$bounced" != 0 ] || [ "$cancelled" != 0 ] || [ "$recipients" != "$i_expected" ] ||
		[ "$sent" != "$recipients" ] || [ "$sent_db" != "$sent" ] ||
		[ $((sink1 - sink0)) != "$sent" ]; then
		result=FAIL
	fi
	i_row=$(printf '%-18s %10s %9.2f %9s %8.1f %8.1f %19s  %s' "I campaign x$conc" "$recipients" \
		"$secs" "$rate" "$(awk -v k="$peak" 'BEGIN { print k / 1024 }')" \
		"$(awk -v k="$((peak - before))" 'BEGIN { print k / 1024 }')" \
		"$sent/$failed/$((sink1 - sink0))" "$result")
	i_note=$(printf 'x%s: enqueue %.2f s at the client, %s s from queued_at; first message %.1f s after queued_at; %s sent in %.1f s; CPU over the send (one core = 100%%): portal %s, PostgreSQL %s, smtp-sink %s; load average before %s' \
		"$conc" "$secs" "$txn" "$first_wait" "$sent_db" "$span" "$c_portal" "$c_pg" "$c_sink" "$load")
}

scenario_i() {
	local fsync conc i_rows=() i_notes=() sink_opts=() i hash line

	fsync=$(sql "SHOW fsync")
	if [ "$fsync" != on ]; then
		echo "bench: I campaign: restarting PostgreSQL with fsync=on" >&2
		stop_pid "$portal_pid"
		portal_pid=
		scripts/pg.sh stop "$pgdir" >/dev/null
		PG_FSYNC=on scripts/pg.sh start "$pgdir" "$pgport" >/dev/null
	fi
	i_expected=$(sql "SELECT count(*) FROM subscribers WHERE status = 'active'")

	# The relay: smtp-sink throws each message away.  As root it must be
	# told whose privileges to drop to.
	sink_port=$(scripts/free-port.sh)
	[ "$(id -u)" = 0 ] && sink_opts=(-u nobody)
	smtp-sink -c "${sink_opts[@]}" "127.0.0.1:$sink_port" 1000 >"$out/smtp-sink.out" \
		2>"$out/smtp-sink.log" &
	sink_pid=$!
	pids+=("$sink_pid")
	for ((i = 0; i < 50; i++)); do
		(exec 3<>"/dev/tcp/127.0.0.1/$sink_port") 2>/dev/null && break
		kill -0 "$sink_pid" 2>/dev/null || break
		sleep 0.1
	done
	(exec 3<>"/dev/tcp/127.0.0.1/$sink_port") 2>/dev/null || {
		cat "$out/smtp-sink.log" >&2
		die "smtp-sink did not start"
	}

	# A bearer token for the demo admin, made as F's are.
	(umask 077 && "$quizload_bin" tokens 1 >"$out/admin-token.tsv") ||
		die "$quizload_bin tokens failed"
	IFS=$'\t' read -r _ admin_token hash <"$out/admin-token.tsv"
	line=$(awk -F'\t' '$1 == "admin" { print $2; exit }' "$vardir/demo-accounts.txt")
	[ -n "$line" ] || die "no admin account in $vardir/demo-accounts.txt"
	printf '%s\t%s\n' "$line" "$hash" | psql -X -q -v ON_ERROR_STOP=1 "$dburl" \
		-c "CREATE TEMP TABLE bench_admin (email text, hash text)" \
		-c "COPY bench_admin FROM STDIN" \
		-c "INSERT INTO api_tokens (user_id, token_hash)
		    SELECT u.id, decode(b.hash, 'hex') FROM bench_admin b
		    JOIN users u ON lower(u.email) = lower(b.email)" \
		>>"$out/portal-setup.log" 2>&1 || {
		cat "$out/portal-setup.log" >&2
		die "loading the admin's token failed"
	}

	for conc in $mail_concurrency; do
		run_campaign "$conc"
		i_rows+=("$i_row")
		i_notes+=("$i_note")
	done
	echo
	printf '%-18s %10s %9s %9s %8s %8s %19s  %s\n' scenario recipients enqueue_s msg/s \
		'RSS MiB' 'grew' 'sent/failed/sink' result
	for line in "${i_rows[@]}"; do
		echo "$line"
	done
	echo "(targets: enqueue < 5 s, >= 500 msg/s, RSS < 64 MiB; xN: PORTAL_MAIL_CONCURRENCY," \
		"PORTAL_MAIL_RATE=0; msg/s: sent / (last - first sent_at); RSS: the portal's VmRSS" \
		"sampled every 100 ms from the enqueue to the last message, its peak and growth; sink:" \
		"messages smtp-sink received; fails on any failed, bounced or cancelled message;" \
		"fsync=on, nproc $(nproc))"
	for line in "${i_notes[@]}"; do
		echo "  $line"
	done
}

declare -A best
case "$only" in
F)
	scenario_f
	exit 0
	;;
G)
	scenario_g
	exit 0
	;;
H)
	scenario_h
	exit 0
	;;
I)
	scenario_i
	exit 0
	;;
esac

# ---- the scenarios.

names=("A static asset" "B anonymous home" "C logged-in page" "D course page" "E lesson page")
targets=(0.9 0.6 0.4 0.35 0.35)
bq_url="http://127.0.0.1:$bq_port/"
base_urls=("http://127.0.0.1:$bs_port/" "$bq_url" "$bq_url" "$bq_url" "$bq_url")
paths=(/assets/css/fonts.css / /profilo "/corsi/${bench_course:-0}"
	"/corsi/${bench_course:-0}/lezioni/${bench_lesson:-0}")

# Best round of one server: req/s, p50, p99; bad sums over all rounds.
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

scenario_g
scenario_h
scenario_f
scenario_i
