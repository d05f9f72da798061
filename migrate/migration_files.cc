#include "migrate/migration_files.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "common/sha256.h"
#include "common/status_macros.h"
#include "migrate/sql_statements.h"

namespace querygate::migrate {
namespace fs = std::filesystem;
namespace {

absl::StatusOr<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InternalError(absl::StrCat("cannot read ", path.string()));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Orders ids numerically ("10" after "9") without overflow on long timestamps.
bool IdLess(const std::string& a, const std::string& b) {
  absl::string_view x = a, y = b;
  while (x.size() > 1 && x[0] == '0') x.remove_prefix(1);
  while (y.size() > 1 && y[0] == '0') y.remove_prefix(1);
  if (x.size() != y.size()) return x.size() < y.size();
  return x < y;
}

// Parses the statements of a no-transaction file, or checks that a transactional one holds
// nothing that must run outside a transaction.
absl::Status ParseMode(const std::string& sql, const std::string& path, bool& transactional,
                       std::vector<std::string>& statements) {
  transactional = !HasNoTransactionHeader(sql);
  if (!transactional) {
    auto parsed = NoTransactionStatements(sql, path);
    if (!parsed.ok()) return parsed.status();
    statements = *std::move(parsed);
    return absl::OkStatus();
  }
  std::vector<std::string> all = SplitSqlStatements(sql);
  for (size_t i = 0; i < all.size(); ++i) {
    if (NeedsNoTransaction(all[i])) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ": statement ", i + 1,
          " cannot run inside a transaction; make it a migration of its own whose first line is ",
          kNoTransactionHeader));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<MigrationFile>> ReadMigrations(const std::string& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return std::vector<MigrationFile>{};
  std::map<std::string, MigrationFile> by_stem;
  std::map<std::string, std::string> downs;
  std::map<std::string, std::vector<std::string>> down_statements;
  std::vector<fs::path> paths;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file()) paths.push_back(entry.path());
  }
  if (ec) return absl::InternalError(absl::StrCat("cannot list ", dir, ": ", ec.message()));
  std::sort(paths.begin(), paths.end());
  for (const fs::path& path : paths) {
    std::string file = path.filename().string();
    if (!absl::EndsWith(file, ".sql")) continue;
    absl::string_view stem = file;
    bool is_down = absl::ConsumeSuffix(&stem, ".down.sql");
    if (!is_down && !absl::ConsumeSuffix(&stem, ".up.sql")) absl::ConsumeSuffix(&stem, ".sql");
    size_t digits = 0;
    while (digits < stem.size() && absl::ascii_isdigit(stem[digits])) ++digits;
    if (digits == 0 || (digits < stem.size() && stem[digits] != '_')) {
      return absl::InvalidArgumentError(
          absl::StrCat(path.string(),
                       ": a migration file name must be <digits>_<name>.up.sql, "
                       "<digits>_<name>.down.sql or <digits>_<name>.sql"));
    }
    auto text = ReadFile(path);
    if (!text.ok()) return text.status();
    std::string key(stem);
    if (is_down) {
      bool transactional = true;
      std::vector<std::string> statements;
      QG_RETURN_IF_ERROR(ParseMode(*text, path.string(), transactional, statements));
      if (!transactional) down_statements[key] = std::move(statements);
      downs[key] = *std::move(text);
      continue;
    }
    MigrationFile migration;
    migration.id = std::string(stem.substr(0, digits));
    migration.description =
        digits < stem.size() ? std::string(stem.substr(digits + 1)) : migration.id;
    migration.checksum = Sha256Hex(*text);
    migration.up_sql = *std::move(text);
    migration.up_path = path.string();
    QG_RETURN_IF_ERROR(ParseMode(migration.up_sql, migration.up_path, migration.transactional,
                                 migration.up_statements));
    if (by_stem.count(key)) {
      return absl::InvalidArgumentError(
          absl::StrCat(path.string(), ": migration ", key, " is defined twice"));
    }
    by_stem[key] = std::move(migration);
  }
  for (auto& [stem, down] : downs) {
    auto it = by_stem.find(stem);
    if (it == by_stem.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat(dir, "/", stem, ".down.sql: no matching up migration"));
    }
    it->second.down_sql = down;
    if (auto d = down_statements.find(stem); d != down_statements.end()) {
      it->second.down_transactional = false;
      it->second.down_statements = d->second;
    }
  }
  std::vector<MigrationFile> out;
  for (auto& [stem, migration] : by_stem) out.push_back(std::move(migration));
  std::sort(out.begin(), out.end(),
            [](const MigrationFile& a, const MigrationFile& b) { return IdLess(a.id, b.id); });
  for (size_t i = 1; i < out.size(); ++i) {
    if (!IdLess(out[i - 1].id, out[i].id)) {
      return absl::InvalidArgumentError(absl::StrCat(out[i].up_path, ": migration id ", out[i].id,
                                                     " is also used by ", out[i - 1].up_path));
    }
  }
  return out;
}

std::string NextMigrationId(const std::vector<MigrationFile>& existing) {
  if (existing.empty()) return "0001";
  std::string last = existing.back().id;
  std::string next = last;
  int i = static_cast<int>(next.size()) - 1;
  while (i >= 0 && next[i] == '9') next[i--] = '0';
  if (i < 0) {
    next.insert(next.begin(), '1');
  } else {
    ++next[i];
  }
  return next;
}

std::string SanitizeMigrationName(const std::string& name) {
  std::string out;
  for (char c : absl::AsciiStrToLower(name)) {
    bool keep = absl::ascii_isalnum(c);
    if (keep) {
      out.push_back(c);
    } else if (!out.empty() && out.back() != '_') {
      out.push_back('_');
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out.empty() ? "migration" : out;
}

absl::StatusOr<std::string> WriteMigration(const std::string& dir, const std::string& id,
                                           const std::string& name, const std::string& up_sql,
                                           const std::string& down_sql) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", dir, ": ", ec.message()));
  std::string stem = absl::StrCat(id, "_", SanitizeMigrationName(name));
  fs::path up = fs::path(dir) / (stem + ".up.sql");
  fs::path down = fs::path(dir) / (stem + ".down.sql");
  if (fs::exists(up) || fs::exists(down)) {
    return absl::AlreadyExistsError(absl::StrCat(up.string(), " already exists"));
  }
  for (const auto& [path, text] : {std::pair{up, &up_sql}, std::pair{down, &down_sql}}) {
    std::ofstream out(path, std::ios::binary);
    out << *text;
    if (!out) return absl::InternalError(absl::StrCat("cannot write ", path.string()));
  }
  return up.string();
}

}  // namespace querygate::migrate
