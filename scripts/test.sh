#!/usr/bin/env bash
# test.sh - `make test`: every test against a build with AddressSanitizer
# and UndefinedBehaviorSanitizer, ending with one line "N passed, N failed".
#
# Unit tests (cmocka) run with leak detection; the server under the
# integration and browser tests runs with ASan/UBSan too, and the harness
# fails a test file whose server printed any sanitizer report.
set -uo pipefail
cd "$(dirname "$0")/.."

BUILD=build/asan
export RESULTS
RESULTS=$(mktemp)
trap 'rm -f "$RESULTS"' EXIT

scripts/deps.sh --test || exit 1
make --no-print-directory BUILD=$BUILD DEVELOPER=1 \
	SAN="-fsanitize=address,undefined -fno-omit-frame-pointer" all unit-bins || exit 1

export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ASAN_OPTIONS=detect_leaks=1 scripts/run-unit.sh $BUILD/unit/test_*

# Node's TAP summary gives the counts of a run: "# pass N" and "# fail N".
node_suite() {
	local name=$1 out
	shift
	out=$(mktemp)
	echo "== $name"
	PORTAL_BIN=$BUILD/portal ASAN_OPTIONS=detect_leaks=0 \
		node --test --test-reporter=tap --test-concurrency=2 "$@" >"$out" 2>&1
	local status=$?
	grep -E '^(not ok|# (Subtest|pass|fail))' "$out" | grep -v '^# Subtest' || true
	local pass fail
	pass=$(awk '/^# pass /{print $3}' "$out" | tail -1)
	fail=$(awk '/^# fail /{print $3}' "$out" | tail -1)
	if [ -z "$pass" ] || { [ "$status" != 0 ] && [ "${fail:-0}" = 0 ]; }; then
		# A suite whose set-up failed, or the runner itself: show why
		# and count it as a failure.
		awk '/^ *not ok/,/^ *\.\.\./' "$out" | head -200
		tail -20 "$out"
		pass=${pass:-0}
		fail=$((${fail:-0} + 1))
	elif [ "$fail" != 0 ]; then
		# Show the failing tests' details.
		awk '/^ *not ok/,/^ *\.\.\./' "$out" | head -200
	fi
	echo "$name: $pass passed, $fail failed"
	echo "$pass $fail" >>"$RESULTS"
	rm -f "$out"
}

node_suite integration tests/integration/*.test.mjs
node_suite browser tests/browser/*.test.mjs

awk '{p += $1; f += $2} END {printf "%d passed, %d failed\n", p, f; exit f > 0}' "$RESULTS"
