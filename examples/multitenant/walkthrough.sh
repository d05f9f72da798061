#!/usr/bin/env bash
# Multi-tenant walkthrough: two tenants, one querygate server, the CLI with a token per tenant.
# It migrates examples/multitenant/schema into a fresh database as the owner (granting the
# runtime role), loads seed.sql, starts querygate-server as the runtime role with
# examples/multitenant/querygate.json, and shows with `querygate --token ...` that each
# tenant sees and writes only its own rows, that a call without a tenant is refused, and that
# the server refuses to run as a role that bypasses row-level security. Every step checks its
# answer; the script exits 1 when any expectation fails.
#
# Usage: examples/multitenant/walkthrough.sh [--serve] [--test]
#   (default)  uses the local servers of scripts/servers (started when not running, and then
#              stopped at the end), database "querygate_mt" (dropped and re-created) and the
#              role "querygate_app"
#   --serve    after the checks, keep the server running in the foreground (Ctrl-C stops it)
#   --test     for CTest: uses QUERYGATE_TEST_PG_URL (a superuser) and QUERYGATE_TEST_REDIS_URL,
#              with a database, role, Redis key prefix and channel of its own, all removed at
#              the end. Exit 77 (skipped) when they are unset, unless QUERYGATE_TEST_REQUIRE_SERVERS=1.
# Binaries: $QUERYGATE_BIN_DIR, else build/bin (cmake --build build --target querygate-server
# querygate). Run from anywhere; paths are relative to the repository root.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
ROOT=$(cd "$HERE/../.." && pwd -P)
# shellcheck source=scripts/lib/common.sh
source "$ROOT/scripts/lib/common.sh"

mode=local
serve=0
for arg in "$@"; do
  case $arg in
    --test) mode='test' ;;
    --serve) serve=1 ;;
    -h | --help)
      qg_usage "${BASH_SOURCE[0]}"
      exit 0
      ;;
    *) qg_die "unknown argument: $arg (usage: walkthrough.sh [--serve] [--test])" ;;
  esac
done

ACME=11111111-1111-4111-8111-111111111111
GLOBEX=22222222-2222-4222-8222-222222222222

# Settings read below; every other QUERYGATE_* variable is cleared so that an
# `eval "$(scripts/servers env)"` or an exported QUERYGATE_TOKEN cannot change what runs.
bin_dir=${QUERYGATE_BIN_DIR:-$ROOT/build/bin}
test_pg_url=${QUERYGATE_TEST_PG_URL:-}
test_redis_url=${QUERYGATE_TEST_REDIS_URL:-}
require_servers=${QUERYGATE_TEST_REQUIRE_SERVERS:-0}
state_dir=${QUERYGATE_STATE_DIR:-$ROOT/.querygate}
while read -r name; do
  unset "$name"
done < <(compgen -e | grep '^QUERYGATE_' || true)

SERVER=$bin_dir/querygate-server
CLI=$bin_dir/querygate
PSQL=$QG_PG_BIN/psql
CONFIG=$HERE/querygate.json
SCHEMA_DIR=$HERE/schema
cd "$ROOT"

work=$(mktemp -d "${TMPDIR:-/tmp}/qg-walkthrough.XXXXXX")
server_pid=
started_servers=0
db_created=0
role_created=0
failures=0

# ---------------------------------------------------------------------------------------------
# Output and expectations

say() { printf '%s\n' "$*"; }
step() { printf '\n=== %s\n' "$*"; }

# Records a failed expectation (the run goes on, and exits 1 at the end).
fail() {
  printf '  FAILED: %s\n' "$*"
  failures=$((failures + 1))
}

# Runs a command, keeping its combined output in $out and its status in $rc, and prints both.
# DISPLAY is what is shown as the command line.
run_shown() {
  local display=$1
  shift
  printf '$ %s\n' "$display"
  rc=0
  out=$("$@" 2>&1) || rc=$?
  [[ -z $out ]] || printf '%s\n' "$out" | sed 's/^/  /'
}

