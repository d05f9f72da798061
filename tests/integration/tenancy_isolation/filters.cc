#include "tests/integration/tenancy_isolation/filters.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tests/integration/tenancy_isolation/render.h"

namespace querygate::testing::isolation {

FilterGenerator::FilterGenerator(std::mt19937& rng, std::vector<FieldSpec> fields,
                                 ValueDomain domain)
    : rng_(rng), fields_(std::move(fields)), domain_(std::move(domain)) {}

FilterGenerator::Sample FilterGenerator::Value(const FieldSpec& field) {
  Sample s;
  switch (field.kind) {
    case FieldKind::kInt: {
      int64_t v;
      if (field.name == "budget") {
        v = 50 * Uniform(0, 20);
      } else if (field.name == "points") {
        v = Uniform(0, 10);
      } else {
        v = std::uniform_int_distribution<int64_t>(1, domain_.max_id + 3)(rng_);
      }
      s.wire.set_int_value(v);
      s.sql = absl::StrCat(v);
      break;
    }
    case FieldKind::kText: {
      static const std::vector<std::string> kWords = {"alpha", "beta",   "gamma", "delta",
                                                      "kappa", "apollo", "zeta",  "omega"};
      std::string v = kWords[Uniform(0, static_cast<int>(kWords.size()) - 1)];
      if (Chance(0.5)) v = absl::StrCat(v, " ", Uniform(1, 12));
      s.wire.set_string_value(v);
      s.sql = Quote(v);
      break;
    }
    case FieldKind::kBool: {
      bool v = Chance(0.5);
      s.wire.set_bool_value(v);
      s.sql = v ? "true" : "false";
      break;
    }
    case FieldKind::kUuid: {
      const std::string& v =
          domain_.tenants[Uniform(0, static_cast<int>(domain_.tenants.size()) - 1)];
      s.wire.set_string_value(v);
      s.sql = absl::StrCat(Quote(v), "::uuid");
      break;
    }
  }
  return s;
}

std::pair<v1::Filter, std::string> FilterGenerator::Filter() {
  if (Chance(0.15)) return {v1::Filter(), "TRUE"};
  return Node(1);
}

std::pair<v1::Filter, std::string> FilterGenerator::Node(int depth) {
  int kind = depth >= 3 ? 0 : Uniform(0, 9);
  v1::Filter f;
  if (kind >= 7) {
    bool all = kind == 7 || kind == 8;
    int n = Uniform(1, 3);
    std::vector<std::string> parts;
    for (int i = 0; i < n; ++i) {
      auto [child, sql] = Node(depth + 1);
      *(all ? f.mutable_all() : f.mutable_any())->add_filters() = std::move(child);
      parts.push_back(std::move(sql));
    }
    return {f, absl::StrCat("(", absl::StrJoin(parts, all ? " AND " : " OR "), ")")};
  }
  if (kind == 6) {
    auto [child, sql] = Node(depth + 1);
    *f.mutable_not_() = std::move(child);
    return {f, absl::StrCat("(NOT ", sql, ")")};
  }
  return Condition();
}

std::pair<v1::Filter, std::string> FilterGenerator::Condition() {
  const FieldSpec& field = fields_[Uniform(0, static_cast<int>(fields_.size()) - 1)];
  std::vector<v1::Operator> ops = {v1::EQ, v1::NE, v1::IN, v1::NOT_IN};
  if (field.kind == FieldKind::kInt || field.kind == FieldKind::kText) {
    ops.insert(ops.end(), {v1::LT, v1::LE, v1::GT, v1::GE, v1::BETWEEN});
  }
  if (field.kind == FieldKind::kText) ops.insert(ops.end(), {v1::LIKE, v1::ILIKE});
  if (field.kind == FieldKind::kBool) ops = {v1::EQ, v1::NE};
  v1::Operator op = ops[Uniform(0, static_cast<int>(ops.size()) - 1)];
  v1::Filter f;
  v1::Condition* c = f.mutable_condition();
  c->set_field(field.name);
  c->set_op(op);
  std::string col = absl::StrCat("\"", field.name, "\"");
  auto compare = [&](const char* sql_op) {
    Sample s = Value(field);
    *c->mutable_value() = s.wire;
    return absl::StrCat(col, " ", sql_op, " ", s.sql);
  };
  switch (op) {
    case v1::EQ:
      return {f, compare("=")};
    case v1::NE:
      return {f, compare("<>")};
    case v1::LT:
      return {f, compare("<")};
    case v1::LE:
      return {f, compare("<=")};
    case v1::GT:
      return {f, compare(">")};
    case v1::GE:
      return {f, compare(">=")};
    case v1::IN:
    case v1::NOT_IN: {
      int n = Uniform(1, 4);
      std::vector<std::string> sql;
      v1::ListValue* list = c->mutable_value()->mutable_list_value();
      for (int i = 0; i < n; ++i) {
        Sample s = Value(field);
        *list->add_values() = s.wire;
        sql.push_back(s.sql);
      }
      return {f, absl::StrCat(col, op == v1::IN ? " IN (" : " NOT IN (", absl::StrJoin(sql, ", "),
                              ")")};
    }
    case v1::BETWEEN: {
      Sample lo = Value(field);
      Sample hi = Value(field);
      v1::ListValue* list = c->mutable_value()->mutable_list_value();
      *list->add_values() = lo.wire;
      *list->add_values() = hi.wire;
      return {f, absl::StrCat(col, " BETWEEN ", lo.sql, " AND ", hi.sql)};
    }
    case v1::LIKE:
    case v1::ILIKE: {
      static const std::vector<std::string> kPatterns = {"a%", "%ta%",  "beta%",   "%1%",   "%",
                                                         "K%", "%a 1_", "apollo%", "%omega"};
      std::string pattern = kPatterns[Uniform(0, static_cast<int>(kPatterns.size()) - 1)];
      c->mutable_value()->set_string_value(pattern);
      return {f, absl::StrCat(col, op == v1::LIKE ? " LIKE " : " ILIKE ", Quote(pattern))};
    }
    default:
      return {f, "TRUE"};
  }
}

std::vector<std::pair<std::string, bool>> FilterGenerator::Order() {
  std::vector<std::pair<std::string, bool>> out;
  int n = Uniform(0, 2);
  for (int tries = 0; static_cast<int>(out.size()) < n && tries < 10; ++tries) {
    const FieldSpec& field = fields_[Uniform(0, static_cast<int>(fields_.size()) - 1)];
    bool duplicate = false;
    for (const auto& o : out) duplicate = duplicate || o.first == field.name;
    if (!duplicate) out.emplace_back(field.name, Chance(0.5));
  }
  return out;
}

}  // namespace querygate::testing::isolation
