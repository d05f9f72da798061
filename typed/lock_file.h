#ifndef QUERYGATE_TYPED_LOCK_FILE_H_
#define QUERYGATE_TYPED_LOCK_FILE_H_

#include <map>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "schema/model.h"

namespace querygate::typed {

// One live field (or enum value) of a lock table: its number, and for fields the wire
// signature it was given (see Signature in typed/type_mapping.h).
struct LockEntry {
  int number = 0;
  std::string signature;
  bool operator==(const LockEntry&) const = default;
};

// The numbers of one message (a model: its columns and relations) or one enum.
struct LockTable {
  std::map<std::string, LockEntry> live;
  std::set<int> reserved_numbers;
  std::set<std::string> reserved_names;

  // One past the largest number ever used (live or reserved), skipping protobuf's reserved
  // range 19000-19999; 1 for an empty table.
  int NextNumber() const;
  bool operator==(const LockTable&) const = default;
};

// The field-number lock committed beside the schema (docs/typed-services.md).
struct TypedLock {
  std::map<std::string, LockTable> models;
  std::map<std::string, LockTable> enums;
  bool operator==(const TypedLock&) const = default;
};

// The default lock path of a schema directory: "<dir>/typed.lock" (not *.json, so the schema
// loaders skip it).
std::string DefaultLockPath(absl::string_view schema_dir);

// Parses lock JSON. Fails with INVALID_ARGUMENT naming the bad key.
absl::StatusOr<TypedLock> ParseLock(absl::string_view text);

// The lock as stable, sorted, indented JSON ending in a newline.
std::string SerializeLock(const TypedLock& lock);

// Reads `path`; a missing file is an empty lock. Fails with INVALID_ARGUMENT (bad JSON, with
// the path) or UNAVAILABLE (unreadable).
absl::StatusOr<TypedLock> ReadLockFile(const std::string& path);

// Writes `lock` to `path` (through a temporary file and a rename). Fails with UNAVAILABLE.
absl::Status WriteLockFile(const std::string& path, const TypedLock& lock);

// The lock after `schema`: every model field, relation and enum value keeps its number; a new
// one gets the table's next number (in declared order, so the result is deterministic); one
// that is gone, or whose wire signature changed, has its number reserved (and its name too
// when gone). A reserved name that comes back gets a new number. Tables of removed models
// and enums are kept unchanged.
TypedLock UpdateLock(const TypedLock& lock, const schema::Schema& schema);

// Reads `path`, applies UpdateLock and writes it back when it changed. Returns whether it
// changed. Fails like ReadLockFile and WriteLockFile.
absl::StatusOr<bool> RefreshLockFile(const std::string& path, const schema::Schema& schema);

}  // namespace querygate::typed

#endif  // QUERYGATE_TYPED_LOCK_FILE_H_
