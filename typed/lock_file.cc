#include "typed/lock_file.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "typed/type_mapping.h"

namespace querygate::typed {
namespace {

using nlohmann::json;

constexpr char kFormat[] = "querygate.typed.lock/1";

json TableToJson(const LockTable& table, const char* live_key, bool with_signature) {
  json live = json::object();
  for (const auto& [name, entry] : table.live) {
    if (with_signature) {
      live[name] = {{"number", entry.number}, {"type", entry.signature}};
    } else {
      live[name] = entry.number;
    }
  }
  return {{live_key, live},
          {"reserved_numbers", table.reserved_numbers},
          {"reserved_names", table.reserved_names}};
}

absl::StatusOr<LockTable> TableFromJson(const json& in, const char* live_key, bool with_signature,
                                        const std::string& path) {
  auto bad = [&](const std::string& where, const char* what) {
    return absl::InvalidArgumentError(absl::StrCat(path, where, ": ", what));
  };
  if (!in.is_object()) return bad("", "expected an object");
  LockTable table;
  for (const auto& [key, value] : in.items()) {
    if (key == live_key) {
      if (!value.is_object()) return bad(absl::StrCat(".", key), "expected an object");
      for (const auto& [name, entry] : value.items()) {
        std::string where = absl::StrCat(".", key, ".", name);
        LockEntry out;
        const json& number = with_signature && entry.is_object() && entry.contains("number")
                                 ? entry.at("number")
                                 : entry;
        if (!number.is_number_integer() || number.get<int64_t>() < 1 ||
            number.get<int64_t>() > 536870911) {
          return bad(where, "expected a field number 1..536870911");
        }
        out.number = number.get<int>();
        if (with_signature) {
          if (!entry.is_object() || !entry.contains("type") || !entry.at("type").is_string()) {
            return bad(where, "expected {\"number\": N, \"type\": \"...\"}");
          }
          out.signature = entry.at("type").get<std::string>();
        }
        table.live.emplace(name, std::move(out));
      }
    } else if (key == "reserved_numbers") {
      if (!value.is_array()) return bad(".reserved_numbers", "expected an array");
      for (const json& n : value) {
        if (!n.is_number_integer()) return bad(".reserved_numbers", "expected integers");
        table.reserved_numbers.insert(n.get<int>());
      }
    } else if (key == "reserved_names") {
      if (!value.is_array()) return bad(".reserved_names", "expected an array");
      for (const json& n : value) {
        if (!n.is_string()) return bad(".reserved_names", "expected strings");
        table.reserved_names.insert(n.get<std::string>());
      }
    } else {
      return bad(absl::StrCat(".", key), "unknown key");
    }
  }
  return table;
}

// Brings `table` to `wanted` (name -> signature, in declared order).
void UpdateTable(const std::vector<std::pair<std::string, std::string>>& wanted, LockTable& table) {
  std::set<std::string> present;
  for (const auto& [name, signature] : wanted) {
    present.insert(name);
    auto it = table.live.find(name);
    if (it != table.live.end() && it->second.signature == signature) continue;
    if (it != table.live.end()) table.reserved_numbers.insert(it->second.number);
    table.reserved_names.erase(name);
    table.live[name] = LockEntry{table.NextNumber(), signature};
  }
  for (auto it = table.live.begin(); it != table.live.end();) {
    if (present.count(it->first) > 0) {
      ++it;
      continue;
    }
    table.reserved_numbers.insert(it->second.number);
    table.reserved_names.insert(it->first);
    it = table.live.erase(it);
  }
}

}  // namespace

int LockTable::NextNumber() const {
  int max = 0;
  for (const auto& [name, entry] : live) max = std::max(max, entry.number);
  if (!reserved_numbers.empty()) max = std::max(max, *reserved_numbers.rbegin());
  int next = max + 1;
  if (next >= 19000 && next <= 19999) next = 20000;
  return next;
}

std::string DefaultLockPath(absl::string_view schema_dir) {
  return absl::StrCat(schema_dir, "/typed.lock");
}

absl::StatusOr<TypedLock> ParseLock(absl::string_view text) {
  json root = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded() || !root.is_object()) {
    return absl::InvalidArgumentError("lock: not a JSON object");
  }
  TypedLock lock;
  for (const auto& [key, value] : root.items()) {
    if (key == "format") {
      if (value != kFormat) {
        return absl::InvalidArgumentError(absl::StrCat("lock.format: expected \"", kFormat, "\""));
      }
    } else if (key == "models" || key == "enums") {
      if (!value.is_object()) {
        return absl::InvalidArgumentError(absl::StrCat("lock.", key, ": expected an object"));
      }
      bool models = key == "models";
      for (const auto& [name, table] : value.items()) {
        auto parsed = TableFromJson(table, models ? "fields" : "values", models,
                                    absl::StrCat("lock.", key, ".", name));
        if (!parsed.ok()) return parsed.status();
        (models ? lock.models : lock.enums).emplace(name, *std::move(parsed));
      }
    } else {
      return absl::InvalidArgumentError(absl::StrCat("lock.", key, ": unknown key"));
    }
  }
  return lock;
}