# `cli AS ARGS...` runs the CLI against the walkthrough's server as AS: acme, globex, notenant
# (a valid token without a tenant), forged (a token for globex signed with the wrong secret) or
# anonymous (no token).
cli() {
  local as=$1 token_var token
  shift
  case $as in
    acme) token_var=TOKEN_ACME ;;
    globex) token_var=TOKEN_GLOBEX ;;
    notenant) token_var=TOKEN_NO_TENANT ;;
    forged) token_var=TOKEN_FORGED ;;
    anonymous) token_var= ;;
    *) qg_die "cli: unknown caller $as" ;;
  esac
  if [[ -n $token_var ]]; then
    token=${!token_var}
    run_shown "querygate --token \$$token_var $*" "$CLI" --target "$target" --token "$token" "$@"
  else
    run_shown "querygate $*" "$CLI" --target "$target" "$@"
  fi
}

expect_ok() { [[ $rc == 0 ]] || fail "expected success, got exit status $rc"; }

# Expects the CLI's failure with gRPC status CODE ("error: CODE: ...").
expect_code() {
  if [[ $rc == 0 ]]; then
    fail "expected $1, but the call succeeded"
  elif [[ $out != *"error: $1"* ]]; then
    fail "expected error $1 (exit status $rc)"
  fi
}

expect_has() { [[ $out == *"$1"* ]] || fail "expected the output to contain \"$1\""; }
expect_lacks() { [[ $out != *"$1"* ]] || fail "the output must not contain \"$1\""; }

# Prints the value of FIELD from the CLI's "FIELD VALUE" record output in $out.
field_of() { printf '%s\n' "$out" | awk -v f="$1" '$1 == f { print $2; exit }'; }

# ---------------------------------------------------------------------------------------------
# Databases

# Splits a postgres URL into url_userinfo ("user[:password]@" or ""), url_hostport and
# url_query ("?..." or "").
split_pg_url() {
  local re='^(postgres|postgresql)://([^@/]*@)?([^/?]*)(/[^?]*)?(\?.*)?$'
  [[ $1 =~ $re ]] || return 1
  url_userinfo=${BASH_REMATCH[2]}
  url_hostport=${BASH_REMATCH[3]}
  url_query=${BASH_REMATCH[5]}
}

owner_url() { printf 'postgresql://%s%s/%s%s\n' "$url_userinfo" "$url_hostport" "$1" "$url_query"; }
app_url() { printf 'postgresql://%s@%s/%s%s\n' "$app_role" "$url_hostport" "$1" "$url_query"; }

# Runs psql as the owner (a superuser) on database DB.
owner_psql() {
  local db=$1
  shift
  PGCONNECT_TIMEOUT=10 PGOPTIONS='-c client_min_messages=warning' \
    "$PSQL" -X -q -v ON_ERROR_STOP=1 "$(owner_url "$db")" "$@" </dev/null
}

# Stops the server, removes what --test created, stops servers this script started.
# shellcheck disable=SC2317  # invoked by trap
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [[ -n $server_pid ]] && qg_pid_alive "$server_pid"; then
    kill -TERM "$server_pid" 2>/dev/null || true
    if ! qg_wait_pid_gone "$server_pid" 20; then
      qg_warn "querygate-server did not exit; killing it"
      kill -KILL "$server_pid" 2>/dev/null || true
    fi
    wait "$server_pid" 2>/dev/null || true
  fi
  if [[ $mode == test ]]; then
    if [[ $db_created == 1 ]]; then
      owner_psql postgres -c "DROP DATABASE IF EXISTS \"$db_name\" WITH (FORCE)" || status=1
    fi
    if [[ $role_created == 1 ]]; then
      owner_psql postgres -c "DROP ROLE IF EXISTS \"$app_role\"" || status=1
    fi
  fi
  if [[ $started_servers == 1 ]]; then
    qg_redis_stop "$state_dir" || true
    qg_pg_stop "$state_dir" || true
  fi
  if [[ $status != 0 && -f $work/server.log ]]; then
    qg_log "last lines of the server log:"
    tail -n 30 "$work/server.log" >&2 || true
  fi
  rm -rf -- "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[[ -x $SERVER && -x $CLI ]] || qg_die "$SERVER or $CLI is missing: build them first
  (cmake -S . -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build -j2 --target querygate-server querygate)"

# ---------------------------------------------------------------------------------------------
step "Servers, database and roles"

