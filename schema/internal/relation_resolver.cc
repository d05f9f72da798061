#include "schema/internal/relation_resolver.h"

#include <algorithm>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "schema/internal/naming.h"

namespace querygate::schema::internal {
namespace {

// A column that must reference `target`'s primary key.
struct FkRequest {
  size_t model = 0;
  std::string column;
  std::string target;
  std::optional<OnDelete> on_delete;
  std::string file;
  std::string path;
};

TypeKind KeyGroup(TypeKind kind) {
  if (kind == TypeKind::kUuidV7) return TypeKind::kUuid;
  if (kind == TypeKind::kText) return TypeKind::kString;
  return kind;
}

std::string TypeLabel(const FieldType& type) {
  if (type.IsArray()) return absl::StrCat(TypeKindName(type.element_kind), "[]");
  if (type.kind == TypeKind::kEnum) return absl::StrCat("@", type.enum_name);
  return std::string(TypeKindName(type.kind));
}

class RelationResolver {
 public:
  explicit RelationResolver(BuildContext& ctx) : ctx_(ctx), resolved_(ctx.relations.size()) {}

  void Run() {
    CollectFieldReferences();
    for (size_t i = 0; i < ctx_.relations.size(); ++i) {
      if (!ctx_.relations[i].many) ResolveSingle(i);
    }
    for (size_t i = 0; i < ctx_.relations.size(); ++i) {
      const PendingRelation& p = ctx_.relations[i];
      if (!p.many) continue;
      if (p.explicit_kind && p.relation.kind == RelationKind::kManyToMany) {
        ResolveManyToMany(i);
      } else {
        ResolveHasMany(i);
      }
    }
    for (size_t i = 0; i < ctx_.relations.size(); ++i) {
      if (resolved_[i].has_value()) {
        ctx_.schema.models[ctx_.relations[i].model_index].relations.push_back(*resolved_[i]);
      }
    }
    AssembleForeignKeys();
    CheckStrayOnDelete();
    SyncRelationOnDelete();
  }

 private:
  Model& ModelAt(size_t i) { return ctx_.schema.models[i]; }
  bool Usable(size_t i) const { return ctx_.sites[i].usable; }
  const std::string& FileOf(const PendingRelation& p) const {
    return ctx_.sites[p.model_index].file;
  }
  void Error(const PendingRelation& p, std::string message) {
    ctx_.diag->Error(FileOf(p), p.path, std::move(message));
  }

  std::optional<size_t> TargetIndex(const PendingRelation& p) {
    size_t index = 0;
    if (ctx_.FindModel(p.relation.target_model, &index) == nullptr) return std::nullopt;
    return index;
  }

  // Checks that `fk_model.fk_field` has the type of `key_model`'s key; reports otherwise.
  bool CheckKeyType(size_t fk_model, const std::string& fk_field, size_t key_model,
                    const std::string& file, const std::string& path) {
    const Field* field = ModelAt(fk_model).FindField(fk_field);
    const Field* key = ModelAt(key_model).PrimaryKeyField();
    if (field == nullptr || key == nullptr) return false;
    if (!field->type.IsArray() && KeyGroup(field->type.kind) == KeyGroup(key->type.kind)) {
      return true;
    }
    if (!reported_mismatches_.insert({fk_model, fk_field}).second) return false;
    ctx_.diag->Error(
        file, path,
        absl::StrCat("type mismatch: foreign key field '", ModelAt(fk_model).name, ".", fk_field,
                     "' is ", TypeLabel(field->type), " but the referenced key '",
                     ModelAt(key_model).name, ".", key->name, "' is ", TypeLabel(key->type)));
    return false;
  }

  void Request(size_t model, const std::string& column, size_t target,
               std::optional<OnDelete> on_delete, const std::string& file,
               const std::string& path) {
    requests_.push_back(FkRequest{model, column, ModelAt(target).name, on_delete, file, path});
  }

  void CollectFieldReferences() {
    for (size_t m = 0; m < ctx_.schema.models.size(); ++m) {
      for (const Field& field : ModelAt(m).fields) {
        if (field.references_model.empty()) continue;
        size_t target = 0;
        if (ctx_.FindModel(field.references_model, &target) == nullptr || !Usable(target)) {
          continue;
        }
        std::string path = JoinPath(ctx_.FieldPath(m, field.name), "references");
        if (CheckKeyType(m, field.name, target, ctx_.sites[m].file, path)) {
          Request(m, field.column, target, field.on_delete, ctx_.sites[m].file, path);
        }
      }
    }
  }

  std::optional<OnDelete> GivenOnDelete(const PendingRelation& p) const {
    if (!p.on_delete_given) return std::nullopt;
    return p.relation.on_delete;
  }

