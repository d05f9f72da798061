#include "typed/naming.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace querygate::typed {

std::string PascalName(absl::string_view name) {
  std::string out;
  bool upper = true;
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c))) {
      upper = true;
      continue;
    }
    out.push_back(upper ? absl::ascii_toupper(static_cast<unsigned char>(c)) : c);
    upper = false;
  }
  return out;
}

std::string UpperSnakeName(absl::string_view name) {
  std::string out;
  for (char c : name) {
    unsigned char u = static_cast<unsigned char>(c);
    out.push_back(absl::ascii_isalnum(u) ? absl::ascii_toupper(u) : '_');
  }
  return out;
}

std::string EnumValueName(absl::string_view enum_name, absl::string_view value) {
  return absl::StrCat(UpperSnakeName(enum_name), "_", UpperSnakeName(value));
}

std::string ServiceFullName(absl::string_view model) {
  return absl::StrCat(kPackage, ".", PascalName(model), "Service");
}

}  // namespace querygate::typed
