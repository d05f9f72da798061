#include "service/cache_admin.h"

#include <algorithm>
#include <set>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "schema/tenancy.h"

namespace querygate::service {
namespace {

// At most this many bytes of a caller's unknown name are quoted back.
constexpr size_t kQuotedNameBytes = 64;

// `name` quoted for an error message: its first 64 bytes, C-escaped.
std::string Quoted(const std::string& name) {
  absl::string_view head = absl::string_view(name).substr(0, kQuotedNameBytes);
  return absl::StrCat("\"", absl::CHexEscape(head), name.size() > head.size() ? "...\"" : "\"");
}

// Checks the count and length of every name and that each is known; fills `out` with the
// names in their cache spelling.
class InvalidationCheck {
 public:
  InvalidationCheck(const QueryRegistry& registry, const InvalidateLimits& limits)
      : registry_(registry), limits_(limits) {
    for (const schema::Model* model : registry.schema().AllTables()) tables_.insert(model->table);
    for (const RegisteredQuery& q : registry.queries()) {
      tables_.insert(q.tables.begin(), q.tables.end());
      tags_.insert(q.def.tags.begin(), q.def.tags.end());
    }
  }

  absl::StatusOr<cache::InvalidationEvent> Run(const cache::InvalidationEvent& in) {
    size_t count = in.tables.size() + in.queries.size() + in.tags.size();
    if (count == 0) {
      return absl::InvalidArgumentError("tables, queries or tags: name at least one");
    }
    if (count > static_cast<size_t>(limits_.max_names)) {
      return absl::InvalidArgumentError(absl::StrCat("tables, queries and tags: ", count,
                                                     " names, more than ", limits_.max_names,
                                                     " (limits.max_invalidate_names)"));
    }
    cache::InvalidationEvent out;
    out.source = in.source;
    if (!in.tenant.empty()) {
      const schema::Schema& schema = registry_.schema();
      if (!schema.tenancy) {
        return absl::InvalidArgumentError("tenant: the schema declares no tenancy");
      }
      auto tenant = schema::CanonicalTenant(*schema.tenancy, in.tenant);
      if (!tenant.ok()) return tenant.status();
      out.tenant = *std::move(tenant);
    }
    for (size_t i = 0; i < in.tables.size(); ++i) {
      std::string field = absl::StrCat("tables[", i, "]");
      absl::Status length = CheckLength(field, in.tables[i]);
      if (!length.ok()) return length;
      const std::string* table = KnownTable(in.tables[i]);
      if (table == nullptr) {
        return absl::InvalidArgumentError(
            absl::StrCat(field, ": unknown table ", Quoted(in.tables[i])));
      }
      out.tables.push_back(*table);
    }
    for (size_t i = 0; i < in.queries.size(); ++i) {
      std::string field = absl::StrCat("queries[", i, "]");
      absl::Status length = CheckLength(field, in.queries[i]);
      if (!length.ok()) return length;
      if (registry_.Find(in.queries[i]) == nullptr) {
        return absl::InvalidArgumentError(
            absl::StrCat(field, ": unknown query ", Quoted(in.queries[i])));
      }
      out.queries.push_back(in.queries[i]);
    }
    for (size_t i = 0; i < in.tags.size(); ++i) {
      std::string field = absl::StrCat("tags[", i, "]");
      absl::Status length = CheckLength(field, in.tags[i]);
      if (!length.ok()) return length;
      if (tags_.count(in.tags[i]) == 0) {
        return absl::InvalidArgumentError(
            absl::StrCat(field, ": unknown tag ", Quoted(in.tags[i])));
      }
      out.tags.push_back(in.tags[i]);
    }
    return out;
  }

 private:
  absl::Status CheckLength(const std::string& field, const std::string& name) const {
    if (name.empty()) return absl::InvalidArgumentError(absl::StrCat(field, ": empty name"));
    if (name.size() > limits_.max_name_bytes) {
      return absl::InvalidArgumentError(absl::StrCat(field, ": ", name.size(), " bytes, more than ",
                                                     limits_.max_name_bytes,
                                                     " (limits.max_invalidate_name_bytes)"));
    }
    return absl::OkStatus();
  }

  // The cache spelling of a known table, written bare or schema-qualified ("public.users":
  // plans and triggers name tables without their schema); nullptr when unknown.
  const std::string* KnownTable(const std::string& name) const {
    auto it = tables_.find(name);
    if (it != tables_.end()) return &*it;
    size_t dot = name.find('.');
    if (dot == std::string::npos || dot == 0) return nullptr;
    it = tables_.find(name.substr(dot + 1));
    return it == tables_.end() ? nullptr : &*it;
  }

