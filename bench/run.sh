#!/usr/bin/env bash
# Builds Release into build/rel, starts a throwaway PostgreSQL 15 and Redis, migrates and loads
# the example data, starts querygate-server on a free port, runs querygate-bench, then stops and
# deletes everything it started. Every step is bounded in time.
#
# For the tenancy rows (tg_*) it also migrates bench/tenancy/tenant.json and
# bench/tenancy/plain.json into two more databases (as the owner, granting the runtime role
# qg_bench_app: LOGIN, no superuser, no BYPASSRLS, owns nothing), loads bench/tenancy/seed.sql
# into both, and starts one more querygate-server on each, both as qg_bench_app; the tenant one
# takes the caller's tenant from the metadata header x-querygate-tenant (auth.mode none).
#
# For the issue 11 rows (d_async, a_l1, a_shared, g_l1 and the probes mem, scan, lag, ack) the
# servers load bench/l1/queries.json beside the example schema (a copy of schemas/ in the state
# directory), and two more querygate-server start: instance B on the same database and Redis
# prefix as the main one (scan, lag, ack; its L1 budget QG_BENCH_SECOND_BUDGET_MB, default 4 MB,
# so that the scan overflows it) and a server of its own for mem (budget 64 MB, its own Redis
# prefix).
#
# For the issue 13 rows (v_hit, v_index, v_exact_pg, v_exact) it migrates
# bench/vector/vector.json into two more databases: one with pgvector's vector(128) and its
# HNSW index (when the PostgreSQL offers the extension; else there is no v_index or v_exact_pg
# row) and one with REAL[] (--vector-storage array: exact search by querygate's SQL distance
# functions). Both are loaded with bench/vector/seed.sql (the same 10,000 rows) and served by
# their own querygate-server.
#
# Usage: bench/run.sh [querygate-bench flags...]
#   e.g. bench/run.sh --repeat 3            (defaults: c=1,16,64, 3000 ms per cell)
#        bench/run.sh --scenarios a,d --concurrency 16
# Environment:
#   QG_BENCH_BUILD_DIR     build tree (default build/rel)
#   QG_BENCH_JSON          JSON report (default <build>/bench-results.json); the server's log
#                          goes beside it (bench-server.log)
#   QG_BENCH_TIMEOUT       seconds the bench may run before it is stopped (default 1800)
#   QG_BENCH_SKIP_BUILD=1  use the binaries already built
#   QG_BENCH_SERVER_PRELOAD  LD_PRELOAD for querygate-server only (e.g. an allocator)
#   QG_BENCH_TENANCY=0     skip the tenancy servers (and so the tg_* rows)
#   QG_BENCH_NODE=0        skip the Node cache-aside server (and so the a_node row)
#   QG_BENCH_L1=0          skip instance B and the mem server (and so the probes)
#   QG_BENCH_VECTOR=0      skip the vector servers (and so the v_* rows)
#   QG_BENCH_SECOND_BUDGET_MB  instance B's cache.l1.budget_mb (default 2)
#   QG_BENCH_MEM_KEYS      distinct keys of the mem probe (default 1000000)
#   QUERYGATE_* server settings (QUERYGATE_DB_MAX_CONNECTIONS, QUERYGATE_REDIS_POOL_SIZE, ...)
#   pass through to querygate-server. QUERYGATE_MAX_THREADS defaults to 256 here: with the
#   server's default of 64, c=64 gets RESOURCE_EXHAUSTED "Server Threadpool Exhausted".
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/common.sh"

ROOT=$(qg_repo_root)
BUILD_DIR=${QG_BENCH_BUILD_DIR:-$ROOT/build/rel}
JSON_OUT=${QG_BENCH_JSON:-$BUILD_DIR/bench-results.json}
BENCH_TIMEOUT=${QG_BENCH_TIMEOUT:-1800}
DB_NAME=qg_bench
STATE_DIR=
APP_ROLE=qg_bench_app
TENANT_HEADER=x-querygate-tenant
server_log=$(dirname "$JSON_OUT")/bench-server.log
server_pid=
# Every querygate-server started, for stop_servers.
server_pids=()

