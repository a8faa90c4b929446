# shellcheck shell=bash
# citus_cluster.sh - throwaway PostgreSQL clusters on 127.0.0.1 for Citus
# (a coordinator, workers, a single node beside them), sourced from the
# repository's root:  . test/integration/lib/citus_cluster.sh
# Used by bench/citus_bench.sh; what test/integration/citus.sh does in its
# step 1 and the first part of step 2, as functions.
#
#   cluster_init              a temporary directory, $CLUSTER_WORK (owned by
#                             postgres when run as root: the clusters are
#                             postgres's then; $CLUSTER_AS runs a command so)
#   cluster_start NAME PRELOAD [SETTING...]
#                             initdb (UTF8, locale C, trust) and start a
#                             cluster on a free port, $PORT[NAME], listening
#                             on 127.0.0.1 only, shared_preload_libraries =
#                             PRELOAD, each SETTING ("name = value") added
#                             to postgresql.conf; prints its log and returns
#                             1 when it does not start
#   cluster_cleanup           stop every cluster started (immediate) and
#                             remove $CLUSTER_WORK; with CITUS_KEEP set,
#                             keep them and say where (for a trap on EXIT)
#   citus_join COORD WORKER...
#                             CREATE EXTENSION citus on each, the
#                             coordinator in the metadata, the workers added
#   cq NODE ARGS...           psql as postgres on a node: unaligned, tuples
#                             only, ON_ERROR_STOP
# Needs BIN (the server's bin directory).
declare -A PORT
CLUSTER_NODES=()
CLUSTER_AS=()
CLUSTER_WORK=""

cluster_init() {
	CLUSTER_WORK="$(mktemp -d -t pjeval-citus.XXXXXX)"
	chmod 755 "$CLUSTER_WORK"
	if [ "$(id -u)" = 0 ]; then
		CLUSTER_AS=(runuser -u postgres --)
		chown postgres "$CLUSTER_WORK"
	fi
	CLUSTER_NEXT_PORT=$((20000 + ($$ % 20000)))
}

# A port nothing listens on, from a start that differs per run.
cluster_free_port() {
	local p=$1
	while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || [ -e "/tmp/.s.PGSQL.$p" ]; do
		p=$((p + 1))
	done
	echo "$p"
}

cluster_start() {
	local n=$1 preload=$2 s
	shift 2
	PORT[$n]="$(cluster_free_port "$CLUSTER_NEXT_PORT")"
	CLUSTER_NEXT_PORT=$((PORT[$n] + 1))
	if ! "${CLUSTER_AS[@]}" "$BIN/initdb" -D "$CLUSTER_WORK/$n" -U postgres -E UTF8 --locale=C -A trust >"$CLUSTER_WORK/$n.initdb.log" 2>&1; then
		cat "$CLUSTER_WORK/$n.initdb.log"
		return 1
	fi
	{
		echo "port = ${PORT[$n]}"
		echo "listen_addresses = '127.0.0.1'"
		echo "unix_socket_directories = '$CLUSTER_WORK'"
		echo "shared_preload_libraries = '$preload'"
		for s in "$@"; do echo "$s"; done
	} >>"$CLUSTER_WORK/$n/postgresql.conf"
	CLUSTER_NODES+=("$n")
	if ! "${CLUSTER_AS[@]}" "$BIN/pg_ctl" -D "$CLUSTER_WORK/$n" -l "$CLUSTER_WORK/$n.log" -w -t 60 start >/dev/null; then
		cat "$CLUSTER_WORK/$n.log"
		return 1
	fi
}

cluster_cleanup() {
	local n
	[ -n "$CLUSTER_WORK" ] || return 0
	if [ -n "${CITUS_KEEP:-}" ]; then
		echo "kept: $CLUSTER_WORK (ports ${PORT[*]})"
		return 0
	fi
	for n in "${CLUSTER_NODES[@]}"; do
		[ -f "$CLUSTER_WORK/$n/postmaster.pid" ] && "${CLUSTER_AS[@]}" "$BIN/pg_ctl" -D "$CLUSTER_WORK/$n" -m immediate stop >/dev/null 2>&1
	done
	rm -rf "$CLUSTER_WORK"
}

cq() {
	local n=$1
	shift
	psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "${PORT[$n]}" -U postgres -d postgres "$@"
}

citus_join() {
	local coord=$1 n
	shift
	for n in "$coord" "$@"; do
		cq "$n" -c 'CREATE EXTENSION citus' || return 1
	done
	cq "$coord" -c "SELECT citus_set_coordinator_host('127.0.0.1', ${PORT[$coord]})" >/dev/null || return 1
	for n in "$@"; do
		cq "$coord" -c "SELECT citus_add_node('127.0.0.1', ${PORT[$n]})" >/dev/null || return 1
	done
}
