#include "cache/internal/redis_multiplexer.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"

namespace querygate::cache::internal {
namespace {

constexpr size_t kReadChunk = 64 * 1024;

bool WouldBlock() { return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR; }

}  // namespace

std::string FormatCommand(const std::vector<std::string>& args) {
  std::string out = absl::StrCat("*", args.size(), "\r\n");
  for (const std::string& arg : args) absl::StrAppend(&out, "$", arg.size(), "\r\n", arg, "\r\n");
  return out;
}

RedisMultiplexer::RedisMultiplexer(RedisOptions options)
    : options_(std::move(options)), wake_fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  reader_ = redisReaderCreate();
  read_buffer_.resize(kReadChunk);
  thread_ = std::thread([this] { Loop(); });
}

RedisMultiplexer::~RedisMultiplexer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  Wake();
  thread_.join();
  std::deque<Pending> left;
  {
    std::lock_guard<std::mutex> lock(mu_);
    left = DropLocked();
  }
  for (Pending& p : left) p.done(absl::UnavailableError("redis: shutting down"));
  redisReaderFree(reader_);
  if (wake_fd_ >= 0) close(wake_fd_);
}

void RedisMultiplexer::Wake() {
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = write(wake_fd_, &one, sizeof one);
}

void RedisMultiplexer::Send(const std::vector<std::string>& args, Callback done) {
  std::string bytes = FormatCommand(args);
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_) {
      bool was_idle = pending_.empty();
      pending_.push_back({std::move(done), absl::Now() + options_.command_timeout});
      if (fd_ >= 0 && !broken_ && unsent_.empty()) {
        ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && !WouldBlock()) broken_ = true;
        size_t written = n > 0 ? static_cast<size_t>(n) : 0;
        if (!broken_ && written < bytes.size()) unsent_.append(bytes, written);
      } else if (!broken_) {
        unsent_.append(bytes);
      }
      wake = (was_idle || broken_ || fd_ < 0 || !unsent_.empty()) && !wake_pending_;
      if (wake) wake_pending_ = true;
      done = nullptr;
    }
  }
  if (done) {
    done(absl::UnavailableError("redis: shutting down"));
    return;
  }
  if (wake) Wake();
}

std::deque<RedisMultiplexer::Pending> RedisMultiplexer::DropLocked() {
  context_.reset();
  fd_ = -1;
  broken_ = false;
  unsent_.clear();
  redisReaderFree(reader_);
  reader_ = redisReaderCreate();
  return std::exchange(pending_, {});
}

void RedisMultiplexer::ConnectIfNeeded(std::unique_lock<std::mutex>& lock) {
  lock.unlock();
  auto context = Connect(options_);
  if (context.ok()) {
    int fd = (*context)->fd;
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) {
      context = absl::UnavailableError("redis: cannot make the socket non-blocking");
    }
  }
  lock.lock();
  if (context.ok()) {
    context_ = *std::move(context);
    fd_ = context_->fd;
    return;
  }
  std::deque<Pending> failed = DropLocked();
  lock.unlock();
  for (Pending& p : failed) p.done(context.status());
  lock.lock();
}

void RedisMultiplexer::ReadReplies(int fd) {
  std::string& buffer = read_buffer_;
  bool broken = false;
  while (true) {
    ssize_t n = ::recv(fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
    if (n > 0) {
      redisReaderFeed(reader_, buffer.data(), static_cast<size_t>(n));
      if (static_cast<size_t>(n) < buffer.size()) break;
      continue;
    }
    if (n < 0 && WouldBlock()) break;
    broken = true;
    break;
  }
  while (!broken) {
    void* raw = nullptr;
    if (redisReaderGetReply(reader_, &raw) != REDIS_OK) {
      broken = true;
      break;
    }
    if (raw == nullptr) break;
    Reply reply(static_cast<redisReply*>(raw));
    Callback done;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (pending_.empty()) {
        broken = true;
        break;
      }
      done = std::move(pending_.front().done);
      pending_.pop_front();
    }
    done(reply.get());
  }
  if (broken) {
    std::lock_guard<std::mutex> lock(mu_);
    broken_ = true;
  }
}

void RedisMultiplexer::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    wake_pending_ = false;
    absl::Status failure;
    if (broken_) failure = absl::UnavailableError("redis: connection lost");
    if (failure.ok() && !pending_.empty() && pending_.front().deadline <= absl::Now()) {
      failure = absl::UnavailableError("redis: no reply within the command timeout");
    }
    if (!failure.ok()) {
      std::deque<Pending> failed = DropLocked();
      lock.unlock();
      for (Pending& p : failed) p.done(failure);
      lock.lock();
      continue;
    }
    if (fd_ < 0 && !pending_.empty()) {
      ConnectIfNeeded(lock);
      continue;
    }
    if (fd_ >= 0 && !unsent_.empty()) {
      ssize_t n = ::send(fd_, unsent_.data(), unsent_.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && !WouldBlock()) {
        broken_ = true;
        continue;
      }
      if (n > 0) unsent_.erase(0, static_cast<size_t>(n));
    }
    int fd = fd_;
    short events = POLLIN | (unsent_.empty() ? 0 : POLLOUT);
    int timeout_ms = -1;
    if (!pending_.empty()) {
      absl::Duration left = pending_.front().deadline - absl::Now();
      timeout_ms = static_cast<int>(std::ceil(std::max(0.0, absl::ToDoubleMilliseconds(left))));
    }
    lock.unlock();
    pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {fd, events, 0}};
    int ready = ::poll(fds, fd >= 0 ? 2 : 1, timeout_ms);
    if (ready > 0 && (fds[0].revents & POLLIN)) {
      uint64_t count;
      [[maybe_unused]] ssize_t n = read(wake_fd_, &count, sizeof count);
    }
    if (ready > 0 && fd >= 0 && (fds[1].revents & (POLLIN | POLLERR | POLLHUP))) ReadReplies(fd);
    lock.lock();
  }
}

}  // namespace querygate::cache::internal
