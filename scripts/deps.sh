#!/usr/bin/env bash
# deps.sh - install what building and testing the portal needs, idempotently.
#
# Usage: scripts/deps.sh [--test] [--bench]
#   --test   also installs chromium and the npm packages of the browser tests.
#   --bench  also installs postfix, for its smtp-sink (make bench, scenario I).
#
# Silent when everything is already there: it is run by make on every build.
set -euo pipefail

cd "$(dirname "$0")/.."

want_test=0
want_bench=0
for arg in "$@"; do
	case "$arg" in
	--test) want_test=1 ;;
	--bench) want_bench=1 ;;
	*)
		echo "usage: $0 [--test] [--bench]" >&2
		exit 2
		;;
	esac
done

pkgs=(libmicrohttpd-dev libmarkdown2-dev libsodium-dev libmagic-dev libpq-dev
	postgresql libcurl4-openssl-dev libcmocka-dev libcairo2-dev libqrencode-dev
	python3-aiosmtpd wrk pkg-config poppler-utils fonts-dejavu-core
	librsvg2-bin zip unzip file)
# The bench: wrk above, and postfix for /usr/sbin/smtp-sink, the SMTP sink
# of scenario I.  Only that program is wanted: postfix is installed
# unconfigured and never started.  Not for make run or make test: it would
# replace a mail server the machine already has (exim4, say).
if [ "$want_bench" = 1 ]; then
	pkgs+=(postfix)
fi
if [ "$want_test" = 1 ]; then
	pkgs+=(chromium)
fi

# A package counts as present only when dpkg says "ii" (installed, no
# error): "rc" (removed, config left) must trigger a reinstall.
missing=()
for p in "${pkgs[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	case "$st" in
	ii*) ;;
	*) missing+=("$p") ;;
	esac
done

# npm is checked as a command, not a package: a NodeSource nodejs ships its
# own npm and conflicts with Debian's npm package.
if ! command -v npm >/dev/null 2>&1; then
	missing+=(nodejs npm)
fi

if [ "${#missing[@]}" -gt 0 ]; then
	if [ "$(id -u)" = 0 ]; then
		sudo=()
	elif command -v sudo >/dev/null 2>&1; then
		sudo=(sudo)
	else
		echo "deps: missing packages: ${missing[*]}" >&2
		echo "deps: run as root: apt-get update && apt-get install -y ${missing[*]}" >&2
		exit 1
	fi
	echo "deps: installing ${missing[*]}"
	want_postfix=0
	for p in "${missing[@]}"; do
		[ "$p" = postfix ] && want_postfix=1
	done
	# apt is chatty even with -qq (debconf notices): keep its output in a
	# log and show it only when it fails.
	log=$(mktemp)
	trap 'rm -f "$log"' EXIT
	# sudo resets the environment, so pass the variable on its command line.
	# "No configuration" leaves postfix without main.cf: its postinst
	# then neither configures a mail system nor starts the daemon.  (An
	# MTA already installed, exim4 say, is replaced: postfix conflicts
	# with mail-transport-agent.)
	if [ "$want_postfix" = 1 ] &&
		! echo 'postfix postfix/main_mailer_type select No configuration' |
		"${sudo[@]}" debconf-set-selections; then
		echo "deps: debconf-set-selections failed" >&2
		exit 1
	fi
	if ! { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
		"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq "${missing[@]}"; } >"$log" 2>&1; then
		cat "$log" >&2
		echo "deps: apt-get failed" >&2
		exit 1
	fi
	# Belt and braces: no postfix daemon running, none started at boot
	# (by systemd or by the SysV links), whatever the postinst did.
	if [ "$want_postfix" = 1 ] &&
		! { "${sudo[@]}" postfix stop >/dev/null 2>&1 || true
			if command -v deb-systemd-helper >/dev/null 2>&1; then
				"${sudo[@]}" deb-systemd-helper disable postfix.service
			fi
			"${sudo[@]}" update-rc.d postfix disable; } >>"$log" 2>&1; then
		cat "$log" >&2
		echo "deps: cannot disable the postfix service" >&2
		exit 1
	fi
fi

# npm: bootstrap-italia is needed to build the assets; the browser-test
# packages only with --test. The lock file pins every version.
need_npm=0
[ -d node_modules/bootstrap-italia ] || need_npm=1
if [ "$want_test" = 1 ]; then
	[ -d node_modules/playwright-core ] || need_npm=1
	[ -d node_modules/@axe-core/playwright ] || need_npm=1
fi
if [ "$need_npm" = 1 ]; then
	echo "deps: installing npm packages"
	# Never let playwright fetch a browser: it cannot be downloaded here and
	# the tests use Debian's chromium.
	export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
	if [ -f package-lock.json ]; then
		npm ci --no-audit --no-fund --loglevel=error >/dev/null
	else
		npm install --no-audit --no-fund --loglevel=error >/dev/null
	fi
fi
