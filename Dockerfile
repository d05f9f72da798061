# syntax=docker/dockerfile:1
# querygate: multi-stage build. The build stage compiles a Release build (no tests); the runtime
# stage holds only the shared libraries the binaries link, the binaries, the schemas and the
# examples.
#   docker build -t querygate:local .
# Two database roles: migrate as the owner of the schema, granting the runtime role, then serve
# as the runtime role (LOGIN, NOSUPERUSER, NOBYPASSRLS, owns nothing; docs/tenancy.md "Roles"):
#   docker run --rm -e QUERYGATE_DATABASE_URL=postgresql://OWNER:...@HOST/DB querygate:local \
#     querygate migrate up --grant-to querygate_app
#   docker run --rm -p 50051:50051 -e QUERYGATE_DATABASE_URL=postgresql://querygate_app:...@HOST/DB \
#     -e QUERYGATE_REDIS_URL=... -e QUERYGATE_AUTH_MODE=jwt -e QUERYGATE_JWT_ALGORITHMS=ES256 \
#     -e QUERYGATE_JWT_PUBLIC_KEY_FILES=/keys/jwt.pub.pem -v "$PWD/keys:/keys:ro" querygate:local
# The server listens on 0.0.0.0, so it refuses to start until auth.mode is set (or
# --insecure-no-auth is passed); docker-compose.yml uses the DEVELOPMENT-ONLY keys in
# config/dev-auth/, and the two roles (scripts/postgres-init/ creates querygate_app).
# `querygate insights` and `advise` need pg_stat_statements and hypopg on the PostgreSQL server
# (Debian: postgresql-15-hypopg), not in this image; see docs/operations.md.

FROM debian:12 AS build
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      ca-certificates cmake make g++ pkg-config git \
      libgrpc++-dev protobuf-compiler-grpc protobuf-compiler libprotobuf-dev \
      libhiredis-dev libpqxx-dev libabsl-dev libssl-dev nlohmann-json3-dev \
      prometheus-cpp-dev libcivetweb-dev libspdlog-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# Build outside /src so a build/ folder copied from the host cannot interfere.
RUN cmake -S /src -B /build -DCMAKE_BUILD_TYPE=Release -DQUERYGATE_BUILD_TESTS=OFF \
 && cmake --build /build -j"$(nproc)"

FROM debian:12-slim AS runtime
ARG DEBIAN_FRONTEND=noninteractive
# Runtime libraries of the binaries (found with ldd + dpkg -S on Debian 12); their own
# dependencies (libpq5, libre2-9, libc-ares2, ...) come along. postgresql-client provides psql
# for loading schemas/seed/example_data.sql.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      ca-certificates \
      libgrpc++1.51 libgrpc29 libprotobuf32 libabsl20220623 \
      libhiredis0.14 libpqxx-6.4 libssl3 \
      libprometheus-cpp-core1.0 libcivetweb1 libspdlog1.10 libfmt9 \
      postgresql-client \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /app --no-create-home \
      --shell /usr/sbin/nologin querygate
WORKDIR /app
COPY --from=build /build/bin/ /app/bin/
COPY --from=build /src/schemas/ /app/schemas/
COPY --from=build /src/config/ /app/config/
COPY --from=build /src/examples/ /app/examples/
ENV PATH=/app/bin:$PATH \
    QUERYGATE_SCHEMA_DIR=/app/schemas \
    QUERYGATE_LISTEN=0.0.0.0:50051
USER querygate:querygate
EXPOSE 50051 9464
CMD ["querygate-server"]
