#include "tests/support/test_certs.h"

#include <sys/wait.h>

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "tests/support/test_env.h"

namespace querygate::testing {

int RunCommand(const std::string& command, std::string& out) {
  FILE* pipe = popen(absl::StrCat(command, " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  char buf[512];
  while (fgets(buf, sizeof buf, pipe) != nullptr) out += buf;
  int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool MakeTestCertificate(const std::string& dir, const std::string& name, const std::string& cn,
                         const std::string& ca, const std::string& san) {
  std::string base = absl::StrCat(dir, "/", name);
  std::string key =
      absl::StrCat("openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ",
                   base, ".key -subj /CN=", cn);
  std::string ignored;
  if (ca.empty()) {
    return RunCommand(absl::StrCat(key, " -x509 -days 2 -out ", base, ".pem"), ignored) == 0;
  }
  if (RunCommand(absl::StrCat(key, " -out ", base, ".csr"), ignored) != 0) return false;
  std::string extfile;
  if (!san.empty()) {
    WriteFile(base + ".ext", absl::StrCat("subjectAltName=", san, "\n"));
    extfile = absl::StrCat(" -extfile ", base, ".ext");
  }
  std::string issuer = absl::StrCat(dir, "/", ca);
  return RunCommand(
             absl::StrCat("openssl x509 -req -in ", base, ".csr -CA ", issuer, ".pem -CAkey ",
                          issuer, ".key -CAcreateserial -days 2 -out ", base, ".pem", extfile),
             ignored) == 0;
}

}  // namespace querygate::testing
