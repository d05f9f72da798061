#include "service/repository_uuid.h"

#include <openssl/rand.h>

#include <chrono>

namespace querygate::service {
namespace {

constexpr uint64_t kRandBMask = (uint64_t{1} << 62) - 1;
constexpr uint64_t kRandAMask = 0xFFF;

int64_t SystemMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

UuidV7Generator::UuidV7Generator(std::function<int64_t()> now_ms)
    : now_ms_(now_ms ? std::move(now_ms) : SystemMillis) {}

absl::Status UuidV7Generator::Reseed() {
  unsigned char bytes[10];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    return absl::InternalError("uuid_v7: the random source failed");
  }
  // The top bit of rand_a stays clear so that a millisecond has room for 2^73 increments.
  rand_a_ = ((uint64_t{bytes[0]} << 8) | bytes[1]) & (kRandAMask >> 1);
  rand_b_ = 0;
  for (int i = 2; i < 10; ++i) rand_b_ = (rand_b_ << 8) | bytes[i];
  rand_b_ &= kRandBMask;
  return absl::OkStatus();
}

absl::StatusOr<std::string> UuidV7Generator::Next() {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t now = static_cast<uint64_t>(now_ms_()) & ((uint64_t{1} << 48) - 1);
  if (now > last_ms_) {
    absl::Status seeded = Reseed();
    if (!seeded.ok()) return seeded;
    last_ms_ = now;
  } else if (rand_b_ < kRandBMask) {
    ++rand_b_;
  } else {
    rand_b_ = 0;
    if (rand_a_ < kRandAMask) {
      ++rand_a_;
    } else {
      // The counter is exhausted: borrow the next millisecond.
      absl::Status seeded = Reseed();
      if (!seeded.ok()) return seeded;
      ++last_ms_;
    }
  }
  unsigned char b[16];
  for (int i = 0; i < 6; ++i) b[i] = static_cast<unsigned char>(last_ms_ >> (40 - 8 * i));
  b[6] = static_cast<unsigned char>(0x70 | ((rand_a_ >> 8) & 0x0F));
  b[7] = static_cast<unsigned char>(rand_a_ & 0xFF);
  b[8] = static_cast<unsigned char>(0x80 | ((rand_b_ >> 56) & 0x3F));
  for (int i = 9; i < 16; ++i) b[i] = static_cast<unsigned char>(rand_b_ >> (8 * (15 - i)));
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 0xF]);
  }
  return out;
}

}  // namespace querygate::service
