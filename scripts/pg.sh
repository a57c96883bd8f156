#!/usr/bin/env bash
# pg.sh - a private, throwaway PostgreSQL cluster for development and tests.
#
# Usage:
#   scripts/pg.sh start DIR PORT    initdb if needed, start, create db "portal"
#   scripts/pg.sh stop DIR          stop the cluster (keeps the data)
#   scripts/pg.sh destroy DIR       stop it and delete its data
#   scripts/pg.sh url DIR PORT      print the libpq connection string
#   scripts/pg.sh status DIR        exit 0 when running
# Env: PG_FSYNC=off starts the server with fsync=off (tests only).
#
# The server listens on a Unix socket only (no TCP). The socket lives in
# /tmp/portal-pg-<hash of DIR's absolute path>/sock, because a socket path
# must be absolute and shorter than ~100 bytes. As root, initdb and pg_ctl
# refuse to run, so they run as "postgres", which must be able to traverse
# every parent folder of the data: the cluster then lives in that /tmp
# folder too, and DIR is a symlink to it.
set -euo pipefail

die() {
	echo "pg: $*" >&2
	exit 1
}

usage() {
	echo "usage: $0 start DIR PORT | stop DIR | destroy DIR | url DIR PORT | status DIR" >&2
	exit 2
}

# Debian does not put initdb/pg_ctl on PATH; pg_config knows where they are.
bindir=$(pg_config --bindir 2>/dev/null || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
	bindir=/usr/lib/postgresql/15/bin
fi
[ -x "$bindir/pg_ctl" ] || die "no PostgreSQL server binaries in $bindir (run scripts/deps.sh)"

is_root=0
if [ "$(id -u)" = 0 ]; then
	is_root=1
fi

# Runs a server-side command as the cluster's owner.
as_owner() {
	if [ "$is_root" = 1 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# Sets abs, base, sock and data for DIR. The absolute path resolves DIR's
# parent but not DIR itself, so that the hash (and with it the socket path
# that "url" prints) stays the same once DIR has become a symlink.
locate() {
	local dir=${1%/}
	[ -n "$dir" ] || die "empty DIR"
	abs="$(realpath -m -- "$(dirname -- "$dir")")/$(basename -- "$dir")"
	base="/tmp/portal-pg-$(printf '%s' "$abs" | sha256sum | cut -c1-16)"
	sock="$base/sock"
	data="$abs"
	# As root, hand the server tools the real path: "postgres" may not be
	# able to traverse the symlink's parents.
	if [ "$is_root" = 1 ] && { [ -L "$abs" ] || [ ! -f "$abs/PG_VERSION" ]; }; then
		data="$base/data"
	fi
}

check_port() {
	case "$1" in
	'' | *[!0-9]*) die "bad port '$1'" ;;
	esac
	if [ "$1" -lt 1 ] || [ "$1" -gt 65535 ]; then
		die "bad port '$1'"
	fi
}

# Creates the /tmp folder. Its name is predictable, so refuse one that
# someone else made: they could read or replace the socket.
make_base() {
	local owner=$USER_NAME
	[ "$is_root" = 1 ] && owner=postgres
	if [ -e "$base" ] || [ -L "$base" ]; then
		if [ -L "$base" ] || [ ! -d "$base" ]; then
			die "$base is not a directory"
		fi
		[ "$(stat -c %U -- "$base")" = "$owner" ] || die "$base is not owned by $owner"
	else
		mkdir -m 0755 -- "$base"
		if [ "$is_root" = 1 ]; then
			chown postgres:postgres -- "$base"
		fi
	fi
	as_owner mkdir -p -m 0755 -- "$sock"
}

# As root, points DIR at the cluster folder under /tmp. A real folder that
# already holds a cluster is used as it is (someone set it up by hand).
link_data() {
	[ "$is_root" = 1 ] || return 0
	if [ -L "$abs" ]; then
		[ "$(readlink -- "$abs")" = "$base/data" ] || die "$abs is a symlink elsewhere"
	elif [ -d "$abs" ]; then
		[ -f "$abs/PG_VERSION" ] && return 0
		rmdir -- "$abs" 2>/dev/null || die "$abs exists, is not empty and holds no cluster"
		ln -s -- "$base/data" "$abs"
	elif [ -e "$abs" ]; then
		die "$abs exists and is not a folder"
	else
		mkdir -p -- "$(dirname -- "$abs")"
		ln -s -- "$base/data" "$abs"
	fi
}

running() {
	[ -f "$data/PG_VERSION" ] && as_owner "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1
}

cmd_start() {
	local port=$1 opts running_port
	check_port "$port"
	make_base
	link_data

	if [ ! -f "$data/PG_VERSION" ]; then
		if [ "$is_root" = 0 ]; then
			mkdir -p -- "$(dirname -- "$data")"
		fi
		# --no-sync: a throwaway cluster need not survive a power cut.
		as_owner "$bindir/initdb" -D "$data" -U postgres -A trust -E UTF8 \
			--locale=C.UTF-8 --no-sync >"$base/initdb.log" 2>&1 ||
			{
				cat "$base/initdb.log" >&2
				die "initdb failed"
			}
	fi

	if running; then
		# Line 4 of postmaster.pid is the port the server listens on.
		running_port=$(sed -n 4p "$data/postmaster.pid")
		[ "$running_port" = "$port" ] ||
			die "already running on port $running_port, not $port"
		echo "pg: already running ($data, port $port)"
	else
		opts="-k $sock -p $port -c listen_addresses=''"
		case "${PG_FSYNC:-on}" in
		off) opts="$opts -c fsync=off" ;;
		on) ;;
		*) die "PG_FSYNC must be on or off" ;;
		esac
		as_owner "$bindir/pg_ctl" -D "$data" -l "$base/postgres.log" -w -t 30 \
			-o "$opts" start >/dev/null ||
			{
				tail -n 20 "$base/postgres.log" >&2 || true
				die "cannot start the server (log: $base/postgres.log)"
			}
	fi

	# The client tools connect over the socket and need no special user.
	if [ "$("$bindir/psql" -h "$sock" -p "$port" -U postgres -d postgres -XtAc \
		"SELECT 1 FROM pg_database WHERE datname = 'portal'")" != 1 ]; then
		"$bindir/createdb" -h "$sock" -p "$port" -U postgres portal
	fi
}

cmd_stop() {
	if ! running; then
		echo "pg: not running ($data)"
		return 0
	fi
	# fast: rolls back open sessions instead of waiting for them.
	as_owner "$bindir/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null
}

cmd_destroy() {
	cmd_stop >/dev/null
	if [ -L "$abs" ]; then
		rm -f -- "$abs"
	elif [ -f "$abs/PG_VERSION" ]; then
		rm -rf -- "$abs"
	fi
	# Only remove a /tmp folder that is ours (see make_base).
	if [ -d "$base" ] && [ ! -L "$base" ]; then
		case "$(stat -c %U -- "$base")" in
		postgres | "$USER_NAME") rm -rf -- "$base" ;;
		esac
	fi
}

USER_NAME=$(id -un)

[ $# -ge 2 ] || usage
cmd=$1
locate "$2"
case "$cmd" in
start)
	[ $# = 3 ] || usage
	cmd_start "$3"
	;;
stop)
	[ $# = 2 ] || usage
	cmd_stop
	;;
destroy)
	[ $# = 2 ] || usage
	cmd_destroy
	;;
status)
	[ $# = 2 ] || usage
	running
	;;
url)
	[ $# = 3 ] || usage
	check_port "$3"
	echo "host=$sock port=$3 user=postgres dbname=portal"
	;;
*) usage ;;
esac
