#ifndef QUERYGATE_AUTH_AUDIT_H_
#define QUERYGATE_AUTH_AUDIT_H_

#include <string>

#include "auth/authenticator.h"

namespace querygate::auth {

// Returns `event` as one JSON object on one line, keys in alphabetical order: {"audit":true,
// "auth":...,"detail":...,"method":...,"outcome":...,"peer":...,"subject":...,"time":...}.
std::string AuditLine(const AuditEvent& event);

}  // namespace querygate::auth

#endif  // QUERYGATE_AUTH_AUDIT_H_
