#include "schema/tenancy.h"

#include <cstdint>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "schema/internal/naming.h"

namespace querygate::schema {
namespace {

constexpr size_t kMaxStringTenantBytes = 255;

bool IsHex(char c) { return absl::ascii_isxdigit(static_cast<unsigned char>(c)); }

// True when `text` is well-formed UTF-8 (no overlongs, surrogates or code points > U+10FFFF).
bool IsValidUtf8(absl::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    size_t extra = 0;
    uint32_t code = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if ((c & 0xE0) == 0xC0) {
      extra = 1;
      code = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      code = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      code = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= text.size()) return false;  // truncated sequence
    for (size_t k = 1; k <= extra; ++k) {
      unsigned char next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    static constexpr uint32_t kMinimum[] = {0, 0x80, 0x800, 0x10000};
    if (code < kMinimum[extra] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

absl::StatusOr<std::string> CanonicalUuid(absl::string_view raw) {
  std::string hex;
  if (raw.size() == 36) {
    for (size_t i = 0; i < raw.size(); ++i) {
      bool dash_position = i == 8 || i == 13 || i == 18 || i == 23;
      if (dash_position ? raw[i] != '-' : !IsHex(raw[i])) {
        return absl::InvalidArgumentError(
            "tenant: not a UUID (expected 8-4-4-4-12 hexadecimal digits)");
      }
      if (!dash_position) hex.push_back(raw[i]);
    }
  } else if (raw.size() == 32) {
    for (char c : raw) {
      if (!IsHex(c)) {
        return absl::InvalidArgumentError(
            "tenant: not a UUID (expected 8-4-4-4-12 hexadecimal digits)");
      }
    }
    hex = std::string(raw);
  } else {
    return absl::InvalidArgumentError(
        "tenant: not a UUID (expected 8-4-4-4-12 hexadecimal digits)");
  }
  absl::AsciiStrToLower(&hex);
  return absl::StrCat(hex.substr(0, 8), "-", hex.substr(8, 4), "-", hex.substr(12, 4), "-",
                      hex.substr(16, 4), "-", hex.substr(20, 12));
}

absl::StatusOr<std::string> CanonicalInteger(absl::string_view raw, int64_t min, int64_t max,
                                             absl::string_view type_name) {
  auto bad = [&type_name]() {
    return absl::InvalidArgumentError(
        absl::StrCat("tenant: not an ", type_name, " (expected decimal digits in range)"));
  };
  absl::string_view digits = raw;
  bool negative = false;
  if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  if (digits.empty() || digits.size() > 64) return bad();
  // Accumulate as a negative number so that INT64_MIN fits.
  int64_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return bad();
    int digit = c - '0';
    if (value < (std::numeric_limits<int64_t>::min() + digit) / 10) return bad();
    value = value * 10 - digit;
  }
  if (!negative) {
    if (value < -max) return bad();
    value = -value;
  } else if (value < min) {
    return bad();
  }
  return absl::StrCat(value);
}

}  // namespace

absl::StatusOr<std::string> CanonicalTenant(const Tenancy& tenancy, absl::string_view raw) {
  if (raw.empty()) return absl::InvalidArgumentError("tenant: empty tenant id");
  switch (tenancy.type.kind) {
    case TypeKind::kUuid:
    case TypeKind::kUuidV7:
      return CanonicalUuid(raw);
    case TypeKind::kInt64:
      return CanonicalInteger(raw, std::numeric_limits<int64_t>::min(),
                              std::numeric_limits<int64_t>::max(), "int64");
    case TypeKind::kInt32:
      return CanonicalInteger(raw, std::numeric_limits<int32_t>::min(),
                              std::numeric_limits<int32_t>::max(), "int32");
    case TypeKind::kString:
    case TypeKind::kText:
      if (raw.size() > kMaxStringTenantBytes) {
        return absl::InvalidArgumentError(
            absl::StrCat("tenant: longer than ", kMaxStringTenantBytes, " bytes"));
      }
      if (raw.find('\0') != absl::string_view::npos) {
        return absl::InvalidArgumentError("tenant: contains a NUL byte");
      }
      if (!IsValidUtf8(raw)) return absl::InvalidArgumentError("tenant: not valid UTF-8");
      return std::string(raw);
    default:
      break;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "tenant: the tenancy type ", TypeKindName(tenancy.type.kind), " is not supported"));
}

bool HasTenantKey(const Model& model) {
  return model.tenant_scoped() && !model.is_junction && model.primary_key_columns.size() == 1 &&
         model.primary_key_columns[0] != model.tenant_column;
}

std::string TenantKeyName(const Model& model) {
  std::string key = model.primary_key_columns.empty() ? "" : model.primary_key_columns[0];
  return internal::PgObjectName(model.table, absl::StrCat(model.tenant_column, "_", key), "key");
}

std::string CurrentTenantFunctionSql(const Tenancy& tenancy) {
  std::string type;
  switch (tenancy.type.kind) {
    case TypeKind::kInt64:
      type = "bigint";
      break;
    case TypeKind::kInt32:
      type = "integer";
      break;
    case TypeKind::kString:
    case TypeKind::kText:
      type = "varchar";
      break;
    default:
      type = "uuid";
      break;
  }
  return absl::StrCat("CREATE OR REPLACE FUNCTION ", kCurrentTenantFunction, R"sql(()
RETURNS )sql",
                      type, R"sql(
LANGUAGE plpgsql
STABLE
PARALLEL SAFE
AS $qg$
DECLARE
  tenant text := current_setting(')sql",
                      kTenantSetting, R"sql(', true);
BEGIN
  IF tenant IS NULL OR tenant = '' THEN
    RAISE EXCEPTION 'querygate: no tenant is set (querygate.tenant)' USING ERRCODE = '42501';
  END IF;
  RETURN tenant::)sql",
                      type, R"sql(;
END
$qg$;
)sql");
}

}  // namespace querygate::schema
