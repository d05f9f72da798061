#include "server/call_log.h"

#include <cmath>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace querygate::server {
namespace {

double Milliseconds(int64_t nanoseconds) {
  return std::round(static_cast<double>(nanoseconds) / 1e3) / 1e3;
}

}  // namespace

std::shared_ptr<service::CallTrace> CallTraceTable::Open(const std::string& request_id) {
  auto trace = std::make_shared<service::CallTrace>();
  absl::MutexLock lock(&mu_);
  uint64_t serial = next_serial_++;
  if (!traces_.try_emplace(request_id, Entry{serial, trace}).second) return trace;
  order_.emplace_back(request_id, serial);
  while (order_.size() > capacity_) {
    auto it = traces_.find(order_.front().first);
    if (it != traces_.end() && it->second.serial == order_.front().second) traces_.erase(it);
    order_.pop_front();
  }
  return trace;
}

std::shared_ptr<service::CallTrace> CallTraceTable::Take(const std::string& request_id) {
  absl::MutexLock lock(&mu_);
  auto it = traces_.find(request_id);
  if (it == traces_.end()) return nullptr;
  std::shared_ptr<service::CallTrace> trace = std::move(it->second.trace);
  traces_.erase(it);
  return trace;
}

size_t CallTraceTable::size() const {
  absl::MutexLock lock(&mu_);
  return traces_.size();
}

std::shared_ptr<service::CallTrace> CallLogObserver::StartTrace(const std::string& request_id) {
  if (!SlowCallsLogged()) return nullptr;
  return traces_.Open(request_id);
}

void CallLogObserver::OnCallDone(const rpc::CallRecord& record) {
  if (log_ == nullptr) return;
  std::shared_ptr<service::CallTrace> trace;
  if (SlowCallsLogged() && !record.request_id.empty()) trace = traces_.Take(record.request_id);
  bool slow = SlowCallsLogged() && record.elapsed >= slow_call_;
  if (!slow && !log_->Enabled(LogLevel::kDebug)) return;
  LogFields fields = {
      {"service", record.service},
      {"method", record.method},
      {"code", absl::StatusCodeToString(static_cast<absl::StatusCode>(record.code))},
      {"duration_ms", Milliseconds(absl::ToInt64Nanoseconds(record.elapsed))},
      {"request_id", record.request_id},
  };
  if (!slow) {
    log_->Debug("call", fields);
    return;
  }
  if (trace != nullptr) {
    fields.emplace_back("name", trace->Name());
    fields.emplace_back("pool_wait_ms", Milliseconds(trace->pool_wait_ns.load()));
    fields.emplace_back("database_ms", Milliseconds(trace->database_ns.load()));
    fields.emplace_back("redis_ms", Milliseconds(trace->redis_ns.load()));
    fields.emplace_back("encode_ms", Milliseconds(trace->encode_ns.load()));
  }
  fields.emplace_back("slow_call_ms", absl::ToInt64Milliseconds(slow_call_));
  log_->Warn("slow call", fields, absl::StrCat("slow call ", record.service, "/", record.method));
}

}  // namespace querygate::server
