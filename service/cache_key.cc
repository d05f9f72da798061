#include "service/cache_key.h"

#include "absl/strings/str_cat.h"
#include "common/sha256.h"

namespace querygate::service {
namespace {

void Field(std::string& out, const std::string& text) {
  absl::StrAppend(&out, text.size(), ":", text, ";");
}

}  // namespace

std::string CanonicalKeyBytes(const CacheKeyInput& input) {
  std::string out = "querygate-key-v2;";
  Field(out, input.schema_version);
  Field(out, input.format);
  Field(out, input.scope);
  Field(out, input.name);
  absl::StrAppend(&out, input.params.size(), ";");
  for (const BoundParam& p : input.params) {
    Field(out, p.name);
    Field(out, p.type);
    if (p.text) {
      out += "v";
      Field(out, *p.text);
    } else {
      out += "n;";
    }
  }
  return out;
}

std::string CacheKeySuffix(const CacheKeyInput& input) {
  return absl::StrCat(input.name, ":", Sha256Hex(CanonicalKeyBytes(input)));
}

}  // namespace querygate::service