# Sends SIGTERM to querygate-server PID, waits up to 15 s for it to exit, then kills it, and
# reaps it. Polls with kill -0 rather than qg_wait_pid_gone, whose bare `return` misreports a
# reaped process as alive when called from a trap handler.
# shellcheck disable=SC2317  # invoked from the trap
stop_server() {
  local pid=$1 i
  [[ -n $pid ]] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 150; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    qg_warn "querygate-server $pid did not exit 15 s after SIGTERM; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

# shellcheck disable=SC2317  # invoked from the trap
stop_servers() {
  local pid
  for pid in "${server_pids[@]}"; do stop_server "$pid"; done
  server_pids=()
}

# Starts querygate-server with the environment assignments given as arguments (plus the bench's
# common settings), its stderr in LOG; waits until it listens and sets started_pid and
# started_port.
start_server() {
  local log=$1 i
  shift
  env "$@" QUERYGATE_LISTEN=127.0.0.1:0 \
    QUERYGATE_MAX_THREADS="${QUERYGATE_MAX_THREADS:-256}" \
    ${QG_BENCH_SERVER_PRELOAD:+LD_PRELOAD=$QG_BENCH_SERVER_PRELOAD} \
    "$BUILD_DIR/bin/querygate-server" 2>"$log" &
  started_pid=$!
  server_pids+=("$started_pid")
  started_port=
  for ((i = 0; i < 300; i++)); do
    # The log may not exist yet: the background job opens it.
    started_port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log" 2>/dev/null \
      | head -n 1) || started_port=
    [[ -z $started_port ]] || break
    qg_pid_alive "$started_pid" || { cat "$log" >&2; qg_die "querygate-server exited"; }
    sleep 0.1
  done
  [[ -n $started_port ]] || { cat "$log" >&2; qg_die "querygate-server did not start in 30 s"; }
  qg_log "querygate-server (pid $started_pid) listening on 127.0.0.1:$started_port (log: $log)"
}

# Stops the servers, then PostgreSQL and Redis, and deletes their data.
# shellcheck disable=SC2317  # invoked by trap
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_servers
  if [[ -n $STATE_DIR ]]; then
    qg_redis_stop "$STATE_DIR" || rc=1
    qg_pg_destroy "$STATE_DIR" || rc=1
    rm -rf -- "$STATE_DIR"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ ${QG_BENCH_SKIP_BUILD:-0} != 1 ]]; then
  grep -q '^add_subdirectory(bench)' "$ROOT/CMakeLists.txt" \
    || qg_die "CMakeLists.txt does not add_subdirectory(bench); querygate-bench cannot be built"
  qg_log "building Release into $BUILD_DIR"
  timeout 300 cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release \
    -DQUERYGATE_BUILD_TESTS=OFF >&2
  timeout 1800 cmake --build "$BUILD_DIR" -j2 --target querygate-server querygate querygate-bench querygate-lag >&2
fi
for bin in querygate-server querygate querygate-bench querygate-lag; do
  [[ -x $BUILD_DIR/bin/$bin ]] || qg_die "$BUILD_DIR/bin/$bin is missing"
done

mkdir -p -- "$(dirname "$JSON_OUT")"
STATE_DIR=$(mktemp -d /tmp/querygate-bench.XXXXXX)
pg_port=$(qg_pg_start "$STATE_DIR" test) || qg_die "could not start PostgreSQL"
redis_port=$(qg_redis_start "$STATE_DIR") || qg_die "could not start Redis"
qg_pg_ensure_db "$pg_port" "$DB_NAME" || qg_die "could not create database $DB_NAME"
database_url=$(qg_pg_url "$pg_port" "$DB_NAME")
redis_url=$(qg_redis_url "$redis_port")

qg_log "migrating and loading the example data"
QUERYGATE_DATABASE_URL=$database_url QUERYGATE_SCHEMA_DIR=$ROOT/schemas \
  timeout 120 "$BUILD_DIR/bin/querygate" migrate up >/dev/null
PGOPTIONS="-c statement_timeout=120s" qg_psql "$pg_port" "$DB_NAME" -v ON_ERROR_STOP=1 -q \
  -f "$ROOT/schemas/seed/example_data.sql" </dev/null >/dev/null
