#ifndef QUERYGATE_CACHE_L1_COHERENCE_H_
#define QUERYGATE_CACHE_L1_COHERENCE_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/time/time.h"
#include "cache/invalidation_subscriber.h"
#include "cache/l1_store.h"
#include "cache/redis_query_cache.h"

namespace querygate::cache {

struct CoherenceOptions {
  std::string instance_id;  // unique per process
  // Hold a lease and keep an in-process tier; false: only wait for the instances that do.
  bool hold_lease = true;
  absl::Duration lease = absl::Seconds(1);
  // Wait for the lease holders before acknowledging an invalidation. Off only to demonstrate
  // the stale reads that waiting prevents.
  bool await_acknowledgements = true;
  // How long the subscription may stay silent before it is probed, and the probe's timeout.
  absl::Duration ping_interval = absl::Seconds(1);
  absl::Duration ping_timeout = absl::Seconds(3);
};

struct CoherenceFigures {
  bool serving = false;
  bool subscribed = false;
  uint64_t applied = 0;
  int64_t leases_granted = 0;  // new leases (each drops what the tier held)
  int64_t lease_refusals = 0;  // renewals refused because messages were not applied in time
  int64_t acknowledgement_timeouts = 0;  // holders waited out to their lease's end
  int64_t bad_messages = 0;
};

// Keeps the in-process tiers of all instances sharing a Redis coherent (Gray and Cheriton's
// leases). An instance serves from its tier only while it holds a lease, renewed in Redis,
// and its subscription to the coherence channel is up. Every invalidation is published there
// to the lease holders (RedisQueryCache::Announce), each applies it to its tier and
// acknowledges; the invalidating instance waits (AwaitAcknowledged) until every holder did or
// that holder's lease ran out. A holder that misses messages is refused renewal, so its lease
// runs out within two renewals; a lease that lapsed (a frozen or partitioned process) is
// granted anew only after the tier dropped everything.
class L1Coherence {
 public:
  // `store` may be null when !options.hold_lease. Both must outlive this object.
  L1Coherence(RedisQueryCache* redis, L1Store* store, CoherenceOptions options);
  ~L1Coherence();

  // Starts the subscription and the lease renewals. Call once.
  void Start();

  // True while the in-process tier may be served: the lease is valid by this process's clock
  // and the subscription is up.
  bool Serving() const;

  // Returns once every holder named in `announcement` applied it or lost its lease. Bounded
  // by the lease: at most two lease periods after the announcement.
  void AwaitAcknowledged(const Announcement& announcement);

  CoherenceFigures Figures() const;
  const std::string& id() const { return options_.instance_id; }

 private:
  void OnMessage(const std::string& message);
  void OnUp();
  void OnDown();
  void RenewLoop();
  void Renew();
  // Waits until `holder` acknowledged `sequence` or `until`; true when it acknowledged.
  bool WaitAck(const std::string& holder, uint64_t sequence, absl::Time until);
  void RecordAck(const std::string& holder, uint64_t sequence);

  RedisQueryCache* redis_;
  L1Store* store_;
  const CoherenceOptions options_;
  const absl::Duration margin_;
  std::unique_ptr<InvalidationSubscriber> subscriber_;

  std::atomic<bool> subscribed_{false};
  std::atomic<bool> resync_{true};
  std::atomic<int64_t> expiry_ns_{0};  // steady clock; 0: no lease
  std::atomic<uint64_t> applied_{0};
  std::atomic<int64_t> leases_granted_{0};
  std::atomic<int64_t> lease_refusals_{0};
  std::atomic<int64_t> ack_timeouts_{0};
  std::atomic<int64_t> bad_messages_{0};

  std::mutex acks_mu_;
  std::condition_variable acks_cv_;
  std::map<std::string, uint64_t> acks_;  // holder -> highest sequence acknowledged

  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  bool renew_now_ = false;
  std::thread renewer_;
};

}  // namespace querygate::cache

#endif  // QUERYGATE_CACHE_L1_COHERENCE_H_
