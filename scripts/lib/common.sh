# shellcheck shell=bash
# Shared helpers for the querygate scripts. Source it; do not execute it.
#
# Server layout inside a state folder DIR (all paths absolute once resolved):
#   DIR/postgres/data/           PGDATA; the unix socket lives here too
#   DIR/postgres/postgres.log    server log
#   DIR/postgres/port            TCP port last used (the live one is in data/postmaster.pid)
#   DIR/redis/{redis.pid,redis.log,port}
# When running as root and the postgres user cannot traverse DIR (e.g. a clone under /root),
# DIR/postgres is a symlink to /var/tmp/querygate-pg/<hash>, which postgres can reach.
#
# Every function either succeeds or returns non-zero after printing why (qg_die exits).

if [[ -n "${QG_COMMON_SH_LOADED:-}" ]]; then
  return 0
fi
QG_COMMON_SH_LOADED=1

QG_PG_BIN=/usr/lib/postgresql/15/bin
QG_REDIS_SERVER=/usr/bin/redis-server
QG_REDIS_CLI=/usr/bin/redis-cli
QG_PG_FALLBACK_ROOT=/var/tmp/querygate-pg
# The runtime role querygate-server connects as (not a superuser, no BYPASSRLS, owns nothing);
# migrations run as the superuser postgres, which owns the tables.
QG_APP_ROLE=querygate_app

# Debian 12 packages needed to build, test and run querygate locally (clang and its libFuzzer
# runtime for scripts/fuzz).
QG_PACKAGES=(
  libgrpc++-dev protobuf-compiler-grpc protobuf-compiler libprotobuf-dev libhiredis-dev
  libpqxx-dev libabsl-dev libssl-dev redis-server redis-tools postgresql nlohmann-json3-dev
  libgmock-dev googletest cmake make g++ pkg-config ccache git ca-certificates
  clang libclang-rt-14-dev socat
  postgresql-15-hypopg
  prometheus-cpp-dev libcivetweb-dev prometheus
  libspdlog-dev
  chromium
  postgresql-server-dev-15
)

# ---------------------------------------------------------------------------------------------
# Node.js (tests only: the typed-services client test and the bench's a_node row)

# Installs Debian's nodejs and npm when npm is missing (a machine may already have Node.js from
# elsewhere, whose npm comes with it). QG_SKIP_DEPS=1 skips the check.
qg_ensure_node() {
  [[ ${QG_SKIP_DEPS:-0} != 1 ]] || return 0
  command -v npm >/dev/null 2>&1 && command -v node >/dev/null 2>&1 && return 0
  command -v apt-get >/dev/null 2>&1 || { qg_warn "npm is missing: install Node.js and npm"; return 0; }
  qg_log "installing nodejs and npm"
  qg_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null
  qg_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    nodejs npm </dev/null || qg_die "could not install nodejs and npm"
}

# ---------------------------------------------------------------------------------------------
# pgvector (tests only)

# Builds and installs pgvector into the local PostgreSQL 15 from the release tarball in
# QG_THIRD_PARTY_DIR (default: ../shared/third_party beside the checkout), when it is there and
# the extension is not installed yet. Prints "installed", "present" or "absent" on stdout.
qg_ensure_pgvector() {
  local root=$1
  local dir=${QG_THIRD_PARTY_DIR:-$root/../shared/third_party}
  if [[ -f /usr/share/postgresql/15/extension/vector.control ]]; then
    echo present
    return 0
  fi
  local tarball
  tarball=$(compgen -G "$dir/pgvector-*.tar.gz" | sort | tail -n 1 || true)
  if [[ -z $tarball ]]; then
    echo absent
    return 0
  fi
  local work
  work=$(mktemp -d)
  tar -xzf "$tarball" -C "$work"
  local src
  src=$(compgen -G "$work/pgvector-*" | head -n 1)
  qg_log "building pgvector from $tarball"
  (cd "$src" && make -s -j2 PG_CONFIG="$QG_PG_BIN/pg_config" >/dev/null &&
    qg_as_root make -s install PG_CONFIG="$QG_PG_BIN/pg_config" >/dev/null) ||
    qg_die "pgvector build failed ($tarball)"
  rm -rf -- "$work"
  echo installed
}

