#ifndef QUERYGATE_BENCH_LOAD_LOOP_H_
#define QUERYGATE_BENCH_LOAD_LOOP_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "bench/latency_recorder.h"

namespace querygate::bench {

// What one call produced.
enum class CallOutcome {
  kOk,
  // The call succeeded but its answer was not the expected one (a cache MISS where a HIT was
  // expected, a wrong row count).
  kUnexpected,
  kError,
};

// One closed-loop client: it owns its connection and has at most one call in flight.
class Worker {
 public:
  virtual ~Worker() = default;

  // Issues one call and waits for its answer. On kError, or kUnexpected, fills `detail`.
  virtual CallOutcome Call(std::string* detail) = 0;
};

struct LoopOptions {
  // Calls before measuring starts, to reach a steady state.
  absl::Duration warmup = absl::Milliseconds(500);
  // Length of the measured window.
  absl::Duration duration = absl::Seconds(3);
  // Hard cap on the calls of one worker over warm-up and window together.
  int64_t max_calls_per_worker = 2'000'000;
  // Called right before the measured window opens and right after it closes (may be empty).
  std::function<void()> on_window_start;
  std::function<void()> on_window_end;
};

struct LoopResult {
  int concurrency = 0;
  // Calls that completed inside the measured window, whatever their outcome.
  int64_t calls = 0;
  int64_t unexpected = 0;
  int64_t errors = 0;
  absl::Duration elapsed;
  double qps = 0;
  // Latency of the calls that completed inside the window.
  LatencySummary latency;
  // The first error or unexpected answer seen, for the report.
  std::string first_problem;
};

// Runs every worker on its own thread, back to back, for the warm-up and then the measured
// window, and returns the throughput and latency of the window. Each worker's calls stop when
// the window ends or its call cap is reached; a call in flight then finishes first, so the
// workers must bound their own calls (deadlines, timeouts).
LoopResult RunClosedLoop(const LoopOptions& options, std::vector<std::unique_ptr<Worker>> workers);

}  // namespace querygate::bench

#endif  // QUERYGATE_BENCH_LOAD_LOOP_H_
