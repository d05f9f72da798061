#include "client/cli/service_command.h"

#include <fstream>
#include <ostream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace querygate::cli {

bool ParsedArgs::Has(const std::string& name) const {
  for (const auto& [option, value] : ordered) {
    if (option == name) return true;
  }
  return false;
}

std::string ParsedArgs::Last(const std::string& name, const std::string& fallback) const {
  std::string out = fallback;
  for (const auto& [option, value] : ordered) {
    if (option == name) out = value;
  }
  return out;
}

std::vector<std::string> ParsedArgs::All(const std::string& name) const {
  std::vector<std::string> out;
  for (const auto& [option, value] : ordered) {
    if (option == name) out.push_back(value);
  }
  return out;
}

absl::StatusOr<ParsedArgs> ParseArgs(const std::vector<std::string>& args,
                                     const std::vector<OptionSpec>& spec) {
  ParsedArgs parsed;
  bool options_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (options_done || arg.size() < 2 || arg[0] != '-' ||
        (arg.size() > 1 && (std::isdigit(static_cast<unsigned char>(arg[1])) != 0))) {
      parsed.positional.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_done = true;
      continue;
    }
    if (arg == "--help" || arg == "-h") {
      parsed.help = true;
      continue;
    }
    std::string name = arg;
    std::optional<std::string> inline_value;
    size_t eq = arg.find('=');
    if (absl::StartsWith(arg, "--") && eq != std::string::npos) {
      name = arg.substr(0, eq);
      inline_value = arg.substr(eq + 1);
    }
    const OptionSpec* match = nullptr;
    for (const OptionSpec& option : spec) {
      if (option.name == name || (!option.alias.empty() && option.alias == name)) match = &option;
    }
    if (match == nullptr) return absl::InvalidArgumentError(absl::StrCat("unknown option ", name));
    if (!match->takes_value) {
      if (inline_value) {
        return absl::InvalidArgumentError(absl::StrCat(match->name, " takes no value"));
      }
      parsed.ordered.emplace_back(match->name, "");
      continue;
    }
    if (!inline_value) {
      if (i + 1 >= args.size()) {
        return absl::InvalidArgumentError(absl::StrCat(match->name, " needs a value"));
      }
      inline_value = args[++i];
    }
    parsed.ordered.emplace_back(match->name, *inline_value);
  }
  return parsed;
}

int UsageError(const CliContext& ctx, const std::string& command, const std::string& message) {
  *ctx.err << "error: " << message << "\n(see `querygate " << command << " --help`)\n";
  return kExitUsage;
}

namespace {

// Returns the contents of `path`, given with `option`. Fails with INVALID_ARGUMENT naming both.
absl::StatusOr<std::string> ReadOptionFile(const std::string& option, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat(option, ": cannot read ", path));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

absl::StatusOr<client::ClientOptions> ClientOptionsFor(const CliContext& ctx,
                                                       std::chrono::milliseconds default_deadline) {
  client::ClientOptions options;
  options.target = ctx.target;
  options.default_deadline = ctx.deadline.count() > 0 ? ctx.deadline : default_deadline;
  options.bearer_token = ctx.token;
  options.tenant = ctx.tenant;
  options.tenant_header = ctx.tenant_header;
  if (!ctx.token_file.empty()) {
    if (!ctx.token.empty()) {
      return absl::InvalidArgumentError("--token and --token-file: give only one");
    }
    auto token = ReadOptionFile("--token-file", ctx.token_file);
    if (!token.ok()) return token.status();
    options.bearer_token = std::string(absl::StripAsciiWhitespace(*token));
    if (options.bearer_token.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--token-file: ", ctx.token_file, " is empty"));
    }
  }
  if (ctx.cert_file.empty() != ctx.key_file.empty()) {
    return absl::InvalidArgumentError("--cert and --key: give both for mutual TLS, or neither");
  }
  client::TlsOptions& tls = options.tls;
  tls.enabled = ctx.tls || !ctx.ca_file.empty() || !ctx.cert_file.empty();
  tls.server_name_override = ctx.tls_server_name;
  if (!tls.enabled && !ctx.tls_server_name.empty()) {
    return absl::InvalidArgumentError("--tls-server-name: needs --tls or --ca");
  }
  if (!ctx.ca_file.empty()) {
    auto roots = ReadOptionFile("--ca", ctx.ca_file);
    if (!roots.ok()) return roots.status();
    tls.root_certs_pem = *std::move(roots);
  }
  if (!ctx.cert_file.empty()) {
    auto chain = ReadOptionFile("--cert", ctx.cert_file);
    if (!chain.ok()) return chain.status();
    auto key = ReadOptionFile("--key", ctx.key_file);
    if (!key.ok()) return key.status();
    tls.cert_chain_pem = *std::move(chain);
    tls.private_key_pem = *std::move(key);
  }
  return options;
}

absl::StatusOr<std::unique_ptr<client::Client>> MakeClient(
    const CliContext& ctx, std::chrono::milliseconds default_deadline) {
  auto options = ClientOptionsFor(ctx, default_deadline);
  if (!options.ok()) return options.status();
  return client::Client::Create(*std::move(options));
}

absl::StatusOr<client::CacheMode> ParseCacheMode(const std::string& text) {
  if (text == "default") return client::CacheMode::kDefault;
  if (text == "bypass") return client::CacheMode::kBypass;
  if (text == "refresh") return client::CacheMode::kRefresh;
  if (text == "only-cached" || text == "only_cached") return client::CacheMode::kOnlyCached;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown cache mode \"", text, "\" (default, bypass, refresh, only-cached)"));
}

}  // namespace querygate::cli