if [[ $mode == test ]]; then
  if [[ -z $test_pg_url || -z $test_redis_url ]]; then
    [[ $require_servers == 1 ]] \
      && qg_die "QUERYGATE_TEST_PG_URL and QUERYGATE_TEST_REDIS_URL must be set"
    say "QUERYGATE_TEST_PG_URL / QUERYGATE_TEST_REDIS_URL unset: skipped"
    exit 77
  fi
  admin_url=$test_pg_url
  redis_url=$test_redis_url
  suffix=$$_$RANDOM
  db_name=querygate_mt_$suffix
  app_role=qg_mt_app_$suffix
  key_prefix=qgmt_$suffix
  channel=querygate-mt-$suffix:invalidate
else
  if ! qg_pg_port "$state_dir" >/dev/null 2>&1 || ! qg_redis_port "$state_dir" >/dev/null 2>&1; then
    started_servers=1
  fi
  # Idempotent: reuses running servers and creates the role querygate_app when missing.
  "$ROOT/scripts/servers" start "$state_dir" >/dev/null
  pg_port=$(qg_pg_port "$state_dir") || qg_die "PostgreSQL is not running in $state_dir"
  redis_port=$(qg_redis_port "$state_dir") || qg_die "Redis is not running in $state_dir"
  admin_url=$(qg_pg_url "$pg_port" postgres)
  redis_url=$(qg_redis_url "$redis_port")
  db_name=querygate_mt
  app_role=$QG_APP_ROLE
  key_prefix=qgmt
  channel=querygate-mt:invalidate
fi
split_pg_url "$admin_url" || qg_die "cannot parse the PostgreSQL URL $admin_url"

if [[ $mode == test ]]; then
  owner_psql postgres -c "CREATE ROLE \"$app_role\" LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE"
  role_created=1
fi
owner_psql postgres -c "DROP DATABASE IF EXISTS \"$db_name\" WITH (FORCE)"
owner_psql postgres -c "CREATE DATABASE \"$db_name\""
db_created=1
owner_psql postgres -At -F ' ' -c "SELECT rolname, rolsuper, rolbypassrls FROM pg_roles
  WHERE rolname IN ('$app_role', current_user) ORDER BY rolsuper" >"$work/roles"
say "database $db_name; the server's role and the owner (name, superuser, bypassrls):"
sed 's/^/  /' "$work/roles"
grep -qx "$app_role f f" "$work/roles" || fail "role $app_role must be neither superuser nor BYPASSRLS"

step "Migrate as the owner, granting the runtime role; load the seed as the owner"
run_shown "querygate --database-url \$OWNER_URL --schema-dir examples/multitenant/schema migrate up --grant-to $app_role" \
  "$CLI" --database-url "$(owner_url "$db_name")" --schema-dir "$SCHEMA_DIR" migrate up \
  --grant-to "$app_role"
expect_ok
[[ $rc == 0 ]] || qg_die "migration failed"
run_shown "psql \$OWNER_URL -f examples/multitenant/seed.sql" \
  owner_psql "$db_name" -o /dev/null -f "$HERE/seed.sql"
expect_ok
[[ $rc == 0 ]] || qg_die "loading the seed failed"

# ---------------------------------------------------------------------------------------------
step "Row-level security in the database itself, as $app_role"
app_psql() {
  PGCONNECT_TIMEOUT=10 "$PSQL" -X -q -At -v ON_ERROR_STOP=1 "$(app_url "$db_name")" "$@" </dev/null
}
run_shown "psql \$APP_URL -c 'SELECT name FROM projects'   # no tenant set" \
  app_psql -c "SELECT name FROM projects"
[[ $rc != 0 ]] || fail "a read without a tenant must fail"
expect_has "no tenant is set"
run_shown "psql \$APP_URL   # BEGIN; set_config('querygate.tenant', '$ACME', true); SELECT ..." \
  app_psql -c "BEGIN" -c "SELECT set_config('querygate.tenant', '$ACME', true) IS NOT NULL" \
  -c "SELECT name FROM projects ORDER BY id" -c "COMMIT"
expect_ok
expect_has "Rocket sled"
expect_lacks "Hammock factory"

