#include "service/invalidation_hub.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "schema/tenancy.h"

namespace querygate::service {
namespace {

std::atomic<int64_t>& CounterFor(InvalidationCounts& counts, InvalidationSource source) {
  switch (source) {
    case InvalidationSource::kWrite:
      return counts.write;
    case InvalidationSource::kTrigger:
      return counts.trigger;
    default:
      return counts.event;
  }
}

}  // namespace

InvalidationHub::InvalidationHub(cache::QueryCache* cache, const QueryRegistry* registry,
                                 const schema::Schema* schema, std::vector<Feed> feeds)
    : cache_(cache),
      registry_(registry),
      schema_(schema),
      tenants_(schema),
      required_(feeds.begin(), feeds.end()) {
  for (const RegisteredQuery& q : registry_->queries()) {
    query_counts_[q.def.name] = std::make_unique<InvalidationCounts>();
  }
  for (const schema::Model& model : schema->models) {
    model_counts_[model.name] = std::make_unique<InvalidationCounts>();
    models_by_table_[model.table].push_back(model.name);
  }
  std::lock_guard<std::mutex> lock(mu_);
  UpdateTrustLocked();
}

const InvalidationCounts* InvalidationHub::QueryCounts(const std::string& query) const {
  auto it = query_counts_.find(query);
  return it == query_counts_.end() ? nullptr : it->second.get();
}

const InvalidationCounts* InvalidationHub::ModelCounts(const std::string& model) const {
  auto it = model_counts_.find(model);
  return it == model_counts_.end() ? nullptr : it->second.get();
}

void InvalidationHub::Count(const cache::InvalidationEvent& event, InvalidationSource source) {
  std::set<std::string> tables(event.tables.begin(), event.tables.end());
  for (const RegisteredQuery& q : registry_->queries()) {
    bool hit =
        std::find(event.queries.begin(), event.queries.end(), q.def.name) != event.queries.end();
    for (const std::string& t : q.tables) hit = hit || tables.count(t);
    for (const std::string& tag : q.def.tags) {
      hit = hit || std::find(event.tags.begin(), event.tags.end(), tag) != event.tags.end();
    }
    if (hit) CounterFor(*query_counts_.at(q.def.name), source).fetch_add(1);
  }
  for (const std::string& table : tables) {
    auto it = models_by_table_.find(table);
    if (it == models_by_table_.end()) continue;
    for (const std::string& model : it->second) {
      CounterFor(*model_counts_.at(model), source).fetch_add(1);
    }
  }
}

absl::Status InvalidationHub::Invalidate(const cache::InvalidationEvent& event,
                                         InvalidationSource source) {
  std::string tenant;
  if (!event.tenant.empty()) {
    if (!schema_->tenancy) {
      return absl::InvalidArgumentError("tenant: the schema declares no tenancy");
    }
    QG_ASSIGN_OR_RETURN(tenant, schema::CanonicalTenant(*schema_->tenancy, event.tenant));
  }
  std::vector<std::string> dependencies;
  for (const std::string& table : event.tables) {
    if (table.empty()) return absl::InvalidArgumentError("tables: empty table name");
    if (!tenant.empty() && tenants_.IsScoped(table)) {
      dependencies.push_back(TenantTableDependency(table, tenant));
    } else {
      dependencies.push_back(TableDependency(table));
    }
  }
  for (const std::string& name : event.queries) {
    if (registry_->Find(name) == nullptr) {
      return absl::NotFoundError(absl::StrCat("queries: unknown query '", name, "'"));
    }
    dependencies.push_back(QueryDependency(name));
  }
  for (const std::string& tag : event.tags) dependencies.push_back(TagDependency(tag));
  if (dependencies.empty()) {
    return absl::InvalidArgumentError("tables, queries or tags: name at least one");
  }
  Count(event, source);
  absl::Status status = cache_->Invalidate(dependencies);
  if (!status.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    OweLocked(dependencies);
    UpdateTrustLocked();
  }
  return status;
}

void InvalidationHub::FeedDown(Feed feed) {
  std::lock_guard<std::mutex> lock(mu_);
  up_.erase(feed);
  UpdateTrustLocked();
}

void InvalidationHub::FeedUp(Feed feed) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    up_.insert(feed);
    OweLocked({kEpochDependency});
    UpdateTrustLocked();
  }
  Tick();
}

void InvalidationHub::OweLocked(const std::vector<std::string>& dependencies) {
  for (const std::string& d : dependencies) owed_[d] = ++owe_sequence_;
}

std::vector<std::string> InvalidationHub::OwedDependencies() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  for (const auto& [dependency, sequence] : owed_) out.push_back(dependency);
  return out;
}

void InvalidationHub::CheckDataIdentity() {
  // Unreachable (the next Tick asks again) or not tracked by this cache.
  absl::StatusOr<std::string> identity = cache_->DataIdentity();
  if (!identity.ok()) return;
  std::lock_guard<std::mutex> lock(mu_);
  // The first identity is only remembered: nothing before it can be told apart, and bumping
  // the epoch at every start would empty the shared cache (and the startup warm) at each deploy.
  if (!identity_known_) {
    identity_known_ = true;
    identity_ = *std::move(identity);
    return;
  }
  if (*identity == identity_) return;
  // Remembered before the bump: a loss after this read changes the identity again, so the
  // next Tick bumps once more.
  identity_ = *std::move(identity);
  identity_changes_.fetch_add(1);
  OweLocked({kEpochDependency});
  UpdateTrustLocked();
}

void InvalidationHub::Tick() {
  CheckDataIdentity();
  std::map<std::string, uint64_t> owed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    owed = owed_;
  }
  if (owed.empty()) return;
  std::vector<std::string> dependencies;
  dependencies.reserve(owed.size());
  for (const auto& [dependency, sequence] : owed) dependencies.push_back(dependency);
  if (!cache_->Invalidate(dependencies).ok()) return;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [dependency, sequence] : owed) {
    // Owed again while the bump was in flight: that newer bump may not have landed.
    auto it = owed_.find(dependency);
    if (it != owed_.end() && it->second == sequence) owed_.erase(it);
  }
  UpdateTrustLocked();
}

void InvalidationHub::UpdateTrustLocked() {
  bool trusted = owed_.empty();
  for (Feed feed : required_) trusted = trusted && up_.count(feed);
  trusted_.store(trusted, std::memory_order_release);
}

}  // namespace querygate::service
