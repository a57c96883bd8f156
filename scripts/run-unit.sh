#!/usr/bin/env bash
# run-unit.sh - run cmocka test programs and sum up their results.
#
# Usage: scripts/run-unit.sh PROGRAM...
# Env:
#   RESULTS      if set, "PASSED FAILED" is appended to this file, so that
#                the test target can add unit, integration and browser
#                results into one total line
#   UNIT_RUNNER  command put before each program, e.g.
#                "valgrind -q --error-exitcode=99 --leak-check=full"
#   UNIT_TIMEOUT seconds one program may run (default 300)
#
# Prints each program's failures and a final "unit: N passed, N failed".
# Exits 1 when a test failed or a program crashed: a program that exits
# non-zero (sanitizer report, abort, timeout) without reporting a failed
# test counts as one failure, as does a program that dies by a signal.
set -euo pipefail

[ $# -ge 1 ] || {
	echo "usage: $0 PROGRAM..." >&2
	exit 2
}

# The default format, whatever the caller's environment says: the counts
# below are read from it.
export CMOCKA_MESSAGE_OUTPUT=stdout

read -r -a runner <<<"${UNIT_RUNNER:-}"
timeout_s=${UNIT_TIMEOUT:-300}

out=$(mktemp)
trap 'rm -f "$out"' EXIT

total_pass=0
total_fail=0
for prog in "$@"; do
	pass=0
	fail=0
	rc=0
	if [ ! -x "$prog" ]; then
		echo "unit: $prog: not found or not executable"
		total_fail=$((total_fail + 1))
		continue
	fi
	# cmocka prints its summary on stderr: capture both streams.
	timeout "$timeout_s" "${runner[@]}" "$prog" >"$out" 2>&1 </dev/null || rc=$?

	# One "[  PASSED  ] N test(s)." and at most one "[  FAILED  ] N test(s)"
	# per group; a program may run several groups.
	while read -r n; do
		pass=$((pass + n))
	done < <(sed -n 's/^\[  PASSED  \] \([0-9][0-9]*\) test(s)\..*/\1/p' "$out")
	while read -r n; do
		fail=$((fail + n))
	done < <(sed -n 's/^\[  FAILED  \] \([0-9][0-9]*\) test(s).*/\1/p' "$out")

	crashed=0
	if [ "$rc" -gt 125 ] || { [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; }; then
		crashed=1
		fail=$((fail + 1))
	fi

	if [ "$fail" -gt 0 ]; then
		echo "---- $prog: $fail failed (exit $rc)"
		# Drop the lines of tests that went well; keep errors, failure
		# lists and sanitizer reports.
		grep -v -e '^\[ RUN      \]' -e '^\[       OK \]' "$out" || true
		if [ "$crashed" = 1 ]; then
			if [ "$rc" -eq 124 ]; then
				echo "---- $prog: timed out after ${timeout_s} s"
			elif [ "$rc" -gt 128 ]; then
				echo "---- $prog: killed by signal $((rc - 128))"
			else
				echo "---- $prog: exited $rc without reporting a failed test"
			fi
		fi
	fi
	total_pass=$((total_pass + pass))
	total_fail=$((total_fail + fail))
done

echo "unit: $total_pass passed, $total_fail failed"
if [ -n "${RESULTS:-}" ]; then
	echo "$total_pass $total_fail" >>"$RESULTS"
fi
[ "$total_fail" -eq 0 ]
