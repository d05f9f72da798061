#include "bench/async_load.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

namespace querygate::bench {
namespace {

enum Phase : int { kWarmup = 0, kMeasure = 1, kStop = 2 };

struct Slot {
  std::unique_ptr<AsyncCall> call;
  std::chrono::steady_clock::time_point started;
};

struct ThreadTally {
  LatencyRecorder latencies;
  int64_t unexpected = 0;
  int64_t errors = 0;
};

// Shared state of one run: the phase and the first problem seen.
struct RunState {
  std::atomic<int> phase{kWarmup};
  std::mutex problem_mu;
  std::string first_problem;

  void NoteProblem(const std::string& detail) {
    std::lock_guard<std::mutex> lock(problem_mu);
    if (first_problem.empty()) first_problem = detail.empty() ? "(no detail)" : detail;
  }
};

// Runs the slots of one thread on their own completion queue until the phase is kStop (or no
// slot has a call left), then drains the calls in flight.
void DriveThread(std::vector<Slot>& slots, RunState& state, ThreadTally& tally) {
  grpc::CompletionQueue cq;
  std::unordered_map<void*, size_t> index;
  int in_flight = 0;
  for (size_t i = 0; i < slots.size(); ++i) {
    index[slots[i].call.get()] = i;
    slots[i].started = std::chrono::steady_clock::now();
    if (slots[i].call->Start(&cq)) ++in_flight;
  }
  std::string detail;
  void* tag = nullptr;
  bool ok = false;
  while (in_flight > 0 && cq.Next(&tag, &ok)) {
    auto end = std::chrono::steady_clock::now();
    --in_flight;
    Slot& slot = slots[index.at(tag)];
    detail.clear();
    CallOutcome outcome = slot.call->Finish(&detail);
    int phase = state.phase.load(std::memory_order_acquire);
    if (phase == kMeasure) {
      tally.latencies.Record(
          std::chrono::duration_cast<std::chrono::nanoseconds>(end - slot.started).count());
      if (outcome == CallOutcome::kUnexpected) ++tally.unexpected;
      if (outcome == CallOutcome::kError) ++tally.errors;
    }
    if (outcome != CallOutcome::kOk) state.NoteProblem(detail);
    if (phase == kStop) continue;
    if (outcome == CallOutcome::kError) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    slot.started = std::chrono::steady_clock::now();
    if (slot.call->Start(&cq)) ++in_flight;
  }
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
}

// Splits `concurrency` slots over the threads and makes them.
std::vector<std::vector<Slot>> MakeSlots(const AsyncOptions& options,
                                         const AsyncCallFactory& factory, int concurrency) {
  int threads = std::max(1, std::min(options.threads, concurrency));
  std::vector<std::vector<Slot>> per_thread(threads);
  for (int t = 0; t < threads; ++t) {
    int slots = concurrency / threads + (t < concurrency % threads ? 1 : 0);
    for (int s = 0; s < slots; ++s) per_thread[t].push_back({factory(t, s, slots), {}});
  }
  return per_thread;
}

LoopResult Collect(std::vector<ThreadTally>& tallies, int concurrency,
                   std::chrono::steady_clock::duration elapsed, RunState& state) {
  LoopResult result;
  result.concurrency = concurrency;
  result.elapsed = absl::FromChrono(elapsed);
  LatencyRecorder all;
  for (ThreadTally& tally : tallies) {
    result.unexpected += tally.unexpected;
    result.errors += tally.errors;
    all.Merge(std::move(tally.latencies));
  }
  result.calls = all.count();
  double seconds = absl::ToDoubleSeconds(result.elapsed);
  result.qps = seconds > 0 ? static_cast<double>(result.calls) / seconds : 0;
  result.latency = all.Summarize();
  result.first_problem = std::move(state.first_problem);
  return result;
}

}  // namespace

LoopResult RunAsyncLoop(const LoopOptions& loop, const AsyncOptions& options,
                        const AsyncCallFactory& factory, int concurrency) {
  auto slots = MakeSlots(options, factory, concurrency);
  std::vector<ThreadTally> tallies(slots.size());
  RunState state;
  std::vector<std::thread> threads;
  for (size_t t = 0; t < slots.size(); ++t) {
    threads.emplace_back([&, t] { DriveThread(slots[t], state, tallies[t]); });
  }
  std::this_thread::sleep_for(absl::ToChronoNanoseconds(loop.warmup));
  if (loop.on_window_start) loop.on_window_start();
  auto window_start = std::chrono::steady_clock::now();
  state.phase.store(kMeasure, std::memory_order_release);
  std::this_thread::sleep_for(absl::ToChronoNanoseconds(loop.duration));
  state.phase.store(kStop, std::memory_order_release);
  auto window_end = std::chrono::steady_clock::now();
  if (loop.on_window_end) loop.on_window_end();
  for (std::thread& t : threads) t.join();
  return Collect(tallies, concurrency, window_end - window_start, state);
}

LoopResult RunAsyncToCompletion(const AsyncOptions& options, const AsyncCallFactory& factory,
                                int concurrency) {
  auto slots = MakeSlots(options, factory, concurrency);
  std::vector<ThreadTally> tallies(slots.size());
  RunState state;
  state.phase.store(kMeasure);
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (size_t t = 0; t < slots.size(); ++t) {
    threads.emplace_back([&, t] { DriveThread(slots[t], state, tallies[t]); });
  }
  for (std::thread& t : threads) t.join();
  return Collect(tallies, concurrency, std::chrono::steady_clock::now() - start, state);
}

}  // namespace querygate::bench