# ---------------------------------------------------------------------------------------------
# Logging

# Prints a progress message on stderr.
qg_log() { printf '[querygate] %s\n' "$*" >&2; }

# Prints a warning on stderr.
qg_warn() { printf '[querygate] WARNING: %s\n' "$*" >&2; }

# Prints an error on stderr and exits the calling script with status 1.
qg_die() {
  printf '[querygate] ERROR: %s\n' "$*" >&2
  exit 1
}

# Prints the comment block at the top of script FILE (after the shebang) as its usage text.
qg_usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$1"; }

# Prints the absolute path of the repository root (the parent of scripts/).
qg_repo_root() { (cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P); }

# Prints the absolute form of PATH, creating the folder if it does not exist.
qg_abs_dir() {
  mkdir -p -- "$1" || return 1
  (cd -- "$1" && pwd -P)
}

# ---------------------------------------------------------------------------------------------
# Privileges and packages

# Runs a command as root: directly when root, else through sudo (non-interactive without a
# terminal). Fails with a clear message when neither is possible.
qg_as_root() {
  if [[ $EUID -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    if [[ -t 0 ]]; then
      sudo "$@"
    else
      sudo -n "$@" || qg_die "sudo needs a password but there is no terminal; run as root instead"
    fi
  else
    qg_die "root privileges needed for: $* (not root and sudo is not installed)"
  fi
}

# Prints the packages of QG_PACKAGES that are not installed.
qg_missing_packages() {
  local pkg status
  for pkg in "${QG_PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    [[ $status == "install ok installed" ]] || printf '%s\n' "$pkg"
  done
}

# Installs the packages of QG_PACKAGES that are missing. Does nothing when all are present;
# runs apt-get update only when something is missing. QG_SKIP_DEPS=1 skips the check.
qg_ensure_deps() {
  if [[ ${QG_SKIP_DEPS:-0} == 1 ]]; then
    qg_log "QG_SKIP_DEPS=1: not checking packages"
    return 0
  fi
  if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    qg_warn "not a Debian system (no dpkg-query/apt-get): install these yourself: ${QG_PACKAGES[*]}"
    return 0
  fi
  local missing
  mapfile -t missing < <(qg_missing_packages)
  if [[ ${#missing[@]} -eq 0 ]]; then
    qg_log "all packages present"
    return 0
  fi
  qg_log "installing missing packages: ${missing[*]}"
  qg_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  qg_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    "${missing[@]}" </dev/null
  mapfile -t missing < <(qg_missing_packages)
  [[ ${#missing[@]} -eq 0 ]] || qg_die "packages still missing after install: ${missing[*]}"
}

# ---------------------------------------------------------------------------------------------
# Processes and ports

# Returns 0 when PID names a live process (zombies count as dead).
qg_pid_alive() {
  local pid=$1 state
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ -r /proc/$pid/stat ]] || { kill -0 "$pid" 2>/dev/null; return $?; }
  state=$(sed -e 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [[ -n $state && $state != Z && $state != X ]]
}

# Returns 0 when PID is alive and its command name is NAME.
qg_pid_is() {
  local pid=$1 name=$2 comm
  qg_pid_alive "$pid" || return 1
  [[ -r /proc/$pid/comm ]] || return 0
  comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
  [[ $comm == "$name"* ]]
}

# Waits up to SECONDS (default 10) for PID to exit. Returns 1 on timeout.
qg_wait_pid_gone() {
  local pid=$1 timeout=${2:-10} i
  for ((i = 0; i < timeout * 10; i++)); do
    qg_pid_alive "$pid" || return 0
    sleep 0.1
  done
  ! qg_pid_alive "$pid"
}

# Returns 0 when something accepts TCP connections on 127.0.0.1:PORT.
qg_port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Waits up to SECONDS (default 10) for 127.0.0.1:PORT to accept connections.
qg_wait_port_open() {
  local port=$1 timeout=${2:-10} i
  for ((i = 0; i < timeout * 10; i++)); do
    qg_port_in_use "$port" && return 0
    sleep 0.1
  done
  return 1
}

# Waits up to SECONDS (default 10) for 127.0.0.1:PORT to stop accepting connections.
qg_wait_port_closed() {
  local port=$1 timeout=${2:-10} i
  for ((i = 0; i < timeout * 10; i++)); do
    qg_port_in_use "$port" || return 0
    sleep 0.1
  done
  return 1
}

# Prints a TCP port in 20000-59999 that nothing listens on. A race with other processes stays
# possible, so callers retry the start on bind failure.
qg_free_port() {
  local i port
  for ((i = 0; i < 100; i++)); do
    port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    if ! qg_port_in_use "$port"; then
      printf '%s\n' "$port"
      return 0
    fi
  done
  qg_warn "no free port found after 100 tries"
  return 1
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL

# Runs a PostgreSQL binary as the right user: as the postgres user when root, else directly.
# The working directory is / so that an unreadable cwd does not produce warnings.
qg_pg_run() {
  if [[ $EUID -eq 0 ]]; then
    (cd / && runuser -u postgres -- "$@")
  else
    (cd / && "$@")
  fi
}

# Returns 0 when the postgres user can reach and write into folder DIR.
qg_pg_can_use_dir() {
  [[ $EUID -eq 0 ]] || return 0
  (cd / && runuser -u postgres -- test -x "$1")
}

# Prints the postgres home of state folder DIR (DIR/postgres, resolved), creating it when
# needed. As root it is owned by postgres; when postgres cannot traverse DIR it is a symlink to
# a folder under /var/tmp/querygate-pg.
qg_pg_home() {
  local dir=$1 home hash
  home="$dir/postgres"
  if [[ ! -e $home && ! -L $home ]]; then
    if [[ $EUID -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
      qg_warn "user postgres does not exist (is the postgresql package installed?)"
      return 1
    fi
    if qg_pg_can_use_dir "$dir"; then
      mkdir -p -- "$home"
    else
      hash=$(printf '%s' "$dir" | cksum | cut -d' ' -f1)
      mkdir -p -- "$QG_PG_FALLBACK_ROOT"
      chmod 0755 "$QG_PG_FALLBACK_ROOT"
      rm -rf -- "${QG_PG_FALLBACK_ROOT:?}/$hash"
      mkdir -p -- "$QG_PG_FALLBACK_ROOT/$hash"
      ln -s -- "$QG_PG_FALLBACK_ROOT/$hash" "$home"
      qg_log "postgres cannot traverse $dir; PostgreSQL data lives in $QG_PG_FALLBACK_ROOT/$hash"
    fi
    [[ $EUID -ne 0 ]] || chown postgres: "$(readlink -f -- "$home")"
  fi
  home=$(readlink -f -- "$home") || return 1
  [[ -d $home ]] || { qg_warn "$dir/postgres points to a missing folder; remove it"; return 1; }
  printf '%s\n' "$home"
}

# Prints the PID of the postmaster running on data folder DATA; returns 1 when none runs.
# Removes a stale postmaster.pid (dead PID, or a PID reused by another program).
qg_pg_running_pid() {
  local data=$1 pid
  [[ -f $data/postmaster.pid ]] || return 1
  pid=$(head -n 1 "$data/postmaster.pid" 2>/dev/null || true)
  if qg_pid_is "$pid" postgres; then
    printf '%s\n' "$pid"
    return 0
  fi
  qg_log "removing stale $data/postmaster.pid (pid ${pid:-?} is not a running postmaster)"
  rm -f -- "$data/postmaster.pid"
  # Socket lock files of a crashed postmaster: PostgreSQL counts a zombie as alive and refuses.
  local lock lock_pid
  for lock in "$data"/.s.PGSQL.*.lock; do
    [[ -f $lock ]] || continue
    lock_pid=$(head -n 1 "$lock" 2>/dev/null || true)
    qg_pid_is "$lock_pid" postgres || rm -f -- "$lock" "${lock%.lock}"
  done
  return 1
}

# Prints the port of the PostgreSQL server of state folder DIR; returns 1 when none runs.
qg_pg_port() {
  local dir=$1 home data port
  [[ -e $dir/postgres ]] || return 1
  home=$(readlink -f -- "$dir/postgres") || return 1
  data=$home/data
  qg_pg_running_pid "$data" >/dev/null || return 1
  port=$(sed -n 4p "$data/postmaster.pid" 2>/dev/null)
  [[ $port =~ ^[0-9]+$ ]] || return 1
  printf '%s\n' "$port"
}

# Writes DATA/querygate.conf (included from postgresql.conf) for MODE (test|dev) and PORT.
qg_pg_write_conf() {
  local data=$1 mode=$2 port=$3 sockdir
  sockdir=$data
  # A unix socket path is limited to 107 bytes; without it PostgreSQL is reachable over TCP.
  if (( ${#data} + 20 > 107 )); then
    sockdir=
  fi
  {
    echo "# Written by scripts/lib/common.sh on every start; edits are overwritten."
    echo "listen_addresses = '127.0.0.1'"
    echo "port = $port"
    echo "unix_socket_directories = '$sockdir'"
    # querygate insights reads pg_stat_statements (docs/operations.md).
    echo "shared_preload_libraries = 'pg_stat_statements'"
    if [[ $mode == test ]]; then
      echo "max_connections = 300"
      echo "fsync = off"
      echo "synchronous_commit = off"
      echo "full_page_writes = off"
    else
      echo "max_connections = 200"
    fi
  } >"$data/querygate.conf"
  [[ $EUID -ne 0 ]] || chown postgres: "$data/querygate.conf"
}

# Starts PostgreSQL 15 for state folder DIR in MODE (dev: durable, default; test: fast and
# unsafe), running initdb on first use. Reuses a server already running there. Prints the port.
qg_pg_start() {
  local dir=$1 mode=${2:-dev} home data log port attempt
  [[ $mode == dev || $mode == test ]] || { qg_warn "qg_pg_start: unknown mode '$mode'"; return 1; }
  [[ -x $QG_PG_BIN/pg_ctl ]] || { qg_warn "$QG_PG_BIN/pg_ctl missing; run scripts/deps"; return 1; }
  dir=$(qg_abs_dir "$dir") || return 1
  home=$(qg_pg_home "$dir") || return 1
  data=$home/data
  log=$home/postgres.log

  if port=$(qg_pg_port "$dir"); then
    if "$QG_PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -t 10; then
      qg_log "PostgreSQL already running in $dir on port $port; reusing it"
      printf '%s\n' "$port" >"$home/port"
      printf '%s\n' "$port"
      return 0
    fi
    qg_warn "PostgreSQL in $dir (port $port) does not answer; see $log"
    return 1
  fi

  if [[ ! -f $data/PG_VERSION ]]; then
    rm -rf -- "$data"
    qg_log "initdb $data"
    local initdb_args=(-D "$data" -A trust -U postgres -E UTF8 --locale=C.UTF-8)
    [[ $mode != test ]] || initdb_args+=(--no-sync)
    if ! qg_pg_run "$QG_PG_BIN/initdb" "${initdb_args[@]}" >"$home/initdb.log" 2>&1; then
      cat "$home/initdb.log" >&2
      qg_warn "initdb failed"
      return 1
    fi
    echo "include_if_exists = 'querygate.conf'" >>"$data/postgresql.conf"
  fi

  for attempt in 1 2 3; do
    # Keep the previous port when it is free, so URLs stay stable across restarts.
    port=$(cat "$home/port" 2>/dev/null || true)
    if ! [[ $port =~ ^[0-9]+$ ]] || qg_port_in_use "$port"; then
      port=$(qg_free_port) || return 1
    fi
    qg_pg_write_conf "$data" "$mode" "$port"
    printf '%s\n' "$port" >"$home/port"
    qg_log "starting PostgreSQL ($mode) in $dir on 127.0.0.1:$port"
    if qg_pg_run "$QG_PG_BIN/pg_ctl" -D "$data" -l "$log" -w -t 60 -s start \
      && "$QG_PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -t 10; then
      printf '%s\n' "$port"
      return 0
    fi
    qg_warn "PostgreSQL did not start (attempt $attempt); last log lines:"
    tail -n 5 "$log" >&2 || true
    qg_pg_stop "$dir" >/dev/null 2>&1 || true
    rm -f -- "$home/port"
  done
  return 1
}

# Stops the PostgreSQL server of state folder DIR (fast shutdown, then immediate, then KILL).
# Does nothing when it is not running.
qg_pg_stop() {
  local dir=$1 home data pid
  [[ -e $dir/postgres ]] || return 0
  home=$(readlink -f -- "$dir/postgres") || return 0
  data=$home/data
  pid=$(qg_pg_running_pid "$data") || return 0
  qg_log "stopping PostgreSQL in $dir (pid $pid)"
  if ! qg_pg_run "$QG_PG_BIN/pg_ctl" -D "$data" -m fast -w -t 30 -s stop; then
    qg_warn "fast shutdown failed; trying immediate"
    qg_pg_run "$QG_PG_BIN/pg_ctl" -D "$data" -m immediate -w -t 10 -s stop || true
  fi
  if ! qg_wait_pid_gone "$pid" 10; then
    qg_warn "PostgreSQL pid $pid still alive; killing it"
    kill -KILL "$pid" 2>/dev/null || true
    qg_wait_pid_gone "$pid" 10 || { qg_warn "could not stop PostgreSQL pid $pid"; return 1; }
  fi
  rm -f -- "$data/postmaster.pid"
}

# Stops PostgreSQL of state folder DIR and deletes its data (including a /var/tmp fallback).
qg_pg_destroy() {
  local dir=$1 target
  qg_pg_stop "$dir" || return 1
  if [[ -L $dir/postgres ]]; then
    target=$(readlink -f -- "$dir/postgres" || true)
    case $target in
      "$QG_PG_FALLBACK_ROOT"/*) rm -rf -- "$target" ;;
    esac
  fi
  rm -rf -- "${dir:?}/postgres"
}

# Creates database NAME on the server at PORT unless it exists.
qg_pg_ensure_db() {
  local port=$1 name=$2 exists
  exists=$(qg_psql "$port" postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'") \
    || return 1
  if [[ $exists != 1 ]]; then
    qg_log "creating database $name"
    qg_psql "$port" postgres -q -c "CREATE DATABASE \"$name\"" || return 1
  fi
  # For `querygate insights` (docs/operations.md); a server started before the preload setting
  # existed needs one restart to load the library.
  qg_psql "$port" "$name" -q -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" </dev/null \
    >/dev/null 2>&1 || qg_warn "could not create extension pg_stat_statements in $name"
}

# Runs psql against database DB on 127.0.0.1:PORT as user postgres, passing extra arguments.
qg_psql() {
  local port=$1 db=$2
  shift 2
  PGCONNECT_TIMEOUT=10 "$QG_PG_BIN/psql" -X -h 127.0.0.1 -p "$port" -U postgres -d "$db" "$@"
}

# Prints the URL of database DB (default postgres) on 127.0.0.1:PORT as USER (default postgres,
# the superuser that owns the schema and runs migrations). The local servers trust loopback
# connections, so the URL carries no password.
qg_pg_url() {
  printf 'postgresql://%s@127.0.0.1:%s/%s\n' "${3:-postgres}" "$1" "${2:-postgres}"
}

# Creates the runtime role NAME (default $QG_APP_ROLE) on the server at PORT unless it exists,
# and (again on every call) makes it a plain login role: NOSUPERUSER NOBYPASSRLS NOCREATEDB
# NOCREATEROLE NOREPLICATION. querygate-server connects as this role; it owns nothing, and
# `querygate migrate up --grant-to NAME` grants it what it needs.
qg_pg_ensure_app_role() {
  local port=$1 name=${2:-$QG_APP_ROLE}
  [[ $name =~ ^[a-z_][a-z0-9_]{0,62}$ ]] || { qg_warn "bad role name '$name'"; return 1; }
  qg_psql "$port" postgres -v ON_ERROR_STOP=1 -q </dev/null -c "DO \$\$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$name') THEN
    CREATE ROLE $name LOGIN;
  END IF;
END
\$\$;" -c "ALTER ROLE $name LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION" \
    || return 1
}

# ---------------------------------------------------------------------------------------------
# Redis

# Prints the port of the Redis server of state folder DIR; returns 1 when none runs.
# Removes a stale pidfile.
qg_redis_port() {
  local home=$1/redis pid port
  [[ -f $home/redis.pid ]] || return 1
  pid=$(cat "$home/redis.pid" 2>/dev/null || true)
  if ! qg_pid_is "$pid" redis-server; then
    qg_log "removing stale $home/redis.pid (pid ${pid:-?} is not running)"
    rm -f -- "$home/redis.pid"
    return 1
  fi
  port=$(cat "$home/port" 2>/dev/null || true)
  [[ $port =~ ^[0-9]+$ ]] || return 1
  printf '%s\n' "$port"
}

# Returns 0 when Redis on 127.0.0.1:PORT answers PING.
qg_redis_ping() {
  [[ $("$QG_REDIS_CLI" -h 127.0.0.1 -p "$1" ping 2>/dev/null) == PONG ]]
}

# Starts Redis (no persistence) for state folder DIR, reusing one already running there.
# Prints the port.
qg_redis_start() {
  local dir=$1 home port attempt i pid
  [[ -x $QG_REDIS_SERVER ]] || { qg_warn "$QG_REDIS_SERVER missing; run scripts/deps"; return 1; }
  dir=$(qg_abs_dir "$dir") || return 1
  home=$dir/redis
  mkdir -p -- "$home"

  if port=$(qg_redis_port "$dir"); then
    for ((i = 0; i < 100; i++)); do
      if qg_redis_ping "$port"; then
        qg_log "Redis already running in $dir on port $port; reusing it"
        printf '%s\n' "$port"
        return 0
      fi
      sleep 0.1
    done
    qg_warn "Redis in $dir (port $port) does not answer; see $home/redis.log"
    return 1
  fi

  for attempt in 1 2 3; do
    port=$(cat "$home/port" 2>/dev/null || true)
    if ! [[ $port =~ ^[0-9]+$ ]] || qg_port_in_use "$port"; then
      port=$(qg_free_port) || return 1
    fi
    printf '%s\n' "$port" >"$home/port"
    qg_log "starting Redis in $dir on 127.0.0.1:$port"
    rm -f -- "$home/redis.pid"
    if (cd / && "$QG_REDIS_SERVER" --bind 127.0.0.1 --port "$port" --save '' --appendonly no \
      --daemonize yes --pidfile "$home/redis.pid" --logfile "$home/redis.log" --dir "$home" \
      </dev/null); then
      for ((i = 0; i < 100; i++)); do
        if qg_redis_ping "$port"; then
          printf '%s\n' "$port"
          return 0
        fi
        pid=$(cat "$home/redis.pid" 2>/dev/null || true)
        # The daemon writes its pidfile early; a pidfile with a dead pid means it failed.
        if [[ -n $pid ]] && ! qg_pid_alive "$pid"; then
          break
        fi
        sleep 0.1
      done
    fi
    qg_warn "Redis did not start (attempt $attempt); last log lines:"
    tail -n 5 "$home/redis.log" >&2 || true
    qg_redis_stop "$dir" >/dev/null 2>&1 || true
    rm -f -- "$home/port"
  done
  return 1
}

# Stops the Redis server of state folder DIR (SHUTDOWN NOSAVE, then TERM, then KILL).
# Does nothing when it is not running.
qg_redis_stop() {
  local dir=$1 home port pid
  home=$dir/redis
  [[ -f $home/redis.pid ]] || return 0
  pid=$(cat "$home/redis.pid" 2>/dev/null || true)
  if ! qg_pid_is "$pid" redis-server; then
    rm -f -- "$home/redis.pid"
    return 0
  fi
  port=$(cat "$home/port" 2>/dev/null || true)
  qg_log "stopping Redis in $dir (pid $pid)"
  if [[ $port =~ ^[0-9]+$ ]]; then
    "$QG_REDIS_CLI" -h 127.0.0.1 -p "$port" shutdown nosave >/dev/null 2>&1 || true
  fi
  if ! qg_wait_pid_gone "$pid" 5; then
    kill -TERM "$pid" 2>/dev/null || true
    if ! qg_wait_pid_gone "$pid" 5; then
      qg_warn "Redis pid $pid still alive; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      qg_wait_pid_gone "$pid" 10 || { qg_warn "could not stop Redis pid $pid"; return 1; }
    fi
  fi
  if [[ $port =~ ^[0-9]+$ ]]; then
    qg_wait_port_closed "$port" 10 || qg_warn "port $port still open after Redis stopped"
  fi
  rm -f -- "$home/redis.pid"
}

# Prints the URL of the Redis server on 127.0.0.1:PORT.
qg_redis_url() { printf 'redis://127.0.0.1:%s\n' "$1"; }
