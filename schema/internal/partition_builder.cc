#include "schema/internal/partition_builder.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "schema/internal/naming.h"
#include "schema/internal/option_values.h"

namespace querygate::schema::internal {
namespace {

constexpr int kMaxAhead = 366;
constexpr int kMaxRetention = 100000;
// "<table>_pYYYYMMDD" must fit PostgreSQL's identifier limit.
constexpr size_t kPartitionSuffixBytes = 10;

class PartitionReader {
 public:
  PartitionReader(BuildContext& ctx, size_t index)
      : ctx_(ctx), model_(ctx.schema.models[index]), site_(ctx.sites[index]) {
    path_ = JoinPath(site_.options_path, "partition");
  }

  void Read() {
    const JsonNode& node = *site_.partition;
    if (!node.is_object()) {
      Error(path_, absl::StrCat("bad option value: partition must be an object like {\"by\": "
                                "\"created_at\", \"interval\": \"month\"}, got ",
                                node.KindName()));
      return;
    }
    Partitioning spec;
    bool ok = true;
    bool by_given = false;
    bool action_given = false;
    for (const auto& [key, value] : node.members) {
      std::string path = JoinPath(path_, key);
      if (key == "by") {
        std::optional<std::string> field = ReadString(value, site_.file, path, Diag());
        ok &= field.has_value();
        if (field.has_value()) spec.field = *field;
        by_given = true;
      } else if (key == "interval") {
        std::optional<std::string> text = ReadString(value, site_.file, path, Diag());
        if (!text.has_value()) {
          ok = false;
        } else if (*text == "day") {
          spec.interval = PartitionInterval::kDay;
        } else if (*text == "week") {
          spec.interval = PartitionInterval::kWeek;
        } else if (*text == "month") {
          spec.interval = PartitionInterval::kMonth;
        } else {
          Error(path, absl::StrCat("bad option value: interval must be day, week or month, got '",
                                   *text, "'"));
          ok = false;
        }
      } else if (key == "ahead") {
        ok &= ReadBounded(value, path, 0, kMaxAhead, spec.ahead);
      } else if (key == "retention") {
        ok &= ReadBounded(value, path, 1, kMaxRetention, spec.retention);
      } else if (key == "retention_action") {
        action_given = true;
        std::optional<std::string> text = ReadString(value, site_.file, path, Diag());
        if (!text.has_value()) {
          ok = false;
        } else if (*text == "detach") {
          spec.retention_action = RetentionAction::kDetach;
        } else if (*text == "drop") {
          spec.retention_action = RetentionAction::kDrop;
        } else {
          Error(path, absl::StrCat("bad option value: retention_action must be detach or drop, "
                                   "got '",
                                   *text, "'"));
          ok = false;
        }
      } else {
        Error(path, absl::StrCat("unknown partition option '", key,
                                 "' (expected by, interval, ahead, retention, retention_action)"));
        ok = false;
      }
    }
    if (!by_given) {
      Error(path_, "partition: 'by' is required (the datetime or date field to partition by)");
      return;
    }
    if (action_given && spec.retention == 0) {
      Error(JoinPath(path_, "retention_action"),
            "partition: retention_action needs retention (how many older partitions to keep)");
      ok = false;
    }
    ok &= CheckField(spec);
    ok &= CheckModel();
    if (!ok) return;
    model_.partitioning = std::move(spec);
    CheckUniqueness();
  }

 private:
  Diagnostics& Diag() { return *ctx_.diag; }
  void Error(const std::string& path, std::string message) {
    Diag().Error(site_.file, path, std::move(message));
  }

  bool ReadBounded(const JsonNode& value, const std::string& path, int low, int high, int& out) {
    std::optional<int64_t> v = ReadInteger(value, site_.file, path, Diag());
    if (!v.has_value()) return false;
    if (*v < low || *v > high) {
      std::string key = path.substr(path.rfind('.') + 1);
      Error(path, absl::StrCat("bad option value: ", key, " must be between ", low, " and ", high));
      return false;
    }
    out = static_cast<int>(*v);
    return true;
  }

