#include "cache/l1_coherence.h"

#include <algorithm>
#include <chrono>

#include "nlohmann/json.hpp"

namespace querygate::cache {
namespace {

int64_t SteadyNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Holders remembered for acknowledgements; past this the map starts over (a forgotten
// acknowledgement only makes a waiter wait for the holder's lease to end).
constexpr size_t kMaxAckHolders = 4096;

}  // namespace

L1Coherence::L1Coherence(RedisQueryCache* redis, L1Store* store, CoherenceOptions options)
    : redis_(redis),
      store_(store),
      options_(std::move(options)),
      margin_(std::max(options_.lease / 10, absl::Milliseconds(20))) {}

L1Coherence::~L1Coherence() {
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (renewer_.joinable()) renewer_.join();
  subscriber_.reset();
}

void L1Coherence::Start() {
  SubscriberOptions sub;
  sub.redis = redis_->options();
  sub.channel = redis_->CoherenceChannel();
  sub.ping_interval = options_.ping_interval;
  sub.ping_timeout = options_.ping_timeout;
  subscriber_ = std::make_unique<InvalidationSubscriber>(
      sub, [this](const std::string& m) { OnMessage(m); }, [this] { OnUp(); },
      [this] { OnDown(); });
  subscriber_->Start();
  if (options_.hold_lease && store_ != nullptr) {
    renewer_ = std::thread([this] { RenewLoop(); });
  }
}

bool L1Coherence::Serving() const {
  return subscribed_.load(std::memory_order_acquire) &&
         SteadyNanos() < expiry_ns_.load(std::memory_order_acquire);
}

void L1Coherence::OnUp() {
  // Messages sent while the subscription was down are lost: the tier starts over before the
  // next renewal reports what it applied.
  resync_.store(true);
  subscribed_.store(true, std::memory_order_release);
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    renew_now_ = true;
  }
  stop_cv_.notify_all();
}

void L1Coherence::OnDown() {
  subscribed_.store(false, std::memory_order_release);
  resync_.store(true);
  if (store_ != nullptr) store_->InvalidateAll();
}

void L1Coherence::OnMessage(const std::string& message) {
  nlohmann::json parsed = nlohmann::json::parse(message, nullptr, false);
  if (!parsed.is_object() || !parsed.contains("s") || !parsed["s"].is_number_unsigned()) {
    bad_messages_.fetch_add(1);
    return;
  }
  uint64_t sequence = parsed["s"].get<uint64_t>();
  if (parsed.contains("a") && parsed["a"].is_string()) {
    RecordAck(parsed["a"].get<std::string>(), sequence);
    return;
  }
  if (!parsed.contains("d") || !parsed["d"].is_array()) {
    bad_messages_.fetch_add(1);
    return;
  }
  if (!options_.hold_lease || store_ == nullptr) return;
  std::vector<std::string> dependencies;
  for (const auto& d : parsed["d"]) {
    if (d.is_string()) dependencies.push_back(d.get<std::string>());
  }
  store_->Invalidate(dependencies);
  uint64_t applied = applied_.load();
  while (applied < sequence && !applied_.compare_exchange_weak(applied, sequence)) {
  }
  RecordAck(options_.instance_id, sequence);
  nlohmann::json ack = {{"a", options_.instance_id}, {"s", sequence}};
  // A lost acknowledgement only makes the invalidating instance wait for this lease's end.
  (void)redis_->Publish(redis_->CoherenceChannel(), ack.dump());
}

void L1Coherence::RecordAck(const std::string& holder, uint64_t sequence) {
  {
    std::lock_guard<std::mutex> lock(acks_mu_);
    if (acks_.size() >= kMaxAckHolders && acks_.count(holder) == 0) acks_.clear();
    uint64_t& at = acks_[holder];
    at = std::max(at, sequence);
  }
  acks_cv_.notify_all();
}

bool L1Coherence::WaitAck(const std::string& holder, uint64_t sequence, absl::Time until) {
  std::unique_lock<std::mutex> lock(acks_mu_);
  auto acked = [&] {
    auto it = acks_.find(holder);
    return it != acks_.end() && it->second >= sequence;
  };
  while (!acked()) {
    absl::Duration left = until - absl::Now();
    if (left <= absl::ZeroDuration()) return false;
    acks_cv_.wait_for(lock, absl::ToChronoNanoseconds(left));
  }
  return true;
}

void L1Coherence::AwaitAcknowledged(const Announcement& announcement) {
  if (!options_.await_acknowledgements) return;
  absl::Time local_now = absl::Now();
  auto local = [&](int64_t redis_ms) {
    return local_now + absl::Milliseconds(redis_ms - announcement.now_ms);
  };
  // The lease set was lost recently (FLUSHALL, a restart without persistence): a lease granted
  // before the loss may still be valid where it is held, unseen here. Wait it out.
  int64_t lease_ms = absl::ToInt64Milliseconds(options_.lease);
  if (announcement.born_ms > 0 && announcement.now_ms - announcement.born_ms < lease_ms) {
    absl::Time until = local(announcement.born_ms + lease_ms);
    std::unique_lock<std::mutex> lock(stop_mu_);
    stop_cv_.wait_for(lock, absl::ToChronoNanoseconds(until - absl::Now()),
                      [this] { return stopping_; });
  }
  for (const LeaseHolder& holder : announcement.holders) {
    if (WaitAck(holder.id, announcement.sequence, local(holder.expiry_ms))) continue;
    // The lease may have been extended once without the message applied (see kRenewScript);
    // never more, so its current end bounds the wait.
    absl::StatusOr<LeaseState> state = redis_->ReadLease(holder.id);
    absl::Time until = local(holder.expiry_ms) + options_.lease;
    if (state.ok()) {
      if (state->expiry_ms <= state->now_ms || state->applied >= announcement.sequence) continue;
      until = absl::Now() + absl::Milliseconds(state->expiry_ms - state->now_ms);
    }
    if (!WaitAck(holder.id, announcement.sequence, until)) ack_timeouts_.fetch_add(1);
  }
}

void L1Coherence::RenewLoop() {
  absl::Duration every = options_.lease / 4;
  std::unique_lock<std::mutex> lock(stop_mu_);
  while (!stopping_) {
    stop_cv_.wait_for(lock, absl::ToChronoNanoseconds(every),
                      [this] { return stopping_ || renew_now_; });
    if (stopping_) break;
    renew_now_ = false;
    lock.unlock();
    Renew();
    lock.lock();
  }
}

void L1Coherence::Renew() {
  if (!subscribed_.load(std::memory_order_acquire)) return;
  int64_t sent_ns = SteadyNanos();
  if (resync_.load() || sent_ns >= expiry_ns_.load()) {
    // Start over: read the sequence first, then drop everything, so that every message up
    // to that sequence is reflected in whatever the tier holds from now on.
    absl::StatusOr<LeaseState> state = redis_->ReadLease(options_.instance_id);
    if (!state.ok()) return;
    resync_.store(false);
    store_->InvalidateAll();
    uint64_t applied = applied_.load();
    while (applied < state->sequence && !applied_.compare_exchange_weak(applied, state->sequence)) {
    }
  }
  absl::StatusOr<LeaseGrant> grant =
      redis_->RenewLease(options_.instance_id, options_.lease, applied_.load());
  if (!grant.ok()) return;
  switch (grant->outcome) {
    case LeaseGrant::Outcome::kBehind:
      lease_refusals_.fetch_add(1);
      return;
    case LeaseGrant::Outcome::kGranted: {
      // A lease that lapsed in Redis: messages may have gone to nobody meanwhile.
      leases_granted_.fetch_add(1);
      store_->InvalidateAll();
      uint64_t applied = applied_.load();
      while (applied < grant->sequence &&
             !applied_.compare_exchange_weak(applied, grant->sequence)) {
      }
      break;
    }
    case LeaseGrant::Outcome::kExtended:
      break;
  }
  expiry_ns_.store(sent_ns + absl::ToInt64Nanoseconds(options_.lease - margin_),
                   std::memory_order_release);
}

CoherenceFigures L1Coherence::Figures() const {
  CoherenceFigures out;
  out.serving = Serving();
  out.subscribed = subscribed_.load();
  out.applied = applied_.load();
  out.leases_granted = leases_granted_.load();
  out.lease_refusals = lease_refusals_.load();
  out.acknowledgement_timeouts = ack_timeouts_.load();
  out.bad_messages = bad_messages_.load();
  return out;
}

}  // namespace querygate::cache