  const QueryRegistry& registry_;
  const InvalidateLimits& limits_;
  std::set<std::string> tables_;
  std::set<std::string> tags_;
};

// Turns a caller's sets into sets to run: names resolved to configured sets, everything
// checked against the caps.
absl::StatusOr<std::vector<WarmSet>> ResolveSets(const std::vector<WarmSet>& requested,
                                                 const WarmOptions& options,
                                                 const QueryRegistry& registry) {
  if (requested.size() > static_cast<size_t>(options.max_param_sets)) {
    return absl::InvalidArgumentError(absl::StrCat("sets: ", requested.size(), " sets, more than ",
                                                   options.max_param_sets,
                                                   " (warm.max_param_sets)"));
  }
  std::vector<WarmSet> out;
  std::set<std::string> names;
  int64_t param_sets = 0;
  for (size_t i = 0; i < requested.size(); ++i) {
    const WarmSet& set = requested[i];
    std::string field = absl::StrCat("sets[", i, "]");
    if (!set.params_from.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(field,
                       ".params_from: SQL is not accepted from callers; warm a configured set "
                       "by name"));
    }
    if (!set.name.empty()) {
      if (!set.query.empty() || !set.model.empty() || !set.params.empty()) {
        return absl::InvalidArgumentError(absl::StrCat(
            field, ": a set that names a configured set takes no query, model or params"));
      }
      const WarmSet* configured = nullptr;
      for (const WarmSet& c : options.sets) {
        if (c.name == set.name) configured = &c;
      }
      if (configured == nullptr) {
        return absl::NotFoundError(
            absl::StrCat(field, ".name: unknown warm set ", Quoted(set.name)));
      }
      if (!names.insert(set.name).second) {
        return absl::InvalidArgumentError(
            absl::StrCat(field, ".name: warm set ", Quoted(set.name), " is listed twice"));
      }
      out.push_back(*configured);
      // Tenants given with a name replace the configured set's tenants.
      if (!set.tenants.empty()) out.back().tenants = set.tenants;
      param_sets += static_cast<int64_t>(configured->params.size()) *
                    std::max<int64_t>(1, static_cast<int64_t>(out.back().tenants.size()));
      continue;
    }
    if (set.query.empty() == set.model.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": name a configured set, or either a query or a model"));
    }
    if (!set.query.empty() && registry.Find(set.query) == nullptr) {
      return absl::NotFoundError(absl::StrCat(field, ".query: unknown query ", Quoted(set.query)));
    }
    if (!set.model.empty() && registry.schema().FindModel(set.model) == nullptr) {
      return absl::NotFoundError(absl::StrCat(field, ".model: unknown model ", Quoted(set.model)));
    }
    param_sets += static_cast<int64_t>(set.params.size()) *
                  std::max<int64_t>(1, static_cast<int64_t>(set.tenants.size()));
    out.push_back(set);
  }
  if (param_sets > options.max_param_sets) {
    return absl::InvalidArgumentError(
        absl::StrCat("sets: ", param_sets, " parameter sets, more than ", options.max_param_sets,
                     " (warm.max_param_sets)"));
  }
  return out;
}

void AddInvalidations(const InvalidationCounts* counts, NameStats& stats) {
  if (counts == nullptr) return;
  stats.invalidations_write = counts->write.load();
  stats.invalidations_event = counts->event.load();
  stats.invalidations_trigger = counts->trigger.load();
}

}  // namespace

double NameStats::HitRatio() const {
  int64_t reads = hits + misses + bypasses;
  return reads == 0 ? 0.0 : static_cast<double>(hits) / static_cast<double>(reads);
}

absl::StatusOr<cache::InvalidationEvent> CacheAdmin::Invalidate(
    const cache::InvalidationEvent& event) {
  InvalidationCheck check(queries_->registry(), invalidate_limits_);
  auto checked = check.Run(event);
  if (!checked.ok()) return checked.status();
  absl::Status status = hub_->Invalidate(*checked, InvalidationSource::kEvent);
  if (!status.ok()) return status;
  return checked;
}

absl::Status CacheAdmin::Warm(const std::vector<WarmSet>& sets, int concurrency,
                              const CallContext& ctx,
                              const std::function<void(const WarmProgress&)>& progress,
                              bool show_details) {
  if (concurrency < 0) {
    return absl::InvalidArgumentError("concurrency: must not be negative");
  }
  if (concurrency > warm_.max_concurrency) {
    return absl::InvalidArgumentError(
        absl::StrCat("concurrency: more than ", warm_.max_concurrency, " (warm.max_concurrency)"));
  }
  WarmRunOptions run;
  run.concurrency = concurrency > 0 ? concurrency : warm_.concurrency;
  run.max_params_from_rows = warm_.max_params_from_rows;
  run.params_from_timeout = warm_.params_from_timeout;
  run.show_details = show_details;
  if (sets.empty()) return warmer_->Run(warm_.sets, run, ctx, progress);
  auto resolved = ResolveSets(sets, warm_, queries_->registry());
  if (!resolved.ok()) return resolved.status();
  return warmer_->Run(*resolved, run, ctx, progress);
}

StatsSnapshot CacheAdmin::Stats() const {
  StatsSnapshot snapshot;
  for (const RegisteredQuery& q : queries_->registry().queries()) {
    NameStats stats;
    stats.name = q.def.name;
    if (const QueryCounters* c = queries_->Counters(q.def.name)) {
      stats.hits = c->hits.load();
      stats.l1_hits = c->l1_hits.load();
      stats.stale = c->stale.load();
      stats.misses = c->misses.load();
      stats.bypasses = c->bypasses.load();
      stats.fills = c->fills.load();
      stats.coalesced = c->coalesced.load();
    }
    AddInvalidations(hub_->QueryCounts(q.def.name), stats);
    snapshot.queries.push_back(stats);
  }
  std::vector<NameStats> models;
  if (model_stats_) models = model_stats_();
  for (const schema::Model& model : queries_->registry().schema().models) {
    NameStats stats;
    stats.name = model.name;
    for (const NameStats& m : models) {
      if (m.name == model.name) stats = m;
    }
    AddInvalidations(hub_->ModelCounts(model.name), stats);
    snapshot.models.push_back(stats);
  }
  snapshot.database_pool = pool_->Figures();
  snapshot.database_healthy = snapshot.database_pool.idle + snapshot.database_pool.active > 0;
  snapshot.redis_healthy = redis_->Health().healthy;
  snapshot.cache_trusted = hub_->CacheTrusted();
  snapshot.uptime_ms = absl::ToInt64Milliseconds(absl::Now() - started_);
  snapshot.warm_status = warmer_->StatusText();
  if (local_tier_) snapshot.local_tier = local_tier_();
  return snapshot;
}

}  // namespace querygate::service