# ---------------------------------------------------------------------------------------------
step "The server refuses a role that bypasses row-level security (here the owner, a superuser)"
server_env=(
  QUERYGATE_REDIS_URL="$redis_url"
  QUERYGATE_SCHEMA_DIR="$SCHEMA_DIR"
  QUERYGATE_LISTEN=127.0.0.1:0
  QUERYGATE_REDIS_KEY_PREFIX="$key_prefix"
  QUERYGATE_INVALIDATION_CHANNEL="$channel"
  QUERYGATE_JWT_HS256_SECRET_FILE="$ROOT/config/dev-auth/hs256.secret"
  QUERYGATE_PAGE_TOKEN_SECRET_FILE="$ROOT/config/dev-auth/page-token.secret"
)
# Starts querygate-server connected with database URL URL, its output in LOG, and waits until
# it listens (returns 0; sets server_pid and target) or exits (returns 1; sets server_rc).
start_server() {
  local url=$1 log=$2 line i
  target=
  server_rc=
  env "${server_env[@]}" QUERYGATE_DATABASE_URL="$url" "$SERVER" --config "$CONFIG" >"$log" 2>&1 &
  server_pid=$!
  for ((i = 0; i < 1200; i++)); do
    line=$(grep -m 1 -o 'listening on [0-9.]*:[0-9]*' "$log" || true)
    if [[ -n $line ]]; then
      target=${line#listening on }
      return 0
    fi
    if ! qg_pid_alive "$server_pid"; then
      server_rc=0
      wait "$server_pid" || server_rc=$?
      server_pid=
      return 1
    fi
    sleep 0.1
  done
  return 1
}

# Stops the server started by start_server (TERM, then KILL after 20 s).
stop_server() {
  [[ -n $server_pid ]] || return 0
  kill -TERM "$server_pid" 2>/dev/null || true
  qg_wait_pid_gone "$server_pid" 20 || kill -KILL "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=
}

say "\$ QUERYGATE_DATABASE_URL=\$OWNER_URL querygate-server --config examples/multitenant/querygate.json"
if start_server "$(owner_url "$db_name")" "$work/refused.log"; then
  fail "querygate-server started as a superuser (on $target)"
fi
stop_server
out=$(cat "$work/refused.log")
printf '%s\n' "$out" | sed 's/^/  /'
[[ -n $server_rc && $server_rc != 0 ]] || fail "querygate-server must exit with an error"
expect_has "superuser"

step "Start querygate-server as $app_role"
say "\$ QUERYGATE_DATABASE_URL=\$APP_URL querygate-server --config examples/multitenant/querygate.json &"
start_server "$(app_url "$db_name")" "$work/server.log" || qg_die "querygate-server did not start"
say "  listening on $target"

# shellcheck disable=SC2034  # read through ${!token_var} in cli()
TOKEN_ACME=$("$ROOT/scripts/dev-token" reader,writer alice "$ACME")
# shellcheck disable=SC2034
TOKEN_GLOBEX=$("$ROOT/scripts/dev-token" reader,writer bob "$GLOBEX")
# shellcheck disable=SC2034
TOKEN_NO_TENANT=$("$ROOT/scripts/dev-token" reader ops)
printf 'not-the-development-secret' >"$work/wrong.secret"
# shellcheck disable=SC2034
TOKEN_FORGED=$(QUERYGATE_DEV_SECRET_FILE=$work/wrong.secret "$ROOT/scripts/dev-token" \
  reader,writer mallory "$GLOBEX")
say "tokens (DEVELOPMENT ONLY keys, config/dev-auth/):"
say "  TOKEN_ACME=\$(scripts/dev-token reader,writer alice $ACME)"
say "  TOKEN_GLOBEX=\$(scripts/dev-token reader,writer bob $GLOBEX)"
say "  TOKEN_NO_TENANT=\$(scripts/dev-token reader ops)"
say "  TOKEN_FORGED: globex's claims signed with another secret"

# ---------------------------------------------------------------------------------------------
step "Each tenant lists only its own projects"
cli acme list project --cache-mode bypass
expect_ok
expect_has "Rocket sled"
expect_has "Anvil delivery"
expect_lacks "Hammock factory"
cli globex list project --cache-mode bypass
expect_ok
expect_has "Hammock factory"
expect_lacks "Rocket sled"
cli acme get organization "$ACME"
expect_ok
expect_has "Acme Corporation"
cli acme get organization "$GLOBEX"
expect_code NOT_FOUND

step "Named queries run under row-level security and are cached per tenant"
say "(querygate.json warms project_summary for both tenants at startup)"
cli acme queries
expect_ok
expect_has "scoped"
cli acme query project_summary
expect_ok
expect_has "Rocket sled"
expect_lacks "Hammock factory"
cli acme query project_summary
expect_ok
expect_has "Rocket sled"
cli globex query project_summary
expect_ok
expect_has "Hammock factory"
expect_lacks "Rocket sled"
say "The same e-mail exists in both organizations; same query, same parameters, two answers,"
say "and two cache entries: the second round is served from the cache, each tenant its own."
for round in 1 2; do
  cli acme query tasks_for_member --param email=carol@shared.example
  expect_ok
  expect_has "Paint the sled"
  expect_lacks "Weave hammocks"
  [[ $round == 1 ]] || expect_has "cache HIT"
  cli globex query tasks_for_member --param email=carol@shared.example
  expect_ok
  expect_has "Weave hammocks"
  expect_lacks "Paint the sled"
  [[ $round == 1 ]] || expect_has "cache HIT"
done

step "Global data is shared: plans need no tenant"
cli notenant query plan_catalog
expect_ok
expect_has "team"
cli globex list plan
expect_ok
expect_has "free"

step "Acme creates a task for its Carol; the tenant column is filled from the caller's token"
title="Walkthrough task $$-$RANDOM"
cli acme create task --set project_id=1 --set assignee_id=2 --set "title=$title"
expect_ok
expect_has "$ACME"
task_id=$(field_of id)
[[ $task_id =~ ^[0-9]+$ ]] || fail "no id in the created task"
say "The write invalidated Acme's entries only: Acme reads the new task, Globex keeps its hit."
cli acme query tasks_for_member --param email=carol@shared.example
expect_ok
expect_has "$title"
expect_lacks "cache HIT"
cli globex query tasks_for_member --param email=carol@shared.example
expect_ok
expect_lacks "$title"
expect_has "cache HIT"

step "Globex cannot see, change or claim Acme's rows"
cli globex get task "${task_id:-0}"
expect_code NOT_FOUND
cli globex list task
expect_ok
expect_lacks "$title"
expect_lacks "Paint the sled"
cli globex update task "${task_id:-0}" --set "title=taken over"
expect_code NOT_FOUND
cli globex create task --set project_id=3 --set "organization_id=$ACME" --set "title=planted"
expect_code PERMISSION_DENIED
cli acme update task "${task_id:-0}" --set "organization_id=$GLOBEX"
expect_code PERMISSION_DENIED
cli acme get task "${task_id:-0}"
expect_ok
expect_has "$title"
expect_has "$ACME"

step "Calls without a tenant, without a token, or with a forged token are refused"
cli notenant list project
expect_code PERMISSION_DENIED
cli notenant query project_summary
expect_code PERMISSION_DENIED
cli anonymous list project
expect_code UNAUTHENTICATED
cli forged list project
expect_code UNAUTHENTICATED

step "Seen from the owner: every row is where its tenant put it"
run_shown "psql \$OWNER_URL -c 'SELECT organization_id, count(*) FROM tasks GROUP BY 1'" \
  owner_psql "$db_name" -At -F ' ' -c "SELECT organization_id, count(*) FROM tasks GROUP BY 1 ORDER BY 1"
expect_has "$ACME 5"
expect_has "$GLOBEX 2"

printf '\n'
if [[ $failures -gt 0 ]]; then
  say "walkthrough: $failures expectation(s) FAILED"
  exit 1
fi
say "walkthrough: every expectation held"
if [[ $serve == 1 ]]; then
  cat <<EOF

querygate-server keeps serving on $target as $app_role (Ctrl-C stops it). Try:
  TOKEN_ACME=\$(scripts/dev-token reader,writer alice $ACME)
  $CLI --target $target --token "\$TOKEN_ACME" list task --include project
EOF
  wait "$server_pid" || true
fi
