#include "client/cli/schema_proto_command.h"

#include <filesystem>
#include <fstream>
#include <iostream>

#include "schema/loader.h"
#include "typed/descriptor_builder.h"
#include "typed/lock_file.h"

namespace querygate::cli {
namespace {

constexpr char kUsage[] =
    "usage: querygate schema proto [--out DIR] [--no-lock-update]\n"
    "\n"
    "Writes DIR/querygate/models/v1/common.proto and models.proto: a typed message and a\n"
    "querygate.models.v1.<Model>Service per model. Field numbers come from the typed lock\n"
    "(--typed-lock, default <schema-dir>/typed.lock), which is updated unless\n"
    "--no-lock-update. See docs/typed-services.md.\n";

}  // namespace

bool UpdateTypedLock(const CliContext& ctx, const schema::Schema& schema) {
  std::ostream& out = ctx.out != nullptr ? *ctx.out : std::cout;
  std::ostream& err = ctx.err != nullptr ? *ctx.err : std::cerr;
  auto changed = typed::RefreshLockFile(ctx.TypedLockPath(), schema);
  if (!changed.ok()) {
    err << "error: " << changed.status().message() << "\n";
    return false;
  }
  if (*changed) out << "updated " << ctx.TypedLockPath() << "\n";
  return true;
}

int RunSchemaProtoCommand(const CliContext& ctx, const std::vector<std::string>& args) {
  std::ostream& out = ctx.out != nullptr ? *ctx.out : std::cout;
  std::ostream& err = ctx.err != nullptr ? *ctx.err : std::cerr;
  std::string out_dir = ".";
  bool update_lock = true;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--out" && i + 1 < args.size()) {
      out_dir = args[++i];
    } else if (args[i] == "--no-lock-update") {
      update_lock = false;
    } else if (args[i] == "--help" || args[i] == "-h") {
      out << kUsage;
      return 0;
    } else {
      err << "schema proto: unexpected argument '" << args[i] << "'\n" << kUsage;
      return 2;
    }
  }
  schema::LoadResult loaded = schema::LoadSchemaDir(ctx.schema_dir);
  for (const schema::SchemaDiagnostic& error : loaded.errors) err << error.ToString() << "\n";
  if (!loaded.ok()) return 1;
  auto lock = typed::ReadLockFile(ctx.TypedLockPath());
  if (!lock.ok()) {
    err << "error: " << lock.status().message() << "\n";
    return 1;
  }
  typed::TypedFiles files = typed::BuildTypedFiles(loaded.schema, *lock);
  auto pool = typed::BuildPool(files.files);
  if (!pool.ok()) {
    err << "error: " << pool.status().message() << "\n";
    return 1;
  }
  for (const auto& proto : files.files) {
    std::filesystem::path path = std::filesystem::path(out_dir) / proto.name();
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file << typed::ProtoText(*(*pool)->FindFileByName(proto.name()));
    if (!file.good()) {
      err << "error: cannot write " << path.string() << "\n";
      return 1;
    }
    out << "wrote " << path.string() << "\n";
  }
  if (update_lock && !UpdateTypedLock(ctx, loaded.schema)) return 1;
  return 0;
}

}  // namespace querygate::cli