  bool CheckField(Partitioning& spec) {
    std::string path = JoinPath(path_, "by");
    const Field* field = model_.FindField(spec.field);
    if (field == nullptr) {
      Error(path,
            absl::StrCat("partition: model '", model_.name, "' has no field '", spec.field, "'"));
      return false;
    }
    if (field->type.kind != TypeKind::kDateTime && field->type.kind != TypeKind::kDate) {
      Error(path,
            absl::StrCat("partition: field '", spec.field, "' must be a datetime or date, not ",
                         TypeKindName(field->type.kind)));
      return false;
    }
    if (field->nullable) {
      Error(path, absl::StrCat("partition: field '", spec.field,
                               "' must not be nullable (every row needs a partition)"));
      return false;
    }
    spec.column = field->column;
    return true;
  }

  bool CheckModel() {
    if (ctx_.schema.tenancy.has_value() && ctx_.schema.tenancy->model == model_.name) {
      Error(path_, "partition: the tenant model cannot be partitioned");
      return false;
    }
    if (model_.tenant_scoped()) {
      Error(path_, "partition: tenant-scoped models cannot be partitioned yet");
      return false;
    }
    if (model_.table.size() + kPartitionSuffixBytes > kMaxIdentifierBytes) {
      Error(path_, absl::StrCat("partition: table name '", model_.table, "' is longer than ",
                                kMaxIdentifierBytes - kPartitionSuffixBytes,
                                " bytes, too long for its partitions' names (<table>_pYYYYMMDD)"));
      return false;
    }
    return true;
  }

  // PostgreSQL requires every unique constraint of a partitioned table to include the
  // partition key, and a foreign key needs a unique target.
  void CheckUniqueness() {
    const std::string& column = model_.partitioning->column;
    for (const Field& field : model_.fields) {
      if (field.unique && !field.primary_key && field.column != column) {
        Error(ctx_.FieldPath(ModelIndex(), field.name),
              absl::StrCat("partition: unique field '", field.name, "' of partitioned model '",
                           model_.name,
                           "' must include the partition key; PostgreSQL requires it. Drop "
                           "`unique` and declare a unique index on [\"",
                           field.name, "\", \"", model_.partitioning->field, "\"]"));
      }
    }
    for (const Index& index : model_.indexes) {
      if (!index.unique || index.implicit) continue;
      if (std::find(index.columns.begin(), index.columns.end(), column) == index.columns.end()) {
        Error(JoinPath(site_.options_path, "indexes"),
              absl::StrCat("partition: unique index '", index.name,
                           "' must include the partition column '", column,
                           "'; PostgreSQL requires it on a partitioned table"));
      }
    }
    for (const Model* other : ctx_.schema.AllTables()) {
      for (const ForeignKey& fk : other->foreign_keys) {
        if (fk.referenced_table != model_.table) continue;
        Error(site_.path,
              absl::StrCat("partition: ", other->name, ".", fk.column, " references '", model_.name,
                           "', which is partitioned: its key in the database is (",
                           model_.primary_key_columns.empty() ? "" : model_.primary_key_columns[0],
                           ", ", column,
                           "), so no foreign key can point at it; drop the relation or the "
                           "partitioning"));
      }
    }
  }

  size_t ModelIndex() const { return static_cast<size_t>(&model_ - ctx_.schema.models.data()); }

  BuildContext& ctx_;
  Model& model_;
  ModelSite& site_;
  std::string path_;
};

}  // namespace

void ResolvePartitioning(BuildContext& ctx) {
  for (size_t i = 0; i < ctx.schema.models.size(); ++i) {
    if (ctx.sites[i].partition == nullptr || !ctx.sites[i].usable) continue;
    PartitionReader(ctx, i).Read();
  }
}

}  // namespace querygate::schema::internal
