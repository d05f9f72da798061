#include "bench/load_loop.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

namespace querygate::bench {
namespace {

enum Phase : int { kWarmup = 0, kMeasure = 1, kStop = 2 };

constexpr auto kErrorBackoff = std::chrono::milliseconds(1);

struct WorkerTally {
  LatencyRecorder latencies;
  int64_t unexpected = 0;
  int64_t errors = 0;
};

}  // namespace

LoopResult RunClosedLoop(const LoopOptions& options, std::vector<std::unique_ptr<Worker>> workers) {
  const int concurrency = static_cast<int>(workers.size());
  std::vector<WorkerTally> tallies(workers.size());
  std::atomic<int> phase{kWarmup};
  std::mutex problem_mu;
  std::string first_problem;

  auto body = [&](int index) {
    Worker& worker = *workers[index];
    WorkerTally& tally = tallies[index];
    std::string detail;
    for (int64_t n = 0; n < options.max_calls_per_worker; ++n) {
      if (phase.load(std::memory_order_acquire) == kStop) break;
      detail.clear();
      auto start = std::chrono::steady_clock::now();
      CallOutcome outcome = worker.Call(&detail);
      auto end = std::chrono::steady_clock::now();
      if (phase.load(std::memory_order_acquire) == kMeasure) {
        tally.latencies.Record(
            std::chrono::duration_cast<std::chrono::nanoseconds>(end - start).count());
        if (outcome == CallOutcome::kUnexpected) ++tally.unexpected;
        if (outcome == CallOutcome::kError) ++tally.errors;
      }
      if (outcome != CallOutcome::kOk) {
        {
          std::lock_guard<std::mutex> lock(problem_mu);
          if (first_problem.empty()) first_problem = detail.empty() ? "(no detail)" : detail;
        }
        if (outcome == CallOutcome::kError) std::this_thread::sleep_for(kErrorBackoff);
      }
    }
  };

  std::vector<std::thread> threads;
  threads.reserve(workers.size());
  for (int i = 0; i < concurrency; ++i) threads.emplace_back(body, i);
  std::this_thread::sleep_for(absl::ToChronoNanoseconds(options.warmup));
  if (options.on_window_start) options.on_window_start();
  auto window_start = std::chrono::steady_clock::now();
  phase.store(kMeasure, std::memory_order_release);
  std::this_thread::sleep_for(absl::ToChronoNanoseconds(options.duration));
  phase.store(kStop, std::memory_order_release);
  auto window_end = std::chrono::steady_clock::now();
  if (options.on_window_end) options.on_window_end();
  for (std::thread& t : threads) t.join();

  LoopResult result;
  result.concurrency = concurrency;
  result.elapsed = absl::FromChrono(window_end - window_start);
  LatencyRecorder all;
  for (WorkerTally& tally : tallies) {
    result.unexpected += tally.unexpected;
    result.errors += tally.errors;
    all.Merge(std::move(tally.latencies));
  }
  result.calls = all.count();
  result.qps = static_cast<double>(result.calls) / absl::ToDoubleSeconds(result.elapsed);
  result.latency = all.Summarize();
  result.first_problem = std::move(first_problem);
  return result;
}

}  // namespace querygate::bench
