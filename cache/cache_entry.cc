#include "cache/cache_entry.h"

#include <cstring>

namespace querygate::cache {
namespace {

constexpr char kMagic[4] = {'Q', 'G', 'E', '2'};

void PutInt(std::string& out, int64_t v) {
  char buf[8];
  std::memcpy(buf, &v, 8);
  out.append(buf, 8);
}

bool GetInt(absl::string_view& in, int64_t& v) {
  if (in.size() < 8) return false;
  std::memcpy(&v, in.data(), 8);
  in.remove_prefix(8);
  return true;
}

}  // namespace

std::string EncodeEntry(const CacheEntry& entry) {
  std::string out;
  out.reserve(4 + 8 * (5 + entry.generations.size()) + entry.payload.size());
  out.append(kMagic, 4);
  PutInt(out, entry.filled_at_ms);
  PutInt(out, entry.ttl_ms);
  PutInt(out, entry.stale_ms);
  PutInt(out, entry.local ? 1 : 0);
  PutInt(out, static_cast<int64_t>(entry.generations.size()));
  for (int64_t g : entry.generations) PutInt(out, g);
  out.append(entry.payload);
  return out;
}

std::optional<CacheEntry> DecodeEntry(absl::string_view in) {
  if (in.size() < 4 || std::memcmp(in.data(), kMagic, 4) != 0) return std::nullopt;
  in.remove_prefix(4);
  CacheEntry entry;
  int64_t count = 0;
  int64_t local = 0;
  if (!GetInt(in, entry.filled_at_ms) || !GetInt(in, entry.ttl_ms) || !GetInt(in, entry.stale_ms) ||
      !GetInt(in, local) || !GetInt(in, count) || count < 0 || count > 1024 || entry.stale_ms < 0 ||
      (local != 0 && local != 1)) {
    return std::nullopt;
  }
  entry.local = local == 1;
  entry.generations.resize(count);
  for (int64_t& g : entry.generations) {
    if (!GetInt(in, g)) return std::nullopt;
  }
  entry.payload = std::string(in);
  return entry;
}

}  // namespace querygate::cache
