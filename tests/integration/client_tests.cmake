querygate_test(client_integration_test integration
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/client_test.cc
  DEPS querygate_test_server querygate::client)

querygate_test(cli_integration_test integration
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/cli_test.cc
  DEPS querygate_test_server nlohmann_json::nlohmann_json absl::strings)
add_dependencies(cli_integration_test querygate)

# Installs this build tree into a temporary prefix, builds tests/external_client against it
# with find_package(querygate), and runs the result against an in-process server.
querygate_test(external_client_test integration
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/external_client_test.cc
  DEPS querygate_test_server absl::strings)
string(TOUPPER "${CMAKE_BUILD_TYPE}" QG_BUILD_TYPE_UPPER)
target_compile_definitions(external_client_test PRIVATE
  QG_CMAKE_COMMAND="${CMAKE_COMMAND}"
  QG_BUILD_DIR="${CMAKE_BINARY_DIR}"
  QG_EXTERNAL_CXX_FLAGS="${CMAKE_CXX_FLAGS} ${CMAKE_CXX_FLAGS_${QG_BUILD_TYPE_UPPER}}"
  QG_EXTERNAL_LINKER_FLAGS="${CMAKE_EXE_LINKER_FLAGS} ${CMAKE_EXE_LINKER_FLAGS_${QG_BUILD_TYPE_UPPER}}")
add_dependencies(external_client_test querygate_client querygate)
