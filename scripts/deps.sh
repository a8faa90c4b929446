#!/usr/bin/env bash
# deps.sh - set up a fresh Debian 12 machine (as root) to build, test and
# demo pjeval, then build and install the extension.
#
# Idempotent: packages already installed are not touched, and the apt lists
# are refreshed only when a package has to be installed and apt cannot find
# it (or its download fails on stale lists).  Runs non-interactively.
#
# Exit status: 0 ok; 1 the build or install of pjeval failed; 2 a package
# or tool could not be had (the caller should stop: nothing else can work).
#
# Environment: PG_MAJOR (default 15); DEPS_NO_BUILD=1 to only install packages.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PG_MAJOR="${PG_MAJOR:-15}"
PG_CONFIG="/usr/lib/postgresql/$PG_MAJOR/bin/pg_config"
export DEBIAN_FRONTEND=noninteractive

# Why each package:
#   postgresql-$PG_MAJOR, postgresql-common  the server, pg_virtualenv, pg_createcluster
#   postgresql-server-dev-$PG_MAJOR          PGXS, server headers (pulls clang-14/llvm-14-dev
#                                            for the JIT bitcode PGXS builds)
#   postgresql-$PG_MAJOR-cron                pg_cron, for the scheduled-refresh path (optional at runtime)
#   make gcc libc6-dev                       the build
#   clang libclang-rt-14-dev                 libFuzzer and the sanitizer runtimes for `make fuzz`
#   libzip-dev libxml2-dev pkg-config        the .xlsx reader: libzip opens the zip container from
#                                            memory, libxml2 reads its XML parts (found by pkg-config)
#   libxlsxwriter-dev                        the .xlsx writer (export_workbook): libxlsxwriter writes the
#                                            workbook, its styles, merged cells and page setup
#   python3-openpyxl                         writes the test workbooks (test/fixtures/make_workbooks.py)
#   libpq-dev                                libpq and its header for pjeval-load, the client that
#                                            imports files and folders (src/bin/pjeval_load.c)
PACKAGES=(
	"postgresql-$PG_MAJOR" "postgresql-server-dev-$PG_MAJOR" "postgresql-$PG_MAJOR-cron"
	postgresql-common make gcc libc6-dev clang libclang-rt-14-dev
	libzip-dev libxml2-dev libxlsxwriter-dev pkg-config python3-openpyxl libpq-dev
)

die() { echo "deps.sh: $*" >&2; exit 2; }

[ "$(id -u)" = 0 ] || die "must run as root (it installs Debian packages); try: sudo bash $0"
if ! command -v apt-get >/dev/null || ! command -v dpkg-query >/dev/null; then
	die "this is not a Debian-like system (no apt-get/dpkg-query); pjeval's scripts target Debian 12"
fi

is_installed() {
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" = installed ]
}

missing=()
for p in "${PACKAGES[@]}"; do
	is_installed "$p" || missing+=("$p")
done

apt_updated=0
apt_update() {
	echo "deps.sh: apt-get update"
	apt-get update -qq || die "apt-get update failed"
	apt_updated=1
}

if [ "${#missing[@]}" -gt 0 ]; then
	echo "deps.sh: installing: ${missing[*]}"
	# Refresh the lists first only if apt does not know one of the packages
	# (a fresh image may ship with empty lists).
	for p in "${missing[@]}"; do
		cand="$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ {print $2}')"
		if [ -z "$cand" ] || [ "$cand" = "(none)" ]; then
			apt_update
			break
		fi
	done
	apt_install() {
		apt-get install -y -qq -o Dpkg::Use-Pty=0 --no-install-recommends "${missing[@]}"
	}
	if ! apt_install; then
		# Stale lists give 404s on download: refresh once and retry.
		[ "$apt_updated" = 1 ] && die "apt-get install failed: ${missing[*]}"
		apt_update
		apt_install || die "apt-get install failed: ${missing[*]}"
	fi
	for p in "${missing[@]}"; do
		is_installed "$p" || die "package $p is still not installed"
	done
else
	echo "deps.sh: all packages present"
fi

# The tools the build and the tests call, so a broken image fails here, by name.
[ -x "$PG_CONFIG" ] || die "$PG_CONFIG not found (postgresql-server-dev-$PG_MAJOR)"
for t in make gcc clang pkg-config pg_virtualenv pg_createcluster psql; do
	command -v "$t" >/dev/null || die "required tool '$t' not found"
done

[ "${DEPS_NO_BUILD:-0}" = 1 ] && exit 0

echo "deps.sh: make && make install (PG_CONFIG=$PG_CONFIG)"
jobs="$(nproc 2>/dev/null || echo 2)"
if ! make -s -j"$jobs" PG_CONFIG="$PG_CONFIG"; then
	echo "deps.sh: make failed" >&2
	exit 1
fi
if ! make -s install PG_CONFIG="$PG_CONFIG"; then
	echo "deps.sh: make install failed" >&2
	exit 1
fi
echo "deps.sh: pjeval built and installed into $("$PG_CONFIG" --pkglibdir)"
