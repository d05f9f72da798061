// Page tokens and the binary result decoder against arbitrary bytes. Each input is tried as
// token text, as the body of a token sealed with the right secret (so the bytes get past the
// MAC into the decoder), behind the real body prefix, and as raw result-codec bytes. Errors
// are expected; a crash, a sanitizer report or an error code other than the contract's is not.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/string_view.h"
#include "service/repository_page_token.h"
#include "service/result_codec.h"

namespace {

constexpr char kSecret[] = "fuzz-secret";
constexpr char kFingerprint[] = "0123456789abcdef";
constexpr size_t kExpectedValues = 2;

// The body of a real token up to its payload: version byte and length-prefixed fingerprint.
std::string BodyPrefix() {
  std::string token = querygate::service::EncodePageToken(kSecret, kFingerprint, {});
  std::string sealed;
  if (!absl::WebSafeBase64Unescape(token, &sealed)) std::abort();
  querygate::service::QueryResult no_values;
  no_values.rows.emplace_back();
  std::string empty_payload = querygate::service::EncodeResult(no_values);
  return sealed.substr(0, sealed.size() - 32 - empty_payload.size());
}

void Decode(absl::string_view token) {
  auto values = querygate::service::DecodePageToken(kSecret, token, kFingerprint, kExpectedValues);
  if (values.ok()) {
    if (values->size() != kExpectedValues) std::abort();
  } else if (values.status().code() != absl::StatusCode::kInvalidArgument) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string prefix = BodyPrefix();
  absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  Decode(bytes);
  Decode(querygate::service::SealPageToken(kSecret, bytes));
  Decode(querygate::service::SealPageToken(kSecret, prefix + std::string(bytes)));
  auto result = querygate::service::DecodeResult(bytes);
  if (result.ok()) {
    for (const auto& row : result->rows) {
      if (row.size() != result->columns.size()) std::abort();
    }
    auto again = querygate::service::DecodeResult(querygate::service::EncodeResult(*result));
    if (!again.ok()) std::abort();
  } else if (result.status().code() != absl::StatusCode::kDataLoss) {
    std::abort();
  }
  return 0;
}
