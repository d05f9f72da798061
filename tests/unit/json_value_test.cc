// JSON <-> Value conversion of caller-supplied values.
#include "common/json_value.h"

#include <gtest/gtest.h>

namespace querygate {
namespace {

TEST(ValueToJsonTest, InvalidUtf8IsAnErrorNotAnException) {
  Value::Struct fields;
  fields["name"] = Value::String("ok \xff\xfe bytes");
  auto json = ValueToJson(Value::StructOf(fields));
  EXPECT_EQ(json.status().code(), absl::StatusCode::kInvalidArgument);
  auto plain = ValueToJson(Value::String("fine"));
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(*plain, "\"fine\"");
}

}  // namespace
}  // namespace querygate
