#!/usr/bin/env bash
# build-citus.sh - OPTIONAL: build Citus from source for the system
# PostgreSQL and install it, so that test/integration/citus.sh has a real
# cluster to run on.  Not called by CI or scripts/test.sh: without Citus,
# citus.sh prints why and counts itself as skipped.
#
# Citus is not in Debian's archive.  Give this script a copy of the Citus
# repository (a git directory, with or without a work tree) or an extracted
# source tree; it never downloads anything but Debian packages:
#
#   sudo bash scripts/build-citus.sh /path/to/citus.git         # tag v13.2.2
#   sudo CITUS_TAG=v13.2.1 bash scripts/build-citus.sh /path/to/citus.git
#   sudo bash scripts/build-citus.sh /path/to/extracted/citus-13.2.2
#
# Steps (each one is what a reader would type):
#   1. apt-get install the build dependencies (below);
#   2. extract the tag into $CITUS_BUILD_DIR (default /tmp/citus-build-TAG),
#      or use the given source tree as it is;
#   3. patch the one incompatibility with PostgreSQL 15.20: Citus 13.2's
#      src/include/pg_version_compat.h defines its own static
#      have_createdb_privilege() for PostgreSQL < 16, and 15.20's
#      commands/dbcommands.h now declares the server's own (extern), so the
#      two clash.  When the server's header declares it, the compat copy is
#      removed and the server's function is used;
#   4. ./configure PG_CONFIG=...; make -j2; make install.
# Idempotent: when citus.so of the same version is already installed it does
# nothing (FORCE=1 rebuilds); the patch is applied only once.
#
# Environment: PG_MAJOR (default 15), CITUS_TAG (default v13.2.2),
# CITUS_BUILD_DIR, JOBS (default 2), FORCE=1, INSTALL_LOCK (a file that
# `make install` holds with flock(1), where several builds share the
# PostgreSQL directories).
# Never commit the Citus source or binaries to this repository.
set -euo pipefail

PG_MAJOR="${PG_MAJOR:-15}"
PG_CONFIG="/usr/lib/postgresql/$PG_MAJOR/bin/pg_config"
CITUS_TAG="${CITUS_TAG:-v13.2.2}"
JOBS="${JOBS:-2}"
export DEBIAN_FRONTEND=noninteractive

die() { echo "build-citus.sh: $*" >&2; exit 2; }

[ $# -eq 1 ] || die "usage: $0 CITUS_GIT_DIR_OR_SOURCE_TREE"
SRC_IN="$1"
[ "$(id -u)" = 0 ] || die "must run as root (it installs Debian packages and into PostgreSQL's directories)"
[ -x "$PG_CONFIG" ] || die "no $PG_CONFIG: install postgresql-server-dev-$PG_MAJOR first (scripts/deps.sh)"

want_version="${CITUS_TAG#v}"
pkglibdir="$("$PG_CONFIG" --pkglibdir)"
sharedir="$("$PG_CONFIG" --sharedir)"
if [ "${FORCE:-0}" != 1 ] && [ -f "$pkglibdir/citus.so" ] &&
	[ -f "$sharedir/extension/citus.control" ] &&
	grep -aq "Citus $want_version on " "$pkglibdir/citus.so"; then
	echo "build-citus.sh: Citus $want_version is already installed in $pkglibdir (FORCE=1 rebuilds)"
	exit 0
fi

# 1. Build dependencies (Debian 12): what Citus' configure asks for.
PACKAGES=(
	"postgresql-server-dev-$PG_MAJOR" make gcc autoconf flex bison
	libcurl4-openssl-dev liblz4-dev libzstd-dev libkrb5-dev libselinux1-dev
	libxslt1-dev libpam0g-dev libssl-dev
)
missing=()
for p in "${PACKAGES[@]}"; do
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)" = installed ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "build-citus.sh: apt-get install ${missing[*]}"
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# 2. The source tree.
if [ -f "$SRC_IN/configure" ] && [ -d "$SRC_IN/src/backend/distributed" ]; then
	SRC="$SRC_IN"
else
	git --git-dir="$SRC_IN" rev-parse --verify -q "$CITUS_TAG^{commit}" >/dev/null 2>&1 ||
		git --git-dir="$SRC_IN/.git" rev-parse --verify -q "$CITUS_TAG^{commit}" >/dev/null 2>&1 ||
		die "$SRC_IN is neither a Citus source tree nor a git directory with tag $CITUS_TAG"
	gitdir="$SRC_IN"; [ -d "$SRC_IN/.git" ] && gitdir="$SRC_IN/.git"
	SRC="${CITUS_BUILD_DIR:-/tmp/citus-build-$CITUS_TAG}"
	if [ ! -f "$SRC/configure" ]; then
		echo "build-citus.sh: extracting $CITUS_TAG into $SRC"
		mkdir -p "$SRC"
		git --git-dir="$gitdir" archive "$CITUS_TAG" | tar -x -C "$SRC"
	fi
fi

# 3. PostgreSQL 15.20 declares have_createdb_privilege() itself.
compat="$SRC/src/include/pg_version_compat.h"
server_hdr="$("$PG_CONFIG" --includedir-server)/commands/dbcommands.h"
if grep -qs 'have_createdb_privilege' "$server_hdr" &&
	grep -q '^have_createdb_privilege(void)' "$compat"; then
	echo "build-citus.sh: patching $compat: use the server's have_createdb_privilege()"
	# Drop the 'static inline bool' line and the function after it, up to its
	# closing brace, and include the header that declares the server's one.
	perl -0pi -e 's/static inline bool\nhave_createdb_privilege\(void\)\n\{.*?\n\}\n/#include "commands\/dbcommands.h" \/* PostgreSQL 15.20+ declares have_createdb_privilege() *\/\n/s' "$compat"
	grep -q '^have_createdb_privilege(void)' "$compat" && die "the patch of $compat did not apply"
fi

# 4. Configure, build, install.
cd "$SRC"
if [ ! -f config.status ] || ! grep -q "$PG_CONFIG" config.status; then
	./configure PG_CONFIG="$PG_CONFIG" >configure.log 2>&1 || { tail -n 30 configure.log; die "configure failed (see $SRC/configure.log)"; }
fi
make -j"$JOBS" -s
if [ -n "${INSTALL_LOCK:-}" ]; then
	flock "$INSTALL_LOCK" make -s install
else
	make -s install
fi
echo "build-citus.sh: installed Citus $want_version into $pkglibdir"
echo "build-citus.sh: test it with: pg_virtualenv -t -v $PG_MAJOR bash test/integration/citus.sh"
