# Warnings are errors, except two GCC 12 classes known for false positives in optimised builds
# (std::variant/std::string with -O1 and the sanitizers): they stay visible as warnings.
set(QUERYGATE_WARNINGS -Wall -Wextra -Werror -Wno-error=maybe-uninitialized -Wno-error=restrict)

# querygate_library(NAME SOURCES... DEPS...) defines querygate_NAME with alias querygate::NAME.
# Its include root is the source tree only while building; installable targets add their own
# INSTALL_INTERFACE directory (see client/CMakeLists.txt).
function(querygate_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(querygate_${name} STATIC ${ARG_SOURCES})
  add_library(querygate::${name} ALIAS querygate_${name})
  target_include_directories(querygate_${name} PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}>)
  target_compile_options(querygate_${name} PRIVATE ${QUERYGATE_WARNINGS})
  target_link_libraries(querygate_${name} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()

# querygate_test(NAME LABEL SOURCES... DEPS...) builds one GoogleTest binary and registers its cases.
function(querygate_test name label)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${QUERYGATE_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  gtest_discover_tests(${name}
    DISCOVERY_MODE PRE_TEST
    # One variable per property: gtest_discover_tests splits a list-valued ENVIRONMENT into
    # separate arguments, which dropped every variable after the first.
    PROPERTIES LABELS ${label}
      ENVIRONMENT "QUERYGATE_SOURCE_DIR=${PROJECT_SOURCE_DIR}"
      ENVIRONMENT_MODIFICATION "QUERYGATE_BIN_DIR=set:${CMAKE_BINARY_DIR}/bin")
endfunction()
