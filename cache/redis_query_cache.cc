#include "cache/redis_query_cache.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "cache/cache_entry.h"
#include "cache/internal/redis_connection.h"
#include "cache/internal/redis_multiplexer.h"
#include "common/hmac.h"

namespace querygate::cache {
namespace {

// Sets each generation key (KEYS[4..]) to max(current + 1, server time in microseconds): a
// value never seen before, even if the key was lost, so an entry stamped before the loss can
// never match again. Then takes the next coherence sequence number (KEYS[1]), and when some
// instance holds a lease (KEYS[2]: holder -> expiry in ms) publishes the dependencies
// (ARGV[2..]) on the coherence channel (ARGV[1]). KEYS[3] records when the lease set was
// (re)born: it is missing after a FLUSHALL or a restart without persistence, when leases
// granted before can no longer be seen. Returns {seq, now_ms, born_ms, holder, expiry_ms, ...}.
constexpr char kBumpScript[] = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local now_ms = math.floor(now / 1000)
for i = 4, #KEYS do
  local cur = tonumber(redis.call('GET', KEYS[i]) or '0')
  redis.call('SET', KEYS[i], string.format('%.0f', math.max(cur + 1, now)))
end
local seq = redis.call('INCR', KEYS[1])
redis.call('SET', KEYS[3], now_ms, 'NX')
local born = tonumber(redis.call('GET', KEYS[3]))
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now_ms)
local holders = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. now_ms, '+inf', 'WITHSCORES')
if #holders > 0 then
  local deps = {}
  for i = 2, #ARGV do deps[#deps + 1] = ARGV[i] end
  redis.call('PUBLISH', ARGV[1], cjson.encode({s = seq, d = deps}))
end
local out = {seq, now_ms, born}
for _, v in ipairs(holders) do out[#out + 1] = v end
return out)lua";

// Renews the lease of holder ARGV[1] for ARGV[2] ms. KEYS: 1 leases, 2 need (holder -> the
// sequence number it must have applied by its next renewal), 3 applied (holder -> the
// sequence number it reported), 4 sequence, 5 born. A live lease is extended only when the
// holder applied every message published before its previous renewal (ARGV[3] >= need), so
// a holder that stopped receiving messages loses its lease within two renewals. Returns
// {0 = behind (not extended) | 1 = extended | 2 = granted anew, current sequence}.
constexpr char kRenewScript[] = R"lua(
local t = redis.call('TIME')
local now_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('SET', KEYS[5], now_ms, 'NX')
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now_ms)) do
  redis.call('HDEL', KEYS[2], id)
  redis.call('HDEL', KEYS[3], id)
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now_ms)
local cur = tonumber(redis.call('GET', KEYS[4]) or '0')
local applied = tonumber(ARGV[3])
local kind = 2
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  if applied < tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0') then return {0, cur} end
  kind = 1
else
  applied = cur
end
redis.call('ZADD', KEYS[1], now_ms + tonumber(ARGV[2]), ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], cur)
redis.call('HSET', KEYS[3], ARGV[1], applied)
return {kind, cur})lua";

// Returns {now_ms, expiry_ms or 0, applied or 0, sequence} for holder ARGV[1]. KEYS: 1 leases,
// 2 applied, 3 sequence.
constexpr char kLeaseScript[] = R"lua(
local t = redis.call('TIME')
local now_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local expiry = tonumber(redis.call('ZSCORE', KEYS[1], ARGV[1]) or '0')
local applied = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
local seq = tonumber(redis.call('GET', KEYS[3]) or '0')
return {now_ms, expiry, applied, seq})lua";

// Creates missing keys the same way and returns every key's value.
constexpr char kEnsureScript[] = R"lua(
local t = redis.call('TIME')
local now = string.format('%.0f', tonumber(t[1]) * 1000000 + tonumber(t[2]))
local out = {}
for i, k in ipairs(KEYS) do
  redis.call('SET', k, now, 'NX')
  out[i] = redis.call('GET', k)
end
return out)lua";

// The Redis key, under the prefix, whose value identifies the data set (see DataIdentity).
constexpr char kSentinelSuffix[] = "epoch-sentinel";

