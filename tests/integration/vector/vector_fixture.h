// Shared pieces of the vector search tests: the storage parameter, the pgvector requirement,
// random vectors and a brute-force oracle in double precision.
#ifndef QUERYGATE_TESTS_INTEGRATION_VECTOR_VECTOR_FIXTURE_H_
#define QUERYGATE_TESTS_INTEGRATION_VECTOR_VECTOR_FIXTURE_H_

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "migrate/migrator.h"
#include "tests/support/test_env.h"

namespace querygate::testing {

enum class Metric { kL2, kCosine, kInnerProduct };

// Whether the server offers the vector extension.
inline bool PgvectorAvailable() {
  auto session = db::Session::Connect(AdminPgUrl(), absl::Seconds(10));
  if (!session.ok()) return false;
  auto rows = (*session)->Query("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'");
  return rows.ok() && !rows->rows.empty();
}

inline bool PgvectorRequired() {
  const char* env = std::getenv("QUERYGATE_TEST_REQUIRE_PGVECTOR");
  return env != nullptr && std::string(env) == "1";
}

// Skips the test without pgvector, or fails it under QUERYGATE_TEST_REQUIRE_PGVECTOR=1.
#define QG_REQUIRE_PGVECTOR()                                                              \
  do {                                                                                     \
    if (!::querygate::testing::PgvectorAvailable()) {                                      \
      if (::querygate::testing::PgvectorRequired()) {                                      \
        FAIL() << "QUERYGATE_TEST_REQUIRE_PGVECTOR=1 but the vector extension is missing"; \
      }                                                                                    \
      GTEST_SKIP() << "the vector extension (pgvector) is not available on this server";   \
    }                                                                                      \
  } while (false)

inline std::vector<float> RandomVector(std::mt19937& rng, int dims) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(dims);
  for (float& x : v) x = dist(rng);
  return v;
}

// A REAL[] literal holding exactly these floats.
inline std::string ArrayLiteral(const std::vector<float>& v) {
  std::string out = "'{";
  for (size_t i = 0; i < v.size(); ++i) {
    absl::StrAppendFormat(&out, "%s%.9g", i ? "," : "", static_cast<double>(v[i]));
  }
  return out + "}'::real[]";
}

// The distance querygate reports: l2, 1 - cosine, or the negative inner product.
inline double OracleDistance(const std::vector<float>& a, const std::vector<float>& b,
                             Metric metric) {
  double dot = 0, na = 0, nb = 0, l2 = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    double x = a[i], y = b[i];
    dot += x * y;
    na += x * x;
    nb += y * y;
    l2 += (x - y) * (x - y);
  }
  switch (metric) {
    case Metric::kL2:
      return std::sqrt(l2);
    case Metric::kCosine:
      return 1 - dot / std::sqrt(na * nb);
    case Metric::kInnerProduct:
      return -dot;
  }
  return 0;
}

// Ids (1-based positions of `rows`, skipping empty vectors) of the k nearest, by (distance, id).
inline std::vector<std::pair<double, int64_t>> Oracle(const std::vector<std::vector<float>>& rows,
                                                      const std::vector<float>& query,
                                                      Metric metric, size_t k,
                                                      const std::vector<bool>* keep = nullptr) {
  std::vector<std::pair<double, int64_t>> all;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].empty() || (keep != nullptr && !(*keep)[i])) continue;
    all.emplace_back(OracleDistance(rows[i], query, metric), static_cast<int64_t>(i + 1));
  }
  std::sort(all.begin(), all.end());
  if (all.size() > k) all.resize(k);
  return all;
}

}  // namespace querygate::testing

#endif  // QUERYGATE_TESTS_INTEGRATION_VECTOR_VECTOR_FIXTURE_H_