PGOPTIONS="-c statement_timeout=120s" qg_psql "$pg_port" "$DB_NAME" -q -c "VACUUM ANALYZE" \
  </dev/null

# The example schema plus the bench's own named queries (bench/l1/queries.json).
bench_schema=$STATE_DIR/schema-main
cp -R -- "$ROOT/schemas" "$bench_schema"
cp -- "$ROOT/bench/l1/queries.json" "$bench_schema/bench_l1.json"
key_prefix=${QUERYGATE_REDIS_KEY_PREFIX:-qgbench:}
start_server "$server_log" QUERYGATE_DATABASE_URL="$database_url" \
  QUERYGATE_REDIS_URL="$redis_url" QUERYGATE_SCHEMA_DIR="$bench_schema" \
  QUERYGATE_REDIS_KEY_PREFIX="$key_prefix"
server_pid=$started_pid
server_port=$started_port

# Issue 11: instance B (same database and Redis prefix) and the mem probe's own server.
l1_flags=()
if [[ ${QG_BENCH_L1:-1} == 1 ]]; then
  second_budget=${QG_BENCH_SECOND_BUDGET_MB:-2}
  start_server "$(dirname "$JSON_OUT")/bench-server-b.log" QUERYGATE_DATABASE_URL="$database_url" \
    QUERYGATE_REDIS_URL="$redis_url" QUERYGATE_SCHEMA_DIR="$bench_schema" \
    QUERYGATE_REDIS_KEY_PREFIX="$key_prefix" QUERYGATE_CACHE_L1_BUDGET_MB="$second_budget"
  l1_flags+=(--second-target "127.0.0.1:$started_port" --second-server-pid "$started_pid"
    --scan-budget-mb "$second_budget" --server-key-prefix "$key_prefix")
  start_server "$(dirname "$JSON_OUT")/bench-server-mem.log" \
    QUERYGATE_DATABASE_URL="$database_url" QUERYGATE_REDIS_URL="$redis_url" \
    QUERYGATE_SCHEMA_DIR="$bench_schema" QUERYGATE_REDIS_KEY_PREFIX="qgbench-mem:" \
    QUERYGATE_CACHE_L1_BUDGET_MB=64
  l1_flags+=(--mem-target "127.0.0.1:$started_port" --mem-server-pid "$started_pid"
    --mem-budget-mb 64 --mem-keys "${QG_BENCH_MEM_KEYS:-1000000}")
fi

# The a_node row: the seed's cache-aside pattern in Node (bench/node), its packages installed
# with npm ci into the build tree, on the same database and Redis.
node_flags=()
if [[ ${QG_BENCH_NODE:-1} == 1 ]] && command -v node >/dev/null && command -v npm >/dev/null; then
  node_dir=$BUILD_DIR/bench-node
  mkdir -p -- "$node_dir"
  cp -- "$ROOT/bench/node/package.json" "$ROOT/bench/node/package-lock.json" \
    "$ROOT/bench/node/cache_aside.js" "$node_dir/"
  if [[ ! -d $node_dir/node_modules ]]; then
    (cd "$node_dir" && timeout 300 npm ci --no-audit --no-fund >&2) || qg_die "npm ci failed"
  fi
  node_log=$(dirname "$JSON_OUT")/bench-node.log
  QG_NODE_PG_URL=$database_url QG_NODE_REDIS_URL=$redis_url QG_NODE_PROTO_DIR=$ROOT/proto \
    node "$node_dir/cache_aside.js" >"$node_log" 2>&1 &
  node_pid=$!
  server_pids+=("$node_pid")
  node_port=
  for ((i = 0; i < 300; i++)); do
    node_port=$(sed -n 's/^listening \([0-9]*\)$/\1/p' "$node_log" 2>/dev/null | head -n 1) \
      || node_port=
    [[ -z $node_port ]] || break
    qg_pid_alive "$node_pid" || { cat "$node_log" >&2; qg_die "the Node server exited"; }
    sleep 0.1
  done
  [[ -n $node_port ]] || qg_die "the Node server did not start in 30 s"
  qg_log "Node cache-aside (pid $node_pid) listening on 127.0.0.1:$node_port"
  node_flags+=(--node-target "127.0.0.1:$node_port")