// Returns the run_id field of an `INFO server` reply, or empty.
std::string RunId(const redisReply* reply) {
  if (reply == nullptr || reply->type != REDIS_REPLY_STRING) {
    return "";
  }
  absl::string_view info(reply->str, reply->len);
  constexpr absl::string_view kField = "run_id:";
  size_t at = info.find(kField);
  if (at == absl::string_view::npos) return "";
  info.remove_prefix(at + kField.size());
  return std::string(info.substr(0, info.find_first_of("\r\n")));
}

int64_t NowNanos() { return absl::ToUnixNanos(absl::Now()); }

bool ParseGeneration(const redisReply* reply, int64_t& out) {
  if (reply == nullptr || reply->type != REDIS_REPLY_STRING) return false;
  return absl::SimpleAtoi(absl::string_view(reply->str, reply->len), &out);
}

// Reads the reply to `MGET key gen:d1 .. gen:dn`.
CacheLookup ParseLookup(const redisReply* array, size_t dependencies) {
  if (array->type != REDIS_REPLY_ARRAY || array->elements != dependencies + 1) {
    return CacheLookup::Unavailable();
  }
  CacheLookup result;
  Generations current(dependencies);
  bool complete = true;
  for (size_t i = 0; i < dependencies; ++i) {
    complete = ParseGeneration(array->element[i + 1], current[i]) && complete;
  }
  if (complete) result.generations = current;
  const redisReply* entry_reply = array->element[0];
  if (!complete || entry_reply == nullptr || entry_reply->type != REDIS_REPLY_STRING) {
    return result;
  }
  std::optional<CacheEntry> entry =
      DecodeEntry(absl::string_view(entry_reply->str, entry_reply->len));
  if (!entry || entry->generations != current) return result;
  int64_t now_ms = absl::ToUnixMillis(absl::Now());
  int64_t age_ms = std::max<int64_t>(0, now_ms - entry->filled_at_ms);
  if (age_ms >= entry->ttl_ms + entry->stale_ms) return result;
  bool fresh = age_ms < entry->ttl_ms;
  result.outcome = fresh ? CacheLookup::Outcome::kHit : CacheLookup::Outcome::kStale;
  result.age_ms = age_ms;
  result.ttl_ms = fresh ? entry->ttl_ms - age_ms : entry->ttl_ms + entry->stale_ms - age_ms;
  result.expired_ms = fresh ? 0 : age_ms - entry->ttl_ms;
  result.local_allowed = entry->local;
  result.payload = std::move(entry->payload);
  return result;
}

// Reads an integer reply, or a string holding one.
bool ReplyInt(const redisReply* reply, int64_t& out) {
  if (reply == nullptr) return false;
  if (reply->type == REDIS_REPLY_INTEGER) {
    out = reply->integer;
    return true;
  }
  return ParseGeneration(reply, out);
}

}  // namespace

struct RedisQueryCache::Pool {
  std::mutex mu;
  std::condition_variable freed;
  std::vector<internal::Context> idle;
  int open = 0;
};

// A pooled connection for one call; dropped instead of returned once it failed.
class RedisQueryCache::Borrowed {
 public:
  static absl::StatusOr<Borrowed> From(RedisQueryCache& cache) {
    if (NowNanos() < cache.down_until_ns_.load(std::memory_order_relaxed)) {
      return absl::UnavailableError("redis is down (backing off)");
    }
    Pool& pool = *cache.pool_;
    std::unique_lock<std::mutex> lock(pool.mu);
    absl::Time give_up = absl::Now() + cache.options_.command_timeout;
    while (pool.idle.empty() && pool.open >= cache.options_.pool_size) {
      if (pool.freed.wait_for(lock, absl::ToChronoNanoseconds(give_up - absl::Now())) ==
          std::cv_status::timeout) {
        return absl::UnavailableError("no redis connection became free in time");
      }
    }
    if (!pool.idle.empty()) {
      internal::Context context = std::move(pool.idle.back());
      pool.idle.pop_back();
      return Borrowed(cache, std::move(context));
    }
    ++pool.open;
    lock.unlock();
    auto context = internal::Connect(cache.options_);
    if (!context.ok()) {
      lock.lock();
      --pool.open;
      pool.freed.notify_one();
      cache.RecordFailure(context.status());
      return context.status();
    }
    return Borrowed(cache, *std::move(context));
  }

