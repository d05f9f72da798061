# Included by the top-level CMakeLists.txt, before any target, when QUERYGATE_FUZZ is ON (see
# scripts/fuzz): every object gets libFuzzer coverage, ASan and UBSan. Warnings stay on but are
# not errors, because clang warns about code that the -Werror compiler (GCC) accepts.
if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "QUERYGATE_FUZZ needs clang: configure with CXX=clang++ (scripts/fuzz does)")
endif()
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
  -fno-omit-frame-pointer -g -O1)
add_link_options(-fsanitize=address,undefined)
list(REMOVE_ITEM QUERYGATE_WARNINGS -Werror)
list(APPEND QUERYGATE_WARNINGS -Wno-unknown-warning-option)
