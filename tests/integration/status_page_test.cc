// The status page in a real browser (headless Chromium) and `querygate top --once`, against
// an in-process server under light load with its metrics listener on.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <regex>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "client/client.h"
#include "tests/support/poll.h"
#include "tests/support/test_server.h"

extern char** environ;

namespace querygate {
namespace {

using querygate::testing::TestServer;
using ::testing::HasSubstr;

constexpr char kSchema[] = R"json({
  "models": {"item": {"fields": {"id": "int64", "name": "string"}}},
  "queries": {
    "item_by_id": {
      "sql": "SELECT id, name FROM items WHERE id = :id",
      "params": {"id": "int64"},
      "ttl": 300
    }
  }
})json";

constexpr char kSeed[] = "INSERT INTO items (id, name) VALUES (1, 'one'), (2, 'two');";

// A port nobody listens on right now, for metrics.listen.
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

// The path of `name` on PATH, or "".
std::string FindProgram(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string candidate = dirs.substr(start, end - start) + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return "";
}

struct ProgramRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `argv` with stdout and stderr in files under `dir`, killing it when `deadline` passes.
ProgramRun RunProgram(const std::vector<std::string>& argv_in, const std::string& dir,
                      absl::Time deadline) {
  std::string out_path = dir + "/out", err_path = dir + "/err";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  std::vector<std::string> args = argv_in;
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  ProgramRun run;
  int spawned = posix_spawn(&pid, args[0].c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    ADD_FAILURE() << "cannot run " << args[0];
    return run;
  }
  int status = 0;
  bool exited = querygate::testing::PollUntil(
      deadline, [&] { return waitpid(pid, &status, WNOHANG) == pid; });
  if (!exited) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    ADD_FAILURE() << args[0] << " did not finish in time";
  }
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  run.out = querygate::testing::ReadFile(out_path);
  run.err = querygate::testing::ReadFile(err_path);
  return run;
}

// The text of the element with `id` in `dom`, or "".
std::string ElementText(const std::string& dom, const std::string& id) {
  std::smatch match;
  std::regex pattern("id=\"" + id + "\"[^>]*>([^<]*)<");
  return std::regex_search(dom, match, pattern) ? match[1].str() : "";
}

class StatusPageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    QG_REQUIRE_POSTGRES();
    if (querygate::testing::RedisUrl().empty()) GTEST_SKIP() << "no Redis";
    metrics_port_ = FreePort();
    ASSERT_GT(metrics_port_, 0);
    ASSERT_EQ(server_.Start(kSchema, kSeed,
                            [&](server::ServerConfig& c) {
                              c.metrics_listen = absl::StrCat("127.0.0.1:", metrics_port_);
                            }),
              "");
    client::ClientOptions options;
    options.target = server_.Target();
    auto client = client::Client::Create(options);
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = *std::move(client);
  }

  void TearDown() override { StopLoad(); }

  std::string Url() const { return absl::StrCat("http://127.0.0.1:", metrics_port_, "/"); }

  // Light load: one caller running item_by_id over two ids (two misses, then hits), paced to
  // at most one call per 2 ms until StopLoad.
  void StartLoad() {
    load_ = std::thread([this] {
      for (int64_t i = 0; !stop_.WaitForNotificationWithTimeout(absl::Milliseconds(2)); ++i) {
        auto result = client_->Execute("item_by_id", {{"id", Value::Int(1 + i % 2)}});
        if (result.ok()) calls_.fetch_add(1);
      }
    });
  }

  void StopLoad() {
    if (!stop_.HasBeenNotified()) stop_.Notify();
    if (load_.joinable()) load_.join();
  }

  TestServer server_;
  int metrics_port_ = 0;
  std::unique_ptr<client::Client> client_;
  std::thread load_;
  absl::Notification stop_;
  std::atomic<int64_t> calls_{0};
  querygate::testing::ScopedTempDir dir_;
};

