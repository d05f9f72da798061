#include "common/value.h"

namespace querygate {

const char* KindName(Value::Kind kind) {
  switch (kind) {
    case Value::Kind::kNull:
      return "null";
    case Value::Kind::kBool:
      return "bool";
    case Value::Kind::kInt:
      return "int";
    case Value::Kind::kDouble:
      return "double";
    case Value::Kind::kString:
      return "string";
    case Value::Kind::kBytes:
      return "bytes";
    case Value::Kind::kTimestamp:
      return "timestamp";
    case Value::Kind::kList:
      return "list";
    case Value::Kind::kStruct:
      return "struct";
  }
  return "unknown";
}

}  // namespace querygate
