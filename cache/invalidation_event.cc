#include "cache/invalidation_event.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "cache/internal/redis_connection.h"
#include "nlohmann/json.hpp"

namespace querygate::cache {
namespace {

absl::Status ReadNames(const nlohmann::json& json, const char* key, std::vector<std::string>& out) {
  auto it = json.find(key);
  if (it == json.end()) return absl::OkStatus();
  if (!it->is_array()) {
    return absl::InvalidArgumentError(absl::StrCat(key, ": expected an array of strings"));
  }
  for (const auto& item : *it) {
    if (!item.is_string() || item.get<std::string>().empty()) {
      return absl::InvalidArgumentError(absl::StrCat(key, ": expected non-empty strings"));
    }
    out.push_back(item.get<std::string>());
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<InvalidationEvent> ParseInvalidationEvent(absl::string_view message) {
  absl::string_view trimmed = absl::StripAsciiWhitespace(message);
  InvalidationEvent event;
  if (!trimmed.empty() && trimmed[0] != '{') {
    for (char c : trimmed) {
      if (!absl::ascii_isalnum(c) && c != '_' && c != '.') {
        return absl::InvalidArgumentError("message: expected a JSON object or a bare table name");
      }
    }
    event.tables.emplace_back(trimmed);
    return event;
  }
  nlohmann::json json = nlohmann::json::parse(trimmed.begin(), trimmed.end(), nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    return absl::InvalidArgumentError("message: not a JSON object");
  }
  if (auto s = ReadNames(json, "tables", event.tables); !s.ok()) return s;
  if (auto s = ReadNames(json, "queries", event.queries); !s.ok()) return s;
  if (auto s = ReadNames(json, "tags", event.tags); !s.ok()) return s;
  if (auto it = json.find("source"); it != json.end() && it->is_string()) {
    event.source = it->get<std::string>();
  }
  if (auto it = json.find("tenant"); it != json.end()) {
    if (it->is_string() && !it->get<std::string>().empty()) {
      event.tenant = it->get<std::string>();
    } else if (it->is_number_integer()) {
      event.tenant = it->dump();
    } else if (!it->is_null()) {
      return absl::InvalidArgumentError("tenant: expected a non-empty string or an integer");
    }
  }
  if (event.empty()) {
    return absl::InvalidArgumentError("message: name at least one of tables, queries, tags");
  }
  return event;
}

std::string InvalidationEventJson(const InvalidationEvent& event) {
  nlohmann::json json = nlohmann::json::object();
  if (!event.tables.empty()) json["tables"] = event.tables;
  if (!event.queries.empty()) json["queries"] = event.queries;
  if (!event.tags.empty()) json["tags"] = event.tags;
  if (!event.source.empty()) json["source"] = event.source;
  if (!event.tenant.empty()) json["tenant"] = event.tenant;
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<std::string> ChangeNotifyPayloads(const std::vector<std::string>& tables,
                                              const std::string& tenant, const std::string& source,
                                              size_t max_bytes) {
  std::vector<std::string> out;
  if (tables.empty()) return out;
  InvalidationEvent event;
  event.tables = tables;
  event.tenant = tenant;
  event.source = source;
  std::string all = InvalidationEventJson(event);
  if (all.size() <= max_bytes) {
    out.push_back(std::move(all));
    return out;
  }
  for (const std::string& table : tables) {
    event.tables = {table};
    std::string one = InvalidationEventJson(event);
    out.push_back(one.size() <= max_bytes ? std::move(one) : table);
  }
  return out;
}

absl::StatusOr<int64_t> PublishInvalidation(const RedisOptions& options, const std::string& channel,
                                            const InvalidationEvent& event) {
  auto context = internal::Connect(options);
  if (!context.ok()) return context.status();
  auto reply =
      internal::Command(context->get(), {"PUBLISH", channel, InvalidationEventJson(event)});
  if (!reply.ok()) return reply.status();
  return static_cast<int64_t>((*reply)->integer);
}

}  // namespace querygate::cache