else
  qg_log "Node or npm missing (or QG_BENCH_NODE=0): no a_node row"
fi

# The tenancy rows: the same schema with and without tenancy, each migrated as the owner
# (postgres) into its own database and served by its own querygate-server as the runtime role.
tenancy_flags=()
if [[ ${QG_BENCH_TENANCY:-1} == 1 ]]; then
  qg_psql "$pg_port" postgres -v ON_ERROR_STOP=1 -q </dev/null \
    -c "CREATE ROLE $APP_ROLE LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE" \
    || qg_die "could not create the role $APP_ROLE"
  for variant in tenant plain; do
    db=qg_bench_$variant
    schema_dir=$STATE_DIR/schema-$variant
    mkdir -p -- "$schema_dir"
    cp -- "$ROOT/bench/tenancy/$variant.json" "$schema_dir/schema.json"
    qg_pg_ensure_db "$pg_port" "$db" || qg_die "could not create database $db"
    owner_url=$(qg_pg_url "$pg_port" "$db")
    qg_log "migrating bench/tenancy/$variant.json into $db"
    QUERYGATE_DATABASE_URL=$owner_url QUERYGATE_SCHEMA_DIR=$schema_dir \
      timeout 120 "$BUILD_DIR/bin/querygate" migrate new init \
      --migrations-dir "$schema_dir/migrations" >/dev/null
    QUERYGATE_DATABASE_URL=$owner_url QUERYGATE_SCHEMA_DIR=$schema_dir \
      timeout 120 "$BUILD_DIR/bin/querygate" migrate up \
      --migrations-dir "$schema_dir/migrations" --grant-to "$APP_ROLE" >/dev/null
    PGOPTIONS="-c statement_timeout=120s" qg_psql "$pg_port" "$db" -v ON_ERROR_STOP=1 -q \
      -f "$ROOT/bench/tenancy/seed.sql" </dev/null >/dev/null
    PGOPTIONS="-c statement_timeout=120s" qg_psql "$pg_port" "$db" -q -c "VACUUM ANALYZE" \
      </dev/null
    header=()
    [[ $variant == plain ]] || header=(QUERYGATE_TENANCY_HEADER="$TENANT_HEADER")
    start_server "$(dirname "$JSON_OUT")/bench-server-$variant.log" \
      QUERYGATE_DATABASE_URL="postgresql://$APP_ROLE@127.0.0.1:$pg_port/$db" \
      QUERYGATE_REDIS_URL="$redis_url" QUERYGATE_SCHEMA_DIR="$schema_dir" \
      QUERYGATE_REDIS_KEY_PREFIX="qgbench-$variant:" "${header[@]}"
    tenancy_flags+=("--$variant-target" "127.0.0.1:$started_port"
      "--$variant-server-pid" "$started_pid")
  done
  tenancy_flags+=(--tenant-header "$TENANT_HEADER")
fi

