#include "client/cli/schema_command.h"

#include <iostream>
#include <ostream>

#include "client/cli/schema_proto_command.h"
#include "schema/ddl.h"
#include "schema/loader.h"

namespace querygate::cli {
namespace {

constexpr char kUsage[] =
    "usage: querygate schema <command>\n"
    "\n"
    "Commands:\n"
    "  validate   load every *.json in the schema directory and report all errors and\n"
    "             warnings as 'file: path: message'; exit 1 when there are errors\n"
    "  sql [--vector-storage array|pgvector]\n"
    "             print the PostgreSQL DDL for the schema; exit 1 when it has errors.\n"
    "             Vector fields are REAL[] (default) or pgvector vector(N) with indexes\n"
    "  proto      write the typed per-model .proto files and update the typed lock\n"
    "             (querygate schema proto --help)\n"
    "\n"
    "The schema directory is --schema-dir (default: schemas). See docs/schema.md.\n";

void PrintDiagnostics(const schema::LoadResult& result, std::ostream& err) {
  for (const schema::SchemaDiagnostic& error : result.errors) {
    err << error.ToString() << "\n";
  }
  for (const schema::SchemaDiagnostic& warning : result.warnings) {
    err << "warning: " << warning.ToString() << "\n";
  }
}

}  // namespace

int RunSchemaCommand(const CliContext& ctx, const std::vector<std::string>& args) {
  std::ostream& out = ctx.out != nullptr ? *ctx.out : std::cout;
  std::ostream& err = ctx.err != nullptr ? *ctx.err : std::cerr;
  if (args.empty()) {
    err << kUsage;
    return 2;
  }
  const std::string& command = args[0];
  if (command == "--help" || command == "-h" || command == "help") {
    out << kUsage;
    return 0;
  }
  if (command == "proto") {
    return RunSchemaProtoCommand(ctx, std::vector<std::string>(args.begin() + 1, args.end()));
  }
  schema::DdlOptions ddl;
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--help" || args[i] == "-h") {
      out << kUsage;
      return 0;
    }
    if (command == "sql" && args[i] == "--vector-storage" && i + 1 < args.size() &&
        (args[i + 1] == "array" || args[i + 1] == "pgvector")) {
      ddl.vector_storage = args[++i] == "pgvector" ? schema::VectorStorage::kPgvector
                                                   : schema::VectorStorage::kArray;
      continue;
    }
    err << "schema " << command << ": unexpected argument '" << args[i] << "'\n" << kUsage;
    return 2;
  }
  if (command != "validate" && command != "sql") {
    err << "schema: unknown command '" << command << "'\n" << kUsage;
    return 2;
  }

  schema::LoadResult result = schema::LoadSchemaDir(ctx.schema_dir);
  if (command == "sql") {
    PrintDiagnostics(result, err);
    if (!result.ok()) return 1;
    for (const std::string& w : schema::VectorIndexWarnings(result.schema, ddl.vector_storage)) {
      err << "warning: " << w << "\n";
    }
    out << schema::GenerateDdl(result.schema, ddl);
    return 0;
  }
  for (const schema::SchemaDiagnostic& error : result.errors) out << error.ToString() << "\n";
  for (const schema::SchemaDiagnostic& warning : result.warnings) {
    out << "warning: " << warning.ToString() << "\n";
  }
  if (!result.ok()) {
    out << ctx.schema_dir << ": " << result.errors.size() << " error(s), " << result.warnings.size()
        << " warning(s)\n";
    return 1;
  }
  out << ctx.schema_dir << ": ok, " << result.schema.models.size() << " models, "
      << result.schema.enums.size() << " enums, " << result.schema.junctions.size()
      << " junction tables, " << result.warnings.size() << " warnings\n";
  return 0;
}

}  // namespace querygate::cli
