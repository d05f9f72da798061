// Field-number locking of the typed services and the descriptors built from it.

#include <gtest/gtest.h>

#include <string>

#include "schema/loader.h"
#include "typed/descriptor_builder.h"
#include "typed/lock_file.h"
#include "typed/naming.h"

namespace querygate::typed {
namespace {

schema::Schema Load(const std::string& models) {
  schema::LoadResult loaded = schema::LoadSchemaSources(
      {{"t.json", R"({"enums": {"color": ["red", "dark-blue"]}, "models": {)" + models + "}}"}});
  EXPECT_TRUE(loaded.ok()) << (loaded.errors.empty() ? "" : loaded.errors[0].ToString());
  return loaded.schema;
}

const std::string kV1 = R"("item": {"id": "int64", "a": "string", "b": "int32?", "c": "@color"})";
const std::string kV2 = R"("item": {"id": "int64", "a": "string", "c": "@color", "d": "text?"})";

TEST(TypedLockTest, AddingKeepsNumbersAndRemovingReserves) {
  TypedLock v1 = UpdateLock({}, Load(kV1));
  const LockTable& item1 = v1.models.at("item");
  EXPECT_EQ(item1.live.at("id").number, 1);
  EXPECT_EQ(item1.live.at("b").number, 3);
  TypedLock v2 = UpdateLock(v1, Load(kV2));
  const LockTable& item2 = v2.models.at("item");
  EXPECT_EQ(item2.live.at("a").number, 2);
  EXPECT_EQ(item2.live.at("c").number, 4);
  EXPECT_EQ(item2.live.at("d").number, 5);
  EXPECT_EQ(item2.live.count("b"), 0u);
  EXPECT_TRUE(item2.reserved_numbers.count(3));
  EXPECT_TRUE(item2.reserved_names.count("b"));
  EXPECT_EQ(UpdateLock(v2, Load(kV2)), v2);  // idempotent
}

TEST(TypedLockTest, ReaddedNameGetsANewNumberAndTypeChangeRenumbers) {
  TypedLock v2 = UpdateLock(UpdateLock({}, Load(kV1)), Load(kV2));
  TypedLock back = UpdateLock(v2, Load(kV1));
  EXPECT_EQ(back.models.at("item").live.at("b").number, 6);
  EXPECT_FALSE(back.models.at("item").reserved_names.count("b"));
  TypedLock retyped = UpdateLock(
      back, Load(R"("item": {"id": "int64", "a": "int64", "b": "int32?", "c": "@color"})"));
  EXPECT_EQ(retyped.models.at("item").live.at("a").number, 7);
  EXPECT_TRUE(retyped.models.at("item").reserved_numbers.count(2));
}

TEST(TypedLockTest, RoundTripsThroughJson) {
  TypedLock lock = UpdateLock(UpdateLock({}, Load(kV1)), Load(kV2));
  auto parsed = ParseLock(SerializeLock(lock));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, lock);
  EXPECT_FALSE(ParseLock(R"({"models": {"x": {"fields": {"a": 0}}}})").ok());
}

TEST(TypedDescriptorTest, BuildsTypedFieldsAndReservations) {
  TypedLock v1 = UpdateLock({}, Load(kV1));
  TypedFiles files = BuildTypedFiles(Load(kV2), v1);
  auto pool = BuildPool(files.files);
  ASSERT_TRUE(pool.ok()) << pool.status();
  const google::protobuf::Descriptor* item =
      (*pool)->FindMessageTypeByName("querygate.models.v1.Item");
  ASSERT_NE(item, nullptr);
  EXPECT_EQ(item->FindFieldByName("a")->number(), 2);
  EXPECT_EQ(item->FindFieldByName("d")->number(), 5);
  EXPECT_TRUE(item->FindFieldByName("d")->has_presence());  // nullable: proto3 optional
  EXPECT_FALSE(item->FindFieldByName("a")->has_presence());
  EXPECT_EQ(item->FindFieldByName("c")->enum_type()->full_name(), "querygate.models.v1.Color");
  EXPECT_TRUE(item->IsReservedNumber(3));
  EXPECT_TRUE(item->IsReservedName("b"));
  const google::protobuf::EnumDescriptor* color =
      (*pool)->FindEnumTypeByName("querygate.models.v1.Color");
  ASSERT_NE(color, nullptr);
  EXPECT_EQ(color->FindValueByName("COLOR_DARK_BLUE")->number(), 2);
  EXPECT_NE((*pool)->FindServiceByName("querygate.models.v1.ItemService"), nullptr);
  std::string text = ProtoText(*(*pool)->FindFileByName(kModelsFile));
  EXPECT_NE(text.find("reserved 3;"), std::string::npos) << text;
  EXPECT_NE(text.find("optional string d = 5;"), std::string::npos) << text;
}

}  // namespace
}  // namespace querygate::typed
