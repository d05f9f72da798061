#ifndef QUERYGATE_TESTS_INTEGRATION_TENANCY_ISOLATION_FILTERS_H_
#define QUERYGATE_TESTS_INTEGRATION_TENANCY_ISOLATION_FILTERS_H_

#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "querygate/v1/repository_service.pb.h"

// Random repository filters and orders for the isolation test, each with the same predicate
// written as plain SQL for the oracle.
namespace querygate::testing::isolation {

enum class FieldKind { kInt, kText, kBool, kUuid };

struct FieldSpec {
  std::string name;
  FieldKind kind;
};

// The values random comparisons draw from.
struct ValueDomain {
  // Keys and foreign keys are drawn from 1..max_id + 3 (rows of every tenant, and some missing).
  int64_t max_id = 1;
  // organization_id values (every tenant, so filters name other tenants too).
  std::vector<std::string> tenants;
};

class FilterGenerator {
 public:
  FilterGenerator(std::mt19937& rng, std::vector<FieldSpec> fields, ValueDomain domain);

  // A random filter of depth at most 3 (an unset filter now and then) and the same predicate in
  // SQL over the table's columns ("TRUE" for the unset filter).
  std::pair<v1::Filter, std::string> Filter();

  // Up to two random order fields (name, descending), never "id" twice.
  std::vector<std::pair<std::string, bool>> Order();

 private:
  struct Sample {
    v1::Value wire;
    std::string sql;
  };

  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  Sample Value(const FieldSpec& field);
  std::pair<v1::Filter, std::string> Node(int depth);
  std::pair<v1::Filter, std::string> Condition();

  std::mt19937& rng_;
  std::vector<FieldSpec> fields_;
  ValueDomain domain_;
};

}  // namespace querygate::testing::isolation

#endif  // QUERYGATE_TESTS_INTEGRATION_TENANCY_ISOLATION_FILTERS_H_