  Borrowed(Borrowed&& other) noexcept
      : cache_(other.cache_), context_(std::move(other.context_)), failed_(other.failed_) {}
  ~Borrowed() {
    if (context_ == nullptr) return;
    Pool& pool = *cache_->pool_;
    std::lock_guard<std::mutex> lock(pool.mu);
    if (failed_) {
      --pool.open;
      context_.reset();
    } else {
      pool.idle.push_back(std::move(context_));
    }
    pool.freed.notify_one();
  }

  redisContext* get() { return context_.get(); }

  // Passes `status` through, recording the outcome; a lost connection is not reused.
  absl::Status Track(absl::Status status) {
    if (status.code() == absl::StatusCode::kUnavailable) {
      failed_ = true;
      cache_->RecordFailure(status);
    } else {
      cache_->RecordSuccess();
    }
    return status;
  }

 private:
  Borrowed(RedisQueryCache& cache, internal::Context context)
      : cache_(&cache), context_(std::move(context)) {}

  RedisQueryCache* cache_;
  internal::Context context_;
  bool failed_ = false;
};

RedisQueryCache::RedisQueryCache(RedisOptions options)
    : options_(std::move(options)), pool_(std::make_unique<Pool>()) {
  prober_ = std::thread([this] { ProbeLoop(); });
  multiplexer_ = std::make_unique<internal::RedisMultiplexer>(options_);
}

RedisQueryCache::~RedisQueryCache() {
  multiplexer_.reset();
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  prober_.join();
}

std::string RedisQueryCache::Key(const std::string& suffix) const {
  return absl::StrCat(options_.key_prefix, ":", suffix);
}

std::vector<std::string> RedisQueryCache::GenerationKeys(
    const std::vector<std::string>& dependencies) const {
  std::vector<std::string> keys;
  keys.reserve(dependencies.size());
  for (const std::string& d : dependencies) keys.push_back(Key(absl::StrCat("gen:", d)));
  return keys;
}

std::vector<std::string> RedisQueryCache::LookupCommand(
    const std::string& key, const std::vector<std::string>& dependencies) const {
  std::vector<std::string> args = {"MGET", key};
  for (std::string& k : GenerationKeys(dependencies)) args.push_back(std::move(k));
  return args;
}

CacheLookup RedisQueryCache::Lookup(const std::string& key,
                                    const std::vector<std::string>& dependencies) {
  auto conn = Borrowed::From(*this);
  if (!conn.ok()) return CacheLookup::Unavailable();
  auto reply = internal::Command(conn->get(), LookupCommand(key, dependencies));
  if (!conn->Track(reply.status()).ok()) return CacheLookup::Unavailable();
  return ParseLookup(reply->get(), dependencies.size());
}

void RedisQueryCache::LookupAsync(const std::string& key,
                                  const std::vector<std::string>& dependencies,
                                  std::function<void(CacheLookup)> done) {
  if (NowNanos() < down_until_ns_.load(std::memory_order_relaxed)) {
    done(CacheLookup::Unavailable());
    return;
  }
  multiplexer_->Send(LookupCommand(key, dependencies),
                     [this, count = dependencies.size(),
                      done = std::move(done)](absl::StatusOr<const redisReply*> reply) {
                       if (!reply.ok()) {
                         RecordFailure(reply.status());
                         done(CacheLookup::Unavailable());
                         return;
                       }
                       RecordSuccess();
                       done(ParseLookup(*reply, count));
                     });
}

absl::StatusOr<Generations> RedisQueryCache::CurrentGenerations(
    const std::vector<std::string>& dependencies) {
  auto conn = Borrowed::From(*this);
  if (!conn.ok()) return conn.status();
  std::vector<std::string> args = {"EVAL", kEnsureScript, absl::StrCat(dependencies.size())};
  for (std::string& k : GenerationKeys(dependencies)) args.push_back(std::move(k));
  auto reply = internal::Command(conn->get(), args);
  absl::Status status = conn->Track(reply.status());
  if (!status.ok()) return status;
  if ((*reply)->type != REDIS_REPLY_ARRAY || (*reply)->elements != dependencies.size()) {
    return absl::InternalError("unexpected reply to the generation script");
  }
  Generations out(dependencies.size());
  for (size_t i = 0; i < out.size(); ++i) {
    if (!ParseGeneration((*reply)->element[i], out[i])) {
      return absl::InternalError("bad generation value in redis");
    }
  }
  return out;
}

