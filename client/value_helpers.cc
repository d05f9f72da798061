#include "client/value_helpers.h"

#include "absl/strings/str_cat.h"

namespace querygate::client {

Timestamp ToTimestamp(Timepoint time) {
  auto micros = std::chrono::floor<std::chrono::microseconds>(time.time_since_epoch());
  return Timestamp{static_cast<int64_t>(micros.count())};
}

Timepoint ToTimepoint(Timestamp timestamp) {
  return Timepoint(
      std::chrono::duration_cast<Timepoint::duration>(std::chrono::microseconds(timestamp.micros)));
}

absl::Status KindMismatch(const char* expected, const Value& value) {
  return absl::InvalidArgumentError(
      absl::StrCat("expected ", expected, ", got ", KindName(value.kind())));
}

absl::Status Annotate(const absl::Status& status, std::string_view where) {
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat(absl::string_view(where.data(), where.size()),
                                                  ": ", status.message()));
}

}  // namespace querygate::client