std::string SerializeLock(const TypedLock& lock) {
  json models = json::object();
  for (const auto& [name, table] : lock.models) models[name] = TableToJson(table, "fields", true);
  json enums = json::object();
  for (const auto& [name, table] : lock.enums) enums[name] = TableToJson(table, "values", false);
  json root = {{"format", kFormat}, {"models", models}, {"enums", enums}};
  return root.dump(2) + "\n";
}

absl::StatusOr<TypedLock> ReadLockFile(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec) && !ec) return TypedLock{};
  std::ifstream in(path, std::ios::binary);
  if (!in.is_open()) return absl::UnavailableError(absl::StrCat(path, ": cannot be read"));
  std::stringstream text;
  text << in.rdbuf();
  auto lock = ParseLock(text.str());
  if (!lock.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", lock.status().message()));
  }
  return lock;
}

absl::Status WriteLockFile(const std::string& path, const TypedLock& lock) {
  std::string temp = absl::StrCat(path, ".tmp");
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << SerializeLock(lock);
    if (!out.good()) return absl::UnavailableError(absl::StrCat(temp, ": cannot be written"));
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    return absl::UnavailableError(absl::StrCat(path, ": cannot be written"));
  }
  return absl::OkStatus();
}

TypedLock UpdateLock(const TypedLock& lock, const schema::Schema& schema) {
  TypedLock out = lock;
  for (const schema::Model& model : schema.models) {
    std::vector<std::pair<std::string, std::string>> wanted;
    for (const schema::Field& field : model.fields) {
      wanted.emplace_back(field.name, Signature(ShapeOfField(field)));
    }
    for (const schema::Relation& relation : model.relations) {
      wanted.emplace_back(relation.name, Signature(ShapeOfRelation(relation)));
    }
    UpdateTable(wanted, out.models[model.name]);
  }
  for (const schema::Enum& e : schema.enums) {
    std::vector<std::pair<std::string, std::string>> wanted;
    for (const std::string& value : e.values) wanted.emplace_back(value, "");
    UpdateTable(wanted, out.enums[e.name]);
  }
  return out;
}

absl::StatusOr<bool> RefreshLockFile(const std::string& path, const schema::Schema& schema) {
  auto lock = ReadLockFile(path);
  if (!lock.ok()) return lock.status();
  std::error_code ec;
  bool existed = std::filesystem::exists(path, ec);
  TypedLock updated = UpdateLock(*lock, schema);
  if (existed && updated == *lock) return false;
  absl::Status written = WriteLockFile(path, updated);
  if (!written.ok()) return written;
  return true;
}

}  // namespace querygate::typed