  void ResolveSingle(size_t i) {
    const PendingRelation& p = ctx_.relations[i];
    std::optional<size_t> target = TargetIndex(p);
    if (!target.has_value() || !Usable(*target)) return;
    Model& owner = ModelAt(p.model_index);
    Model& other = ModelAt(*target);
    Relation relation = p.relation;
    std::string belongs_fk =
        relation.foreign_key.empty() ? relation.name + "_id" : relation.foreign_key;
    std::string has_one_fk =
        relation.foreign_key.empty() ? owner.name + "_id" : relation.foreign_key;
    if (p.explicit_kind) {
      if (relation.kind == RelationKind::kBelongsTo && owner.FindField(belongs_fk) == nullptr) {
        Error(p, absl::StrCat("belongs_to relationship '", relation.name,
                              "' has no foreign key: expected field '", belongs_fk, "' on model '",
                              owner.name, "'"));
        return;
      }
      if (relation.kind == RelationKind::kHasOne && other.FindField(has_one_fk) == nullptr) {
        Error(p, absl::StrCat("has_one relationship '", relation.name,
                              "' has no foreign key: expected field '", has_one_fk, "' on model '",
                              other.name, "'"));
        return;
      }
    } else if (owner.FindField(belongs_fk) != nullptr) {
      relation.kind = RelationKind::kBelongsTo;
    } else if (other.FindField(has_one_fk) != nullptr) {
      relation.kind = RelationKind::kHasOne;
    } else {
      Error(p,
            absl::StrCat("cannot resolve relationship '", relation.name, "' to model '", other.name,
                         "': expected field '", belongs_fk, "' on model '", owner.name,
                         "' (belongs_to) or field '", has_one_fk, "' on model '", other.name,
                         "' (has_one); or give relationship and foreign_key explicitly"));
      return;
    }
    if (relation.kind == RelationKind::kBelongsTo) {
      relation.foreign_key = belongs_fk;
      relation.referenced_key = other.primary_key;
      if (!CheckKeyType(p.model_index, belongs_fk, *target, FileOf(p), p.path)) return;
      Request(p.model_index, owner.FindField(belongs_fk)->column, *target, GivenOnDelete(p),
              FileOf(p), p.path);
    } else {
      if (!Usable(p.model_index)) return;
      relation.foreign_key = has_one_fk;
      relation.referenced_key = owner.primary_key;
      if (!CheckKeyType(*target, has_one_fk, p.model_index, FileOf(p), p.path)) return;
      Field* fk_field = other.FindField(has_one_fk);
      if (!fk_field->primary_key) fk_field->unique = true;
      Request(*target, fk_field->column, p.model_index, GivenOnDelete(p), FileOf(p), p.path);
    }
    resolved_[i] = relation;
  }

  void ResolveHasMany(size_t i) {
    const PendingRelation& p = ctx_.relations[i];
    std::optional<size_t> target = TargetIndex(p);
    if (!target.has_value() || !Usable(*target) || !Usable(p.model_index)) return;
    Model& owner = ModelAt(p.model_index);
    Model& other = ModelAt(*target);
    Relation relation = p.relation;
    relation.kind = RelationKind::kHasMany;
    std::string fk = relation.foreign_key;
    if (!fk.empty()) {
      if (other.FindField(fk) == nullptr) {
        Error(p, absl::StrCat("has_many relationship '", relation.name,
                              "' has no foreign key: expected field '", fk, "' on model '",
                              other.name, "'"));
        return;
      }
    } else if (other.FindField(owner.name + "_id") != nullptr) {
      fk = owner.name + "_id";
    } else {
      std::vector<std::string> candidates = BackReferences(*target, owner.name);
      if (candidates.size() != 1) {
        if (candidates.empty()) {
          Error(p, absl::StrCat("has_many relationship '", relation.name,
                                "' has no foreign key: expected field '", owner.name,
                                "_id' on model '", other.name, "' (or one belongs_to from '",
                                other.name, "' back to '", owner.name, "')"));
        } else {
          Error(p, absl::StrCat("has_many relationship '", relation.name, "' is ambiguous: fields ",
                                absl::StrJoin(candidates, ", "), " of model '", other.name,
                                "' all reference '", owner.name, "'; set foreign_key"));
        }
        return;
      }
      fk = candidates[0];
    }
    relation.foreign_key = fk;
    relation.referenced_key = owner.primary_key;
    if (!CheckKeyType(*target, fk, p.model_index, FileOf(p), p.path)) return;
    Request(*target, other.FindField(fk)->column, p.model_index, GivenOnDelete(p), FileOf(p),
            p.path);
    resolved_[i] = relation;
  }

