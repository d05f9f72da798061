#!/usr/bin/env bash
# Run once by the postgres image's entrypoint (docker-entrypoint-initdb.d) when the data volume
# is first initialised: creates the runtime role querygate-server connects as. It is a plain
# login role (not a superuser, no BYPASSRLS, cannot create databases or roles) and owns nothing;
# `querygate migrate up --grant-to querygate_app`, run as the owner, grants it table access.
# Environment (docker-compose.yml): QUERYGATE_APP_ROLE (default querygate_app) and
# QUERYGATE_APP_PASSWORD (required). No `set -u`: the entrypoint may source this file.
app_role=${QUERYGATE_APP_ROLE:-querygate_app}
if [[ -z ${QUERYGATE_APP_PASSWORD:-} ]]; then
  echo "10-querygate-app-role.sh: QUERYGATE_APP_PASSWORD is not set" >&2
  exit 1
fi
# psql quotes the variables (:"name" as an identifier, :'name' as a literal).
psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v app_role="$app_role" -v app_password="$QUERYGATE_APP_PASSWORD" <<'EOSQL' || exit 1
CREATE ROLE :"app_role" LOGIN PASSWORD :'app_password'
  NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION;
EOSQL
