#!/usr/bin/env bash
# smtp.sh - a local SMTP sink for tests: each message lands in a Maildir.
#
# Usage:
#   scripts/smtp.sh start MAILDIR PORT PIDFILE   messages go to MAILDIR/new
#   scripts/smtp.sh stop PIDFILE
# The server's output goes to PIDFILE.log.
set -euo pipefail

# /usr/bin/python3 on purpose: the python3 first on PATH may be another
# interpreter without the aiosmtpd module.
PY=/usr/bin/python3

die() {
	echo "smtp: $*" >&2
	exit 1
}

usage() {
	echo "usage: $0 start MAILDIR PORT PIDFILE | stop PIDFILE" >&2
	exit 2
}

# True when something accepts TCP connections on 127.0.0.1:$1.
port_open() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# True when the pid in file $1 is a live aiosmtpd: a pid file left over
# from a crash may name a pid that now belongs to something else.
alive() {
	local pid
	[ -f "$1" ] || return 1
	pid=$(cat -- "$1")
	case "$pid" in
	'' | *[!0-9]*) return 1 ;;
	esac
	[ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q aiosmtpd
}

cmd_start() {
	local maildir=$1 port=$2 pidfile=$3 pid i
	case "$port" in
	'' | *[!0-9]*) die "bad port '$port'" ;;
	esac
	if alive "$pidfile"; then
		echo "smtp: already running (pid $(cat -- "$pidfile"))"
		return 0
	fi
	port_open "$port" && die "port $port is already in use"
	[ -x "$PY" ] || die "$PY not found (run scripts/deps.sh)"
	# Python's Maildir creates tmp/ new/ cur/ only when the folder itself
	# is missing; an existing empty folder makes every delivery fail.
	mkdir -p -- "$maildir/tmp" "$maildir/new" "$maildir/cur" "$(dirname -- "$pidfile")"

	# nohup: the server must outlive the shell (make recipe) that started it.
	nohup "$PY" -m aiosmtpd -n -l "127.0.0.1:$port" \
		-c aiosmtpd.handlers.Mailbox "$maildir" \
		</dev/null >"$pidfile.log" 2>&1 &
	pid=$!
	echo "$pid" >"$pidfile"

	# aiosmtpd binds a moment after it starts: wait up to 10 s for it.
	for ((i = 0; i < 100; i++)); do
		if port_open "$port"; then
			return 0
		fi
		if ! kill -0 "$pid" 2>/dev/null; then
			cat -- "$pidfile.log" >&2 || true
			rm -f -- "$pidfile"
			die "aiosmtpd exited"
		fi
		sleep 0.1
	done
	kill "$pid" 2>/dev/null || true
	rm -f -- "$pidfile"
	die "aiosmtpd did not listen on port $port within 10 s"
}

cmd_stop() {
	local pidfile=$1 pid i
	if ! alive "$pidfile"; then
		rm -f -- "$pidfile"
		echo "smtp: not running"
		return 0
	fi
	pid=$(cat -- "$pidfile")
	kill "$pid" 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	# Still there after 5 s: it ignored TERM.
	kill -KILL "$pid" 2>/dev/null || true
	rm -f -- "$pidfile"
}

[ $# -ge 1 ] || usage
case "$1" in
start)
	[ $# = 4 ] || usage
	cmd_start "$2" "$3" "$4"
	;;
stop)
	[ $# = 2 ] || usage
	cmd_stop "$2"
	;;
*) usage ;;
esac
