#ifndef QUERYGATE_CACHE_CACHE_ENTRY_H_
#define QUERYGATE_CACHE_CACHE_ENTRY_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "cache/query_cache.h"

namespace querygate::cache {

// What is stored under a result key: when it was filled, for how long it is fresh, how long
// after that it may still be served stale, whether instances may keep it in process, the
// generations it was stamped with, and the serialised result.
struct CacheEntry {
  int64_t filled_at_ms = 0;
  int64_t ttl_ms = 0;
  int64_t stale_ms = 0;
  bool local = false;
  Generations generations;
  std::string payload;
};

// Returns the binary form of `entry` (a versioned header, then the payload).
std::string EncodeEntry(const CacheEntry& entry);

// Parses EncodeEntry's output; nullopt for anything else (a foreign or corrupt value).
std::optional<CacheEntry> DecodeEntry(absl::string_view bytes);

}  // namespace querygate::cache

#endif  // QUERYGATE_CACHE_CACHE_ENTRY_H_
