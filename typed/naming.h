#ifndef QUERYGATE_TYPED_NAMING_H_
#define QUERYGATE_TYPED_NAMING_H_

#include <string>

#include "absl/strings/string_view.h"

namespace querygate::typed {

// The proto package of the typed services and the paths of the emitted files.
inline constexpr char kPackage[] = "querygate.models.v1";
inline constexpr char kCommonFile[] = "querygate/models/v1/common.proto";
inline constexpr char kModelsFile[] = "querygate/models/v1/models.proto";

// "user_profile" -> "UserProfile": the message (and type prefix) of a model or schema enum.
std::string PascalName(absl::string_view name);

// "in-progress" -> "IN_PROGRESS": letters upper-cased, every other non-digit becomes '_'.
std::string UpperSnakeName(absl::string_view name);

// The proto enum value name of a schema enum value: "POST_STATUS_DRAFT".
std::string EnumValueName(absl::string_view enum_name, absl::string_view value);

// The full service name of a model: "querygate.models.v1.UserProfileService".
std::string ServiceFullName(absl::string_view model);

}  // namespace querygate::typed

#endif  // QUERYGATE_TYPED_NAMING_H_
