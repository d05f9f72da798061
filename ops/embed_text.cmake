# cmake -DINPUT=<file> -DOUTPUT=<file.cc> -DHEADER=<include path> -DFUNCTION=<name> -P embed_text.cmake
# Writes a .cc defining `std::string_view querygate::ops::FUNCTION()` that returns INPUT's bytes,
# as a raw string literal (split in chunks, which compilers cap in length).
file(READ "${INPUT}" content)
set(delimiter "qg_embed")
string(FIND "${content}" ")${delimiter}\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw string delimiter )${delimiter}\"")
endif()
string(LENGTH "${content}" length)
set(chunks "")
set(offset 0)
while(offset LESS length)
  string(SUBSTRING "${content}" ${offset} 8000 chunk)
  string(APPEND chunks "    R\"${delimiter}(${chunk})${delimiter}\"\n")
  math(EXPR offset "${offset} + 8000")
endwhile()
file(WRITE "${OUTPUT}.tmp"
"// Generated from ${INPUT} by ops/embed_text.cmake; do not edit.\n"
"#include \"${HEADER}\"\n\n"
"namespace querygate::ops {\n\n"
"std::string_view ${FUNCTION}() {\n"
"  static constexpr char kText[] =\n${chunks};\n"
"  return std::string_view(kText, sizeof(kText) - 1);\n"
"}\n\n"
"}  // namespace querygate::ops\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