# The vector rows: the same model and data stored as REAL[] and, with pgvector, as vector(128)
# with its HNSW index, each database served by its own querygate-server.
vector_flags=()
if [[ ${QG_BENCH_VECTOR:-1} == 1 ]]; then
  storages=(array)
  if [[ -n $(qg_psql "$pg_port" postgres -tAc \
    "SELECT 1 FROM pg_available_extensions WHERE name = 'vector'" </dev/null) ]]; then
    storages+=(pgvector)
  else
    qg_log "pgvector is not available: no v_index row"
  fi
  for storage in "${storages[@]}"; do
    db=qg_bench_vector_$storage
    schema_dir=$STATE_DIR/schema-vector-$storage
    mkdir -p -- "$schema_dir"
    cp -- "$ROOT/bench/vector/vector.json" "$schema_dir/vector.json"
    qg_pg_ensure_db "$pg_port" "$db" || qg_die "could not create database $db"
    vector_url=$(qg_pg_url "$pg_port" "$db")
    qg_log "migrating bench/vector/vector.json into $db (--vector-storage $storage)"
    for step in "new init" up; do
      # shellcheck disable=SC2086  # "new init" is two words
      QUERYGATE_DATABASE_URL=$vector_url QUERYGATE_SCHEMA_DIR=$schema_dir \
        timeout 120 "$BUILD_DIR/bin/querygate" migrate $step \
        --migrations-dir "$schema_dir/migrations" --vector-storage "$storage" >/dev/null \
        2> >(grep -v 'vector index on bench_doc.embedding is not built' >&2)
    done
    # The HNSW index is dropped for the load and built again after it: a bulk build is much
    # faster than 10,000 inserts into the graph.
    index_def=$(qg_psql "$pg_port" "$db" -tAc "SELECT pg_get_indexdef(indexrelid) FROM pg_index
      WHERE indrelid = 'bench_docs'::regclass AND NOT indisprimary" </dev/null)
    [[ -z $index_def ]] || qg_psql "$pg_port" "$db" -q -c "DROP INDEX bench_docs_embedding_hnsw" \
      </dev/null
    PGOPTIONS="-c statement_timeout=300s" qg_psql "$pg_port" "$db" -v ON_ERROR_STOP=1 -q \
      -f "$ROOT/bench/vector/seed.sql" </dev/null >/dev/null
    [[ -z $index_def ]] || PGOPTIONS="-c statement_timeout=300s" qg_psql "$pg_port" "$db" \
      -v ON_ERROR_STOP=1 -q -c "$index_def" </dev/null
    PGOPTIONS="-c statement_timeout=120s" qg_psql "$pg_port" "$db" -q -c "VACUUM ANALYZE" \
      </dev/null
    start_server "$(dirname "$JSON_OUT")/bench-server-vector-$storage.log" \
      QUERYGATE_DATABASE_URL="$vector_url" QUERYGATE_REDIS_URL="$redis_url" \
      QUERYGATE_SCHEMA_DIR="$schema_dir" QUERYGATE_REDIS_KEY_PREFIX="qgbench-vector-$storage:"
    if [[ $storage == pgvector ]]; then
      vector_flags+=(--vector-target "127.0.0.1:$started_port")
    else
      vector_flags+=(--vector-exact-target "127.0.0.1:$started_port")
    fi
  done
fi

pg_pid=$(qg_pg_running_pid "$(readlink -f -- "$STATE_DIR/postgres")/data") || pg_pid=
redis_pid=$(cat "$STATE_DIR/redis/redis.pid" 2>/dev/null || true)

bench_rc=0
timeout --signal=TERM --kill-after=10 "$BENCH_TIMEOUT" "$BUILD_DIR/bin/querygate-bench" \
  --target "127.0.0.1:$server_port" --database-url "$database_url" --redis-url "$redis_url" \
  --server-pid "$server_pid" ${pg_pid:+--postgres-pid "$pg_pid"} \
  ${redis_pid:+--redis-pid "$redis_pid"} --json-out "$JSON_OUT" "${tenancy_flags[@]}" \
  "${l1_flags[@]}" "${node_flags[@]}" "${vector_flags[@]}" "$@" \
  || bench_rc=$?
[[ $bench_rc -ne 0 ]] || qg_log "JSON report: $JSON_OUT"
# Invalidation lag (QG_BENCH_LAG_ITERATIONS=0 skips it): COMMIT or PUBLISH -> first MISS.
lag_iterations=${QG_BENCH_LAG_ITERATIONS:-200}
if [[ $lag_iterations -gt 0 ]]; then
  qg_log "invalidation lag, $lag_iterations iterations"
  timeout --signal=TERM --kill-after=10 300 "$BUILD_DIR/bin/querygate-lag" \
    --target "127.0.0.1:$server_port" --database-url "$database_url" \
    --redis-host 127.0.0.1 --redis-port "${redis_url##*:}" \
    --iterations "$lag_iterations" || bench_rc=$?
fi
for log in "$server_log" "$(dirname "$JSON_OUT")"/bench-server-{tenant,plain,b,mem,vector-array,vector-pgvector}.log; do
  [[ -f $log ]] || continue
  if grep -qiE 'error|fail' "$log"; then
    qg_warn "querygate-server logged problems ($log); last lines:"
    tail -n 5 "$log" >&2
  fi
done
exit "$bench_rc"
