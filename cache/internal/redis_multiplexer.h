#ifndef QUERYGATE_CACHE_INTERNAL_REDIS_MULTIPLEXER_H_
#define QUERYGATE_CACHE_INTERNAL_REDIS_MULTIPLEXER_H_

#include <hiredis/hiredis.h>

#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cache/internal/redis_connection.h"
#include "cache/redis_options.h"

namespace querygate::cache::internal {

// One pipelined Redis connection shared by many threads. A sender writes its command straight
// to the socket and returns at once; an I/O thread reads the replies, in order, and hands each
// to its callback. Nobody blocks on a round trip, and replies that arrive together are read
// with one system call. The I/O thread alone opens and closes the connection.
class RedisMultiplexer {
 public:
  // Receives the reply, valid only during the call, or UNAVAILABLE.
  using Callback = std::function<void(absl::StatusOr<const redisReply*>)>;

  explicit RedisMultiplexer(RedisOptions options);
  // Fails whatever is still pending with UNAVAILABLE.
  ~RedisMultiplexer();

  // Sends `args` (binary-safe). `done` runs exactly once: on the I/O thread with the reply, or
  // with UNAVAILABLE when there is no connection, the connection fails, or no reply came within
  // the command timeout (the connection is then dropped, failing every pending command).
  void Send(const std::vector<std::string>& args, Callback done);

 private:
  struct Pending {
    Callback done;
    absl::Time deadline;
  };

  void Loop();
  // Opens the connection for queued commands; on failure, fails them. I/O thread only.
  void ConnectIfNeeded(std::unique_lock<std::mutex>& lock);
  // Closes the connection and returns every pending command. Called with mu_ held.
  std::deque<Pending> DropLocked();
  // Reads what the socket holds and dispatches complete replies. I/O thread only.
  void ReadReplies(int fd);
  void Wake();

  const RedisOptions options_;
  const int wake_fd_;

  std::mutex mu_;
  bool stopping_ = false;
  bool wake_pending_ = false;
  bool broken_ = false;  // a sender's write failed; the I/O thread drops the connection
  Context context_;      // owned by the I/O thread; swapped only with mu_ held
  int fd_ = -1;          // context_'s socket, or -1
  std::string unsent_;   // bytes not yet written, in command order
  std::deque<Pending> pending_;

  redisReader* reader_ = nullptr;  // I/O thread only
  std::string read_buffer_;        // I/O thread only
  std::thread thread_;
};

// Returns `args` in the Redis protocol's request form (an array of bulk strings).
std::string FormatCommand(const std::vector<std::string>& args);

}  // namespace querygate::cache::internal

#endif  // QUERYGATE_CACHE_INTERNAL_REDIS_MULTIPLEXER_H_