  std::vector<std::string> BackReferences(size_t target, const std::string& owner_name) {
    std::vector<std::string> names;
    auto add = [&names](const std::string& name) {
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    };
    for (size_t j = 0; j < ctx_.relations.size(); ++j) {
      if (ctx_.relations[j].model_index == target && resolved_[j].has_value() &&
          resolved_[j]->kind == RelationKind::kBelongsTo &&
          resolved_[j]->target_model == owner_name) {
        add(resolved_[j]->foreign_key);
      }
    }
    for (const Field& field : ModelAt(target).fields) {
      if (field.references_model == owner_name) add(field.name);
    }
    return names;
  }

  void ResolveManyToMany(size_t i) {
    const PendingRelation& p = ctx_.relations[i];
    Relation relation = p.relation;
    if (relation.through.empty()) {
      Error(p, absl::StrCat("many_to_many relationship '", relation.name,
                            "' needs 'through' (the junction table name)"));
      return;
    }
    if (p.on_delete_given) {
      ctx_.diag->Error(
          FileOf(p), JoinPath(p.path, "on_delete"),
          "on_delete is not used by many_to_many (junction rows are always deleted with "
          "either side)");
      return;
    }
    std::optional<size_t> target = TargetIndex(p);
    if (!target.has_value() || !Usable(*target) || !Usable(p.model_index)) return;
    Model& owner = ModelAt(p.model_index);
    Model& other = ModelAt(*target);
    if (relation.foreign_key.empty()) relation.foreign_key = owner.name + "_id";
    if (relation.other_key.empty()) relation.other_key = other.name + "_id";
    if (relation.foreign_key == relation.other_key) {
      Error(p, absl::StrCat("many_to_many relationship '", relation.name,
                            "': foreign_key and other_key are both '", relation.foreign_key,
                            "'; give them different names"));
      return;
    }
    relation.referenced_key = owner.primary_key;
    relation.target_key_other = other.primary_key;
    relation.on_delete = OnDelete::kCascade;
    if (!AddJunction(p, relation, p.model_index, *target)) return;
    resolved_[i] = relation;
  }

  Field JunctionColumn(const std::string& name, const Model& referenced) {
    Field field;
    field.name = name;
    field.column = name;
    field.type = referenced.PrimaryKeyField()->type;
    return field;
  }

  bool AddJunction(const PendingRelation& p, const Relation& relation, size_t owner,
                   size_t target) {
    const std::string owner_name = ModelAt(owner).name;
    const std::string target_name = ModelAt(target).name;
    for (Model& junction : ctx_.schema.junctions) {
      if (junction.table != relation.through) continue;
      auto maps = [&junction](const std::string& column, const std::string& model) {
        const ForeignKey* fk = junction.FindForeignKey(column);
        return fk != nullptr && fk->referenced_model == model;
      };
      if (!maps(relation.foreign_key, owner_name) || !maps(relation.other_key, target_name)) {
        std::vector<std::string> existing;
        for (const ForeignKey& fk : junction.foreign_keys) {
          existing.push_back(absl::StrCat(fk.column, " -> ", fk.referenced_model));
        }
        Error(p, absl::StrCat("junction table '", relation.through,
                              "' is declared differently here (", relation.foreign_key, " -> ",
                              owner_name, ", ", relation.other_key, " -> ", target_name,
                              ") than before (", absl::StrJoin(existing, ", "), ")"));
        return false;
      }
      return true;
    }
    Model junction;
    junction.name = relation.through;
    junction.table = relation.through;
    junction.is_junction = true;
    junction.source_file = FileOf(p);
    junction.fields.push_back(JunctionColumn(relation.foreign_key, ModelAt(owner)));
    junction.fields.push_back(JunctionColumn(relation.other_key, ModelAt(target)));
    junction.primary_key_columns = {relation.foreign_key, relation.other_key};
    junction.primary_key_name = PgObjectName(junction.table, "", "pkey");
    for (const auto& [column, referenced] :
         {std::pair<std::string, size_t>{relation.foreign_key, owner},
          std::pair<std::string, size_t>{relation.other_key, target}}) {
      ForeignKey fk;
      fk.name = PgObjectName(junction.table, column, "fkey");
      fk.column = column;
      fk.referenced_model = ModelAt(referenced).name;
      fk.referenced_table = ModelAt(referenced).table;
      fk.referenced_column = ModelAt(referenced).PrimaryKeyField()->column;
      fk.on_delete = OnDelete::kCascade;
      junction.foreign_keys.push_back(std::move(fk));
    }
    Index index;
    index.columns = {relation.other_key};
    index.name = IndexName("idx", junction.table, index.columns, "");
    index.implicit = true;
    junction.indexes.push_back(std::move(index));
    ctx_.schema.junctions.push_back(std::move(junction));
    return true;
  }

