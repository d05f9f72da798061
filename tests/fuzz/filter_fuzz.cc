// The filter compiler against arbitrary filter trees: kinds, field names (the model's and
// garbage), operators and values of every kind, within a bounded size. Limits come from the
// input too, so the depth, IN-list and node caps are all reached. A refusal must be
// INVALID_ARGUMENT; a crash, a sanitizer report or any other code is a finding. Strings and
// struct keys are mostly valid UTF-8 (protobuf `string` fields guarantee it for filters that
// arrive over gRPC) and sometimes arbitrary bytes; bytes values are arbitrary.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "schema/loader.h"
#include "service/repository_filter.h"
#include "service/repository_types.h"

namespace {

using querygate::Value;
using querygate::service::Filter;
using querygate::service::FilterOp;

constexpr char kSchema[] = R"json({
  "enums": {"kind": ["a", "b"]},
  "models": {
    "owner": {"id": "int64", "name": "string", "things": ["@thing"]},
    "thing": {
      "soft_delete": true,
      "timestamps": true,
      "indexes": [
        {"fields": ["title", "body"], "type": "fulltext", "language": "english"},
        {"fields": ["note"], "type": "fulltext", "language": "simple"}
      ],
      "fields": {
        "id": "uuid",
        "owner_id": "int64",
        "owner": "@owner",
        "title": {"type": "string", "length": 20},
        "body": "text",
        "note": "text?",
        "n": "int32?",
        "big": "int64?",
        "score": "float64?",
        "price": "decimal?",
        "flag": "bool?",
        "day": "date?",
        "at": "datetime?",
        "raw": "bytes?",
        "kind": "@kind",
        "tags": "string[]",
        "data": "json",
        "vec": "vector(2)"
      }
    }
  }
})json";

const char* const kFieldNames[] = {"id", "owner_id", "owner", "title",      "body",       "note",
                                   "n",  "big",      "score", "price",      "flag",       "day",
                                   "at", "raw",      "kind",  "tags",       "data",       "vec",
                                   "",   "ID",       "zz",    "deleted_at", "created_at", "id; --"};

// At most this many nodes and this deep, past the compiler's caps so that they are reached.
constexpr int kMaxNodes = 400;
constexpr int kMaxDepth = 12;

class TreeBuilder {
 public:
  explicit TreeBuilder(FuzzedDataProvider& in) : in_(in) {}

  Filter Build(int depth) {
    Filter filter;
    ++nodes_;
    int kind = in_.ConsumeIntegralInRange(0, 4);
    if (depth >= kMaxDepth || nodes_ >= kMaxNodes) kind = kind % 2;
    switch (kind) {
      case 0:
        filter.kind = Filter::Kind::kEmpty;
        break;
      case 1:
        filter.kind = Filter::Kind::kCondition;
        filter.field = FieldName();
        filter.op = static_cast<FilterOp>(
            in_.ConsumeIntegralInRange<int>(0, static_cast<int>(FilterOp::kMatch)));
        if (in_.ConsumeBool()) filter.value = MakeValue(0);
        break;
      case 2:
      case 3: {
        filter.kind = kind == 2 ? Filter::Kind::kAll : Filter::Kind::kAny;
        int width = in_.ConsumeIntegralInRange(0, 300);
        for (int i = 0; i < width && nodes_ < kMaxNodes && in_.remaining_bytes() > 0; ++i) {
          filter.children.push_back(Build(depth + 1));
        }
        break;
      }
      case 4:
        filter.kind = Filter::Kind::kNot;
        // Mostly one child, sometimes none or two (the compiler refuses those).
        int children = in_.ConsumeIntegralInRange(0, 7) == 0 ? in_.ConsumeIntegralInRange(0, 2) : 1;
        for (int i = 0; i < children; ++i) filter.children.push_back(Build(depth + 1));
        break;
    }
    return filter;
  }

