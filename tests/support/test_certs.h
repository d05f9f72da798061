#ifndef QUERYGATE_TESTS_SUPPORT_TEST_CERTS_H_
#define QUERYGATE_TESTS_SUPPORT_TEST_CERTS_H_

#include <string>

namespace querygate::testing {

// Makes a P-256 key `<dir>/<name>.key` and certificate `<dir>/<name>.pem` for common name `cn`
// with the openssl CLI, signed by `<dir>/<ca>.pem` and `.key` (self-signed, a CA, when `ca` is
// empty), with `san` (e.g. "DNS:localhost,IP:127.0.0.1") as subjectAltName when not empty.
// Returns false when openssl fails.
bool MakeTestCertificate(const std::string& dir, const std::string& name, const std::string& cn,
                         const std::string& ca = "", const std::string& san = "");

// Runs `command` through /bin/sh, appending its stdout and stderr to `out`. Returns its exit
// code, or -1 when it could not run or was killed.
int RunCommand(const std::string& command, std::string& out);

}  // namespace querygate::testing

#endif  // QUERYGATE_TESTS_SUPPORT_TEST_CERTS_H_