  void AssembleForeignKeys() {
    std::vector<bool> done(requests_.size(), false);
    for (size_t i = 0; i < requests_.size(); ++i) {
      if (done[i]) continue;
      const FkRequest& first = requests_[i];
      Model& model = ModelAt(first.model);
      std::vector<const FkRequest*> group;
      for (size_t j = i; j < requests_.size(); ++j) {
        if (requests_[j].model == first.model && requests_[j].column == first.column) {
          group.push_back(&requests_[j]);
          done[j] = true;
        }
      }
      bool ok = true;
      std::optional<OnDelete> action;
      for (const FkRequest* request : group) {
        if (request->target != first.target) {
          ctx_.diag->Error(request->file, request->path,
                           absl::StrCat("column '", first.column, "' of model '", model.name,
                                        "' cannot reference both '", first.target, "' and '",
                                        request->target, "'"));
          ok = false;
        }
        if (request->on_delete.has_value()) {
          if (action.has_value() && *action != *request->on_delete) {
            ctx_.diag->Error(
                request->file, request->path,
                absl::StrCat("conflicting on_delete actions for foreign key column '", model.name,
                             ".", first.column, "' (", OnDeleteSql(*action), " vs ",
                             OnDeleteSql(*request->on_delete), ")"));
            ok = false;
          }
          action = request->on_delete;
        }
      }
      const Field* field = model.FindField(first.column);
      if (!ok || field == nullptr) continue;
      if (!action.has_value()) action = field->nullable ? OnDelete::kSetNull : OnDelete::kCascade;
      if (*action == OnDelete::kSetNull && !field->nullable) {
        ctx_.diag->Error(first.file, first.path,
                         absl::StrCat("on_delete SET NULL needs a nullable foreign key column, "
                                      "but '",
                                      model.name, ".", first.column, "' is NOT NULL"));
        continue;
      }
      const Model* target = ctx_.FindModel(first.target);
      ForeignKey fk;
      fk.name = PgObjectName(model.table, first.column, "fkey");
      fk.column = first.column;
      fk.referenced_model = target->name;
      fk.referenced_table = target->table;
      fk.referenced_column = target->PrimaryKeyField()->column;
      fk.on_delete = *action;
      model.foreign_keys.push_back(std::move(fk));
    }
    for (Model& model : ctx_.schema.models) {
      auto position = [&model](const ForeignKey& fk) {
        for (size_t i = 0; i < model.fields.size(); ++i) {
          if (model.fields[i].column == fk.column) return i;
        }
        return model.fields.size();
      };
      std::stable_sort(model.foreign_keys.begin(), model.foreign_keys.end(),
                       [&position](const ForeignKey& a, const ForeignKey& b) {
                         return position(a) < position(b);
                       });
    }
  }

  void CheckStrayOnDelete() {
    for (size_t m = 0; m < ctx_.schema.models.size(); ++m) {
      for (const Field& field : ModelAt(m).fields) {
        if (field.on_delete.has_value() && ModelAt(m).FindForeignKey(field.column) == nullptr) {
          ctx_.diag->Error(ctx_.sites[m].file, JoinPath(ctx_.FieldPath(m, field.name), "on_delete"),
                           absl::StrCat("bad option value: on_delete is only valid on foreign "
                                        "key fields, and '",
                                        field.name, "' is not one"));
        }
      }
    }
  }

  void SyncRelationOnDelete() {
    for (Model& model : ctx_.schema.models) {
      for (Relation& relation : model.relations) {
        const Model* fk_owner = nullptr;
        if (relation.kind == RelationKind::kBelongsTo) {
          fk_owner = &model;
        } else if (relation.kind != RelationKind::kManyToMany) {
          fk_owner = ctx_.FindModel(relation.target_model);
        }
        if (fk_owner == nullptr) continue;
        const Field* field = fk_owner->FindField(relation.foreign_key);
        const ForeignKey* fk = field == nullptr ? nullptr : fk_owner->FindForeignKey(field->column);
        if (fk != nullptr) relation.on_delete = fk->on_delete;
      }
    }
  }

  BuildContext& ctx_;
  std::vector<std::optional<Relation>> resolved_;
  std::vector<FkRequest> requests_;
  std::set<std::pair<size_t, std::string>> reported_mismatches_;
};

}  // namespace

void ResolveRelations(BuildContext& ctx) { RelationResolver(ctx).Run(); }

}  // namespace querygate::schema::internal
