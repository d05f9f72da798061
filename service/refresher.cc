#include "service/refresher.h"

namespace querygate::service {

Refresher::Refresher(int threads, size_t queue_limit) : queue_limit_(queue_limit) {
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Run(); });
}

Refresher::~Refresher() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : threads_) t.join();
}

bool Refresher::Submit(const std::string& key, std::function<void()> job) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ || queue_.size() >= queue_limit_ || keys_.count(key)) return false;
    keys_.insert(key);
    queue_.emplace_back(key, std::move(job));
  }
  cv_.notify_one();
  return true;
}

size_t Refresher::Pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return keys_.size();
}

void Refresher::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    auto [key, job] = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    job();
    lock.lock();
    keys_.erase(key);
  }
}

}  // namespace querygate::service
