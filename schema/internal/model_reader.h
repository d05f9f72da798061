#ifndef QUERYGATE_SCHEMA_INTERNAL_MODEL_READER_H_
#define QUERYGATE_SCHEMA_INTERNAL_MODEL_READER_H_

#include "schema/internal/build_context.h"
#include "schema/internal/file_reader.h"

namespace querygate::schema::internal {

// Appends the model declared by `decl` to ctx.schema.models (and its site to ctx.sites):
// options, fields with types and defaults, the primary key and the implicit timestamp and
// soft-delete fields. Relations go to ctx.relations unresolved. Enums must already be in
// ctx.schema.enums and every model name must be known through `model_names`. Problems are
// reported to ctx.diag; the model is still appended (possibly marked unusable).
void ReadModelDecl(const ModelDecl& decl, const std::vector<std::string>& model_names,
                   BuildContext& ctx);

}  // namespace querygate::schema::internal

#endif  // QUERYGATE_SCHEMA_INTERNAL_MODEL_READER_H_
