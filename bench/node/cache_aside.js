'use strict';
// The seeds' cache-aside pattern (advanced-database-patterns.md, "Generated Caching Layer"):
// GET the key; on a miss run the SQL on a pg Pool and SETEX the rows as JSON. Served through
// querygate's own QueryService.Execute so that querygate-bench drives it with the same load
// generator and the same request as querygate. Only the bench's user_by_id is served.
//
// Usage: node cache_aside.js   (env: QG_NODE_LISTEN host:port, QG_NODE_PROTO_DIR,
//                              QG_NODE_PG_URL, QG_NODE_REDIS_URL; prints "listening PORT")
const crypto = require('crypto');
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const Redis = require('ioredis');
const {Pool} = require('pg');

const QUERIES = {
  user_by_id: {
    sql: 'SELECT id, username, email, created_at FROM users WHERE id = $1 AND deleted_at IS NULL',
    params: ['id'],
    ttl: 300,
  },
};

function cacheKey(name, params) {
  const hash = crypto.createHash('sha256').update(JSON.stringify(params)).digest('hex');
  return `query:${name}:${hash}`;
}

function toValue(v) {
  if (v === null || v === undefined) return {null_value: 'NULL_VALUE'};
  if (typeof v === 'number') return Number.isInteger(v) ? {int_value: String(v)} : {double_value: v};
  if (typeof v === 'boolean') return {bool_value: v};
  if (v instanceof Date) {
    const ms = v.getTime();
    return {timestamp_value: {seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1e6}};
  }
  return {string_value: String(v)};
}

function paramValue(value) {
  if (!value) return null;
  switch (value.kind) {
    case 'int_value': return Number(value.int_value);
    case 'double_value': return value.double_value;
    case 'string_value': return value.string_value;
    case 'bool_value': return value.bool_value;
    default: return null;
  }
}

function response(rows, status) {
  const names = rows.length > 0 ? Object.keys(rows[0]) : [];
  return {
    columns: names.map((name) => ({name, type: ''})),
    rows: rows.map((row) => ({values: names.map((n) => toValue(row[n]))})),
    cache: {status},
  };
}

async function main() {
  const protoDir = process.env.QG_NODE_PROTO_DIR || path.join(__dirname, '../../proto');
  const def = protoLoader.loadSync('querygate/v1/query_service.proto', {
    includeDirs: [protoDir], keepCase: true, longs: String, enums: String, oneofs: true,
  });
  const v1 = grpc.loadPackageDefinition(def).querygate.v1;
  const pool = new Pool({connectionString: process.env.QG_NODE_PG_URL, max: 16});
  const redis = new Redis(process.env.QG_NODE_REDIS_URL);

  async function execute(call) {
    const query = QUERIES[call.request.query];
    if (!query) {
      const err = new Error(`unknown query ${call.request.query}`);
      err.code = grpc.status.NOT_FOUND;
      throw err;
    }
    const params = query.params.map((name) => paramValue(call.request.params[name]));
    const bypass = call.request.cache_mode === 'CACHE_MODE_BYPASS';
    const key = cacheKey(call.request.query, params);
    if (!bypass) {
      const cached = await redis.get(key);
      if (cached) {
        const rows = JSON.parse(cached).map((row) => ({...row, created_at: new Date(row.created_at)}));
        return response(rows, 'CACHE_STATUS_HIT');
      }
    }
    const result = await pool.query(query.sql, params);
    if (!bypass) await redis.setex(key, query.ttl, JSON.stringify(result.rows));
    return response(result.rows, bypass ? 'CACHE_STATUS_BYPASS' : 'CACHE_STATUS_MISS');
  }

  const server = new grpc.Server();
  server.addService(v1.QueryService.service, {
    Execute: (call, callback) => {
      execute(call).then((r) => callback(null, r), (err) => callback(err));
    },
    ListQueries: (call, callback) => callback(null, {queries: []}),
  });
  const listen = process.env.QG_NODE_LISTEN || '127.0.0.1:0';
  server.bindAsync(listen, grpc.ServerCredentials.createInsecure(), (err, port) => {
    if (err) {
      console.error(err.message);
      process.exit(1);
    }
    console.log(`listening ${port}`);
  });
  const stop = () => server.tryShutdown(() => {
    redis.disconnect();
    pool.end().finally(() => process.exit(0));
  });
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