 private:
  std::string FieldName() {
    if (in_.ConsumeIntegralInRange(0, 9) == 0) return Utf8(16);
    return in_.PickValueInArray(kFieldNames);
  }

  // Up to `max_chars` characters: mostly ASCII (quotes, backslashes and NUL included), some
  // from every other UTF-8 length; one time in eight, arbitrary bytes instead.
  std::string Utf8(int max_chars) {
    if (in_.ConsumeIntegralInRange(0, 7) == 0) return in_.ConsumeRandomLengthString(max_chars);
    std::string out;
    int chars = in_.ConsumeIntegralInRange(0, max_chars);
    for (int i = 0; i < chars && in_.remaining_bytes() > 0; ++i) {
      uint32_t c = in_.ConsumeIntegralInRange<uint32_t>(0, 0x10FFFF);
      if (in_.ConsumeIntegralInRange(0, 3) != 0) c &= 0x7F;
      if (c >= 0xD800 && c <= 0xDFFF) c = '?';
      if (c < 0x80) {
        out.push_back(static_cast<char>(c));
      } else if (c < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (c >> 6)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
      } else if (c < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (c >> 12)));
        out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
      } else {
        out.push_back(static_cast<char>(0xF0 | (c >> 18)));
        out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
      }
    }
    return out;
  }

  Value MakeValue(int depth) {
    switch (in_.ConsumeIntegralInRange(0, depth < 3 ? 9 : 7)) {
      case 0:
        return Value();
      case 1:
        return Value::Bool(in_.ConsumeBool());
      case 2:
        return Value::Int(in_.ConsumeIntegral<int64_t>());
      case 3:
        return Value::Double(in_.ConsumeFloatingPoint<double>());
      case 4:
        return Value::String(Utf8(64));
      case 5:
        return Value::Bytes(in_.ConsumeRandomLengthString(64));
      case 6:
        return Value::Time({in_.ConsumeIntegral<int64_t>()});
      case 7:
        return Value::String(std::string(in_.PickValueInArray(
            {"a", "b", "2024-02-29", "2024-02-29T12:00:00Z", "12.50", "NaN", "{}", "[1,2]",
             "00000000-0000-7000-8000-000000000000", "true", "-0", "1e400"})));
      case 8: {
        Value::List list;
        int size = in_.ConsumeIntegralInRange(0, 40);
        for (int i = 0; i < size; ++i) list.push_back(MakeValue(depth + 1));
        return Value::ListOf(std::move(list));
      }
      default: {
        Value::Struct fields;
        int size = in_.ConsumeIntegralInRange(0, 4);
        for (int i = 0; i < size; ++i) {
          fields.emplace(Utf8(8), MakeValue(depth + 1));
        }
        return Value::StructOf(std::move(fields));
      }
    }
  }

  FuzzedDataProvider& in_;
  int nodes_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const querygate::schema::LoadResult* loaded = [] {
    auto* result = new querygate::schema::LoadResult(
        querygate::schema::LoadSchemaSources({{"fuzz.json", kSchema}}));
    if (!result->ok()) std::abort();
    return result;
  }();
  FuzzedDataProvider in(data, size);
  querygate::service::FilterLimits limits;
  if (in.ConsumeBool()) {
    limits.max_depth = in.ConsumeIntegralInRange(0, 10);
    limits.max_in_list = in.ConsumeIntegralInRange(0, 50);
    limits.max_nodes = in.ConsumeIntegralInRange(0, 300);
  }
  const querygate::schema::Model* model =
      loaded->schema.FindModel(in.ConsumeBool() ? "thing" : "owner");
  Filter filter = TreeBuilder(in).Build(1);
  querygate::service::SqlParams params;
  auto sql = querygate::service::CompileFilter(loaded->schema, *model, filter, limits, params);
  if (!sql.ok() && sql.status().code() != absl::StatusCode::kInvalidArgument) std::abort();
  return 0;
}