absl::Status RedisQueryCache::Fill(const std::string& key, const std::string& payload,
                                   const Generations& generations, const FillSpec& spec) {
  CacheEntry entry;
  entry.filled_at_ms = absl::ToUnixMillis(absl::Now());
  entry.ttl_ms = absl::ToInt64Milliseconds(spec.ttl);
  entry.stale_ms = std::max<int64_t>(0, absl::ToInt64Milliseconds(spec.stale_for));
  entry.local = spec.local;
  entry.generations = generations;
  entry.payload = payload;
  auto conn = Borrowed::From(*this);
  if (!conn.ok()) return conn.status();
  auto reply = internal::Command(
      conn->get(), {"SET", key, EncodeEntry(entry), "PX",
                    absl::StrCat(std::max<int64_t>(1, entry.ttl_ms + entry.stale_ms))});
  return conn->Track(reply.status());
}

absl::Status RedisQueryCache::Invalidate(const std::vector<std::string>& dependencies) {
  return Announce(dependencies).status();
}

absl::StatusOr<Announcement> RedisQueryCache::Announce(
    const std::vector<std::string>& dependencies) {
  if (dependencies.empty()) return Announcement{};
  auto conn = Borrowed::From(*this);
  if (!conn.ok()) return conn.status();
  std::vector<std::string> args = {
      "EVAL",        kBumpScript,      absl::StrCat(3 + dependencies.size()),
      Key("l1:seq"), Key("l1:leases"), Key("l1:born")};
  for (std::string& k : GenerationKeys(dependencies)) args.push_back(std::move(k));
  args.push_back(CoherenceChannel());
  for (const std::string& d : dependencies) args.push_back(d);
  auto reply = internal::Command(conn->get(), args);
  absl::Status status = conn->Track(reply.status());
  if (!status.ok()) return status;
  const redisReply* r = reply->get();
  Announcement out;
  int64_t seq = 0;
  if (r->type != REDIS_REPLY_ARRAY || r->elements < 3 || r->elements % 2 != 1 ||
      !ReplyInt(r->element[0], seq) || !ReplyInt(r->element[1], out.now_ms) ||
      !ReplyInt(r->element[2], out.born_ms)) {
    return absl::InternalError("unexpected reply to the bump script");
  }
  out.sequence = static_cast<uint64_t>(seq);
  for (size_t i = 3; i + 1 < r->elements; i += 2) {
    LeaseHolder holder;
    const redisReply* id = r->element[i];
    if (id->type != REDIS_REPLY_STRING || !ReplyInt(r->element[i + 1], holder.expiry_ms)) {
      return absl::InternalError("unexpected lease in the bump script's reply");
    }
    holder.id.assign(id->str, id->len);
    out.holders.push_back(std::move(holder));
  }
  return out;
}

absl::StatusOr<LeaseGrant> RedisQueryCache::RenewLease(const std::string& holder,
                                                       absl::Duration lease, uint64_t applied) {
  auto conn = Borrowed::From(*this);
  if (!conn.ok()) return conn.status();
  auto reply = internal::Command(
      conn->get(), {"EVAL", kRenewScript, "5", Key("l1:leases"), Key("l1:need"), Key("l1:applied"),
                    Key("l1:seq"), Key("l1:born"), holder,
                    absl::StrCat(absl::ToInt64Milliseconds(lease)), absl::StrCat(applied)});
  absl::Status status = conn->Track(reply.status());
  if (!status.ok()) return status;
  const redisReply* r = reply->get();
  int64_t kind = 0;
  int64_t current = 0;
  if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 || !ReplyInt(r->element[0], kind) ||
      !ReplyInt(r->element[1], current) || kind < 0 || kind > 2) {
    return absl::InternalError("unexpected reply to the lease script");
  }
  LeaseGrant grant;
  grant.outcome = static_cast<LeaseGrant::Outcome>(kind);
  grant.sequence = static_cast<uint64_t>(current);
  return grant;
}

