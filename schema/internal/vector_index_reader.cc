#include "schema/internal/vector_index_reader.h"

#include "absl/strings/str_cat.h"
#include "schema/internal/option_values.h"

namespace querygate::schema::internal {
namespace {

// Reads an integer option between `low` and `high` into `out`; false when bad.
bool ReadBounded(const JsonNode& node, const std::string& file, const std::string& path,
                 int64_t low, int64_t high, Diagnostics& diag, int& out) {
  std::optional<int64_t> v = ReadInteger(node, file, path, diag);
  if (!v.has_value()) return false;
  if (*v < low || *v > high) {
    diag.Error(file, path, absl::StrCat("bad option value: must be between ", low, " and ", high));
    return false;
  }
  out = static_cast<int>(*v);
  return true;
}

}  // namespace

std::optional<VectorIndex> ReadVectorIndex(const JsonNode& value, const std::string& file,
                                           const std::string& path, Diagnostics& diag) {
  if (value.is_bool()) {
    if (!value.bool_value) return std::nullopt;
    return VectorIndex();
  }
  if (!value.is_object()) {
    diag.Error(file, path,
               absl::StrCat("bad option value: index must be true, false or an object, got ",
                            value.KindName()));
    return std::nullopt;
  }
  VectorIndex index;
  bool ok = true;
  bool hnsw_only = false, ivfflat_only = false;
  for (const auto& [key, node] : value.members) {
    std::string at = JoinPath(path, key);
    if (key == "type") {
      std::optional<std::string> type = ReadString(node, file, at, diag);
      if (type == "hnsw") {
        index.method = VectorIndex::Method::kHnsw;
      } else if (type == "ivfflat") {
        index.method = VectorIndex::Method::kIvfflat;
      } else {
        if (type.has_value())
          diag.Error(file, at, "bad option value: type must be hnsw or ivfflat");
        ok = false;
      }
    } else if (key == "distance_function") {
      std::optional<std::string> distance = ReadString(node, file, at, diag);
      if (distance == "l2") {
        index.distance = VectorDistance::kL2;
      } else if (distance == "cosine") {
        index.distance = VectorDistance::kCosine;
      } else if (distance == "inner_product") {
        index.distance = VectorDistance::kInnerProduct;
      } else {
        if (distance.has_value()) {
          diag.Error(file, at,
                     "bad option value: distance_function must be cosine, l2 or inner_product");
        }
        ok = false;
      }
    } else if (key == "m") {
      ok = ReadBounded(node, file, at, 2, 100, diag, index.m) && ok;
      hnsw_only = true;
    } else if (key == "ef_construction") {
      ok = ReadBounded(node, file, at, 4, 1000, diag, index.ef_construction) && ok;
      hnsw_only = true;
    } else if (key == "ef_search") {
      int v = 0;
      ok = ReadBounded(node, file, at, 1, 1000, diag, v) && ok;
      index.ef_search = v;
      hnsw_only = true;
    } else if (key == "lists") {
      ok = ReadBounded(node, file, at, 1, 32768, diag, index.lists) && ok;
      ivfflat_only = true;
    } else if (key == "probes") {
      int v = 0;
      ok = ReadBounded(node, file, at, 1, 32768, diag, v) && ok;
      index.probes = v;
      ivfflat_only = true;
    } else {
      diag.Error(file, at, absl::StrCat("unknown vector index option '", key, "'"));
      ok = false;
    }
  }
  if (ok && hnsw_only && index.method != VectorIndex::Method::kHnsw) {
    diag.Error(file, path, "m, ef_construction and ef_search are only valid for hnsw indexes");
    ok = false;
  }
  if (ok && ivfflat_only && index.method != VectorIndex::Method::kIvfflat) {
    diag.Error(file, path, "lists and probes are only valid for ivfflat indexes");
    ok = false;
  }
  if (ok && index.method == VectorIndex::Method::kHnsw && index.ef_construction < 2 * index.m) {
    diag.Error(file, JoinPath(path, "ef_construction"),
               "bad option value: ef_construction must be at least twice m");
    ok = false;
  }
  if (ok && index.probes.has_value() && *index.probes > index.lists) {
    diag.Error(file, JoinPath(path, "probes"), "bad option value: probes must be at most lists");
    ok = false;
  }
  if (!ok) return std::nullopt;
  return index;
}

}  // namespace querygate::schema::internal
