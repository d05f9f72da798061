#ifndef QUERYGATE_SERVICE_REPOSITORY_UUID_H_
#define QUERYGATE_SERVICE_REPOSITORY_UUID_H_

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"

namespace querygate::service {

// Generates UUIDv7 values (RFC 9562): 48-bit Unix milliseconds, version 7, then 74 bits
// treated as a counter that starts at a random value (OpenSSL RAND_bytes) each millisecond
// and increments within it ("Method 1"-style monotonic counter). Values from one generator
// are strictly increasing, also when the clock stalls or steps back. Thread-safe.
class UuidV7Generator {
 public:
  // `now_ms` returns the current Unix time in milliseconds (replaceable for tests).
  explicit UuidV7Generator(std::function<int64_t()> now_ms = nullptr);

  // Returns the next value in canonical lowercase form. Fails with INTERNAL when the random
  // source fails.
  absl::StatusOr<std::string> Next();

 private:
  absl::Status Reseed();

  std::function<int64_t()> now_ms_;
  std::mutex mu_;
  uint64_t last_ms_ = 0;
  uint64_t rand_a_ = 0;  // 12 bits
  uint64_t rand_b_ = 0;  // 62 bits
};

}  // namespace querygate::service

#endif  // QUERYGATE_SERVICE_REPOSITORY_UUID_H_