absl::StatusOr<LeaseState> RedisQueryCache::ReadLease(const std::string& holder) {
  auto conn = Borrowed::From(*this);
  if (!conn.ok()) return conn.status();
  auto reply = internal::Command(conn->get(), {"EVAL", kLeaseScript, "3", Key("l1:leases"),
                                               Key("l1:applied"), Key("l1:seq"), holder});
  absl::Status status = conn->Track(reply.status());
  if (!status.ok()) return status;
  const redisReply* r = reply->get();
  LeaseState state;
  int64_t applied = 0;
  int64_t sequence = 0;
  if (r->type != REDIS_REPLY_ARRAY || r->elements != 4 || !ReplyInt(r->element[0], state.now_ms) ||
      !ReplyInt(r->element[1], state.expiry_ms) || !ReplyInt(r->element[2], applied) ||
      !ReplyInt(r->element[3], sequence)) {
    return absl::InternalError("unexpected reply to the lease state script");
  }
  state.applied = static_cast<uint64_t>(std::max<int64_t>(0, applied));
  state.sequence = static_cast<uint64_t>(std::max<int64_t>(0, sequence));
  return state;
}

absl::Status RedisQueryCache::Publish(const std::string& channel, const std::string& message) {
  auto conn = Borrowed::From(*this);
  if (!conn.ok()) return conn.status();
  return conn->Track(internal::Command(conn->get(), {"PUBLISH", channel, message}).status());
}

std::string RedisQueryCache::CoherenceChannel() const { return Key("l1"); }

absl::StatusOr<std::string> RedisQueryCache::DataIdentity() {
  auto conn = Borrowed::From(*this);
  if (!conn.ok()) return conn.status();
  std::string sentinel = Key(kSentinelSuffix);
  auto replies = internal::Pipeline(
      conn->get(), {{"SET", sentinel, absl::BytesToHexString(RandomBytes(16)), "NX"},
                    {"GET", sentinel},
                    {"INFO", "server"}});
  absl::Status status = conn->Track(replies.status());
  if (!status.ok()) return status;
  const redisReply* value = (*replies)[1].get();
  std::string run_id = RunId((*replies)[2].get());
  if (value == nullptr || value->type != REDIS_REPLY_STRING || run_id.empty()) {
    return absl::InternalError("unexpected reply to the data identity commands");
  }
  return absl::StrCat(run_id, "/", absl::string_view(value->str, value->len));
}

CacheHealth RedisQueryCache::Health() const {
  CacheHealth health;
  health.consecutive_failures = consecutive_failures_.load();
  health.healthy = health.consecutive_failures == 0;
  health.failures_total = failures_total_.load(std::memory_order_relaxed);
  health.timeouts_total = timeouts_total_.load(std::memory_order_relaxed);
  health.backoff = absl::Nanoseconds(backoff_ns_.load());
  std::lock_guard<std::mutex> lock(error_mu_);
  health.last_error = last_error_;
  return health;
}

void RedisQueryCache::RecordSuccess() {
  if (consecutive_failures_.load(std::memory_order_relaxed) == 0) return;
  consecutive_failures_.store(0);
  backoff_ns_.store(0);
  down_until_ns_.store(0);
}

void RedisQueryCache::RecordFailure(const absl::Status& status) {
  consecutive_failures_.fetch_add(1);
  failures_total_.fetch_add(1, std::memory_order_relaxed);
  if (absl::StrContains(status.message(), "timeout") ||
      absl::StrContains(status.message(), "temporarily unavailable")) {
    timeouts_total_.fetch_add(1, std::memory_order_relaxed);
  }
  int64_t backoff = backoff_ns_.load();
  backoff = backoff == 0 ? absl::ToInt64Nanoseconds(options_.min_backoff)
                         : std::min(backoff * 2, absl::ToInt64Nanoseconds(options_.max_backoff));
  backoff_ns_.store(backoff);
  down_until_ns_.store(NowNanos() + backoff);
  std::lock_guard<std::mutex> lock(error_mu_);
  last_error_ = std::string(status.message());
}

void RedisQueryCache::ProbeLoop() {
  std::unique_lock<std::mutex> lock(stop_mu_);
  while (!stopping_) {
    stop_cv_.wait_for(lock, std::chrono::milliseconds(100));
    if (stopping_ || consecutive_failures_.load() == 0) continue;
    if (NowNanos() < down_until_ns_.load()) continue;
    lock.unlock();
    auto context = internal::Connect(options_);
    absl::Status status = context.status();
    if (status.ok()) status = internal::Command(context->get(), {"PING"}).status();
    if (status.ok()) {
      RecordSuccess();
    } else {
      RecordFailure(status);
    }
    lock.lock();
  }
}

}  // namespace querygate::cache