TEST_F(StatusPageTest, ChromiumRendersLiveCallsAndHitRatios) {
  std::string chromium = FindProgram("chromium");
  if (chromium.empty()) GTEST_SKIP() << "chromium is not installed (apt-get install chromium)";
  StartLoad();
  absl::Time deadline = absl::Now() + absl::Seconds(120);
  ASSERT_TRUE(querygate::testing::PollUntil(deadline, [&] { return calls_.load() >= 10; }));
  std::vector<std::string> browser = {chromium,
                                      "--headless=new",
                                      "--no-sandbox",
                                      "--disable-gpu",
                                      "--disable-dev-shm-usage",
                                      "--no-first-run",
                                      "--user-data-dir=" + dir_.path() + "/profile",
                                      "--virtual-time-budget=4000"};
  std::string dom;
  auto rendered = [&] {
    std::vector<std::string> argv = browser;
    argv.insert(argv.end(), {"--dump-dom", Url()});
    dom = RunProgram(argv, dir_.path(), deadline).out;
    int64_t total = 0;
    double rate = 0;
    return absl::SimpleAtoi(ElementText(dom, "calls-total"), &total) && total > 0 &&
           absl::SimpleAtod(ElementText(dom, "calls-rate"), &rate) && rate > 0 &&
           absl::EndsWith(ElementText(dom, "hit-overall-total"), "%") &&
           dom.find("data-name=\"item_by_id\"") != std::string::npos;
  };
  ASSERT_TRUE(querygate::testing::PollUntil(deadline, rendered)) << dom;
  EXPECT_THAT(dom, HasSubstr("data-state=\"live\""));
  // Two misses, then hits: the ratio since start is above zero.
  double ratio = 0;
  std::string hit_ratio = ElementText(dom, "hit-overall-total");
  ASSERT_TRUE(absl::SimpleAtod(hit_ratio.substr(0, hit_ratio.size() - 1), &ratio)) << hit_ratio;
  EXPECT_GT(ratio, 0) << dom;
  std::smatch row;
  ASSERT_TRUE(std::regex_search(
      dom, row, std::regex("data-name=\"item_by_id\".*?class=\"hit-ratio\">([0-9.]+)%")))
      << dom;
  EXPECT_GT(std::stod(row[1].str()), 0) << dom;
  EXPECT_NE(ElementText(dom, "p99"), "-") << dom;

  // The screenshot, an artifact of the build directory (not committed).
  std::string shots =
      querygate::testing::BinDir().empty() ? dir_.path() : querygate::testing::BinDir() + "/..";
  std::string shot = shots + "/status_page.png";
  unlink(shot.c_str());
  std::vector<std::string> argv = browser;
  argv.insert(argv.end(), {"--window-size=1400,1100", "--screenshot=" + shot, Url()});
  ProgramRun run = RunProgram(argv, dir_.path(), deadline);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  std::string png = querygate::testing::ReadFile(shot);
  EXPECT_EQ(png.substr(0, 4), "\x89PNG") << "no screenshot at " << shot;
  RecordProperty("screenshot", shot);
}

TEST_F(StatusPageTest, TopOncePrintsTheSameFigures) {
  std::string binary = querygate::testing::BinDir() + "/querygate";
  if (querygate::testing::BinDir().empty()) GTEST_SKIP() << "QUERYGATE_BIN_DIR is not set";
  StartLoad();
  absl::Time deadline = absl::Now() + absl::Seconds(60);
  ASSERT_TRUE(querygate::testing::PollUntil(deadline, [&] { return calls_.load() >= 10; }));
  StopLoad();
  ProgramRun run;
  auto shows_calls = [&] {
    run = RunProgram({binary, "top", "--once", "--metrics-url", Url()}, dir_.path(), deadline);
    return run.exit_code == 0 && run.out.find("item_by_id") != std::string::npos;
  };
  ASSERT_TRUE(querygate::testing::PollUntil(deadline, shows_calls)) << run.out << run.err;
  std::smatch totals;
  ASSERT_TRUE(std::regex_search(run.out, totals,
                                std::regex("since start: ([0-9]+) calls, [0-9]+ errors, ([0-9]+) "
                                           "lookups, hit ratio ([0-9.]+)%")))
      << run.out;
  EXPECT_GE(std::stoll(totals[1].str()), 10) << run.out;
  EXPECT_GE(std::stoll(totals[2].str()), 10) << run.out;
  EXPECT_GT(std::stod(totals[3].str()), 0) << run.out;
  EXPECT_THAT(run.out, HasSubstr("CALLS/S"));
  EXPECT_EQ(run.out.find('\x1b'), std::string::npos) << "--once prints no control sequences";

  // --json prints the document itself.
  run = RunProgram({binary, "--json", "top", "--once", "--metrics-url", Url()}, dir_.path(),
                   deadline);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("\"hit_ratio_total\""));

  // The address from the environment, with no listener there; a bad URL.
  int closed_port = FreePort();
  run = RunProgram({"/usr/bin/env", absl::StrCat("QUERYGATE_METRICS_URL=127.0.0.1:", closed_port),
                    binary, "top", "--once"},
                   dir_.path(), deadline);
  EXPECT_EQ(run.exit_code, 1) << run.out;
  EXPECT_THAT(run.err, HasSubstr("error: UNAVAILABLE"));
  EXPECT_THAT(run.err, HasSubstr(absl::StrCat("127.0.0.1:", closed_port)));
  run = RunProgram({binary, "top", "--once", "--metrics-url", "https://127.0.0.1:1"}, dir_.path(),
                   deadline);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("--metrics-url"));
}

}  // namespace
}  // namespace querygate
