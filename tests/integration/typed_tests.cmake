# Typed per-model services (docs/typed-services.md): the built CLI emits the protos of each test
# schema under typed/ at build time, protoc and grpc_cpp_plugin compile them, and the tests call
# the server through those stubs.
set(QG_TYPED_SRC ${CMAKE_CURRENT_SOURCE_DIR}/typed)

# Emits the protos of test schema typed/<schema> into typed_gen/<schema> and builds them into
# the static library querygate_typed_<schema>_stubs.
function(querygate_typed_stubs schema)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/typed_gen/${schema})
  set(proto_dir ${out}/querygate/models/v1)
  set(protos ${proto_dir}/common.proto ${proto_dir}/models.proto)
  add_custom_command(
    OUTPUT ${protos}
    COMMAND $<TARGET_FILE:querygate> --schema-dir ${QG_TYPED_SRC}/${schema} schema proto
            --out ${out} --no-lock-update
    DEPENDS querygate ${QG_TYPED_SRC}/${schema}/catalog.json ${QG_TYPED_SRC}/${schema}/typed.lock
    COMMENT "querygate schema proto (typed test schema ${schema})")
  set(gen)
  foreach(stem common models)
    list(APPEND gen ${proto_dir}/${stem}.pb.cc ${proto_dir}/${stem}.grpc.pb.cc)
  endforeach()
  add_custom_command(
    OUTPUT ${gen}
    COMMAND protobuf::protoc
    ARGS --proto_path=${out} --cpp_out=${out} --grpc_out=${out}
         --plugin=protoc-gen-grpc=$<TARGET_FILE:gRPC::grpc_cpp_plugin> ${protos}
    DEPENDS ${protos} protobuf::protoc gRPC::grpc_cpp_plugin
    COMMENT "protoc typed test stubs (${schema})")
  add_library(querygate_typed_${schema}_stubs STATIC ${gen})
  target_include_directories(querygate_typed_${schema}_stubs PUBLIC ${out})
  target_link_libraries(querygate_typed_${schema}_stubs PUBLIC protobuf::libprotobuf gRPC::grpc++)
endfunction()

querygate_typed_stubs(v1)
set(QG_TYPED_OUT ${CMAKE_CURRENT_BINARY_DIR}/typed_gen/v1)

querygate_test(typed_services_integration_test integration
  SOURCES typed_service_test.cc
  DEPS querygate_typed_v1_stubs querygate_test_server gRPC::grpc++ protobuf::libprotobuf)
target_compile_definitions(typed_services_integration_test PRIVATE
  QG_TYPED_SCHEMA_DIR="${QG_TYPED_SRC}")

# Server reflection of the typed services (rpc/reflection_service.cc), through stubs of the
# reflection protocol; the typed stubs are not linked, so the descriptors come from the server.
querygate_test(typed_reflection_integration_test integration
  SOURCES typed_reflection_test.cc
  DEPS querygate::reflection_proto querygate_test_server gRPC::grpc++ protobuf::libprotobuf)
target_compile_definitions(typed_reflection_integration_test PRIVATE
  QG_TYPED_SCHEMA_DIR="${QG_TYPED_SRC}")

# The Node client of the typed services (tests/integration/typed/node): `npm ci` installs the
# pinned packages of its committed package-lock.json into the build tree at build time (when npm
# is found; the test fails under QUERYGATE_TEST_REQUIRE_SERVERS=1 without them).
set(QG_TYPED_NODE_SRC ${QG_TYPED_SRC}/node)
set(QG_TYPED_NODE_DIR ${CMAKE_CURRENT_BINARY_DIR}/typed_node)
find_program(QG_NPM npm)
querygate_test(typed_node_integration_test integration
  SOURCES typed_node_test.cc
  DEPS querygate_test_server querygate_test_support nlohmann_json::nlohmann_json)
target_compile_definitions(typed_node_integration_test PRIVATE
  QG_TYPED_SCHEMA_DIR="${QG_TYPED_SRC}" QG_TYPED_PROTO_DIR="${QG_TYPED_OUT}"
  QG_TYPED_NODE_SRC="${QG_TYPED_NODE_SRC}" QG_TYPED_NODE_DIR="${QG_TYPED_NODE_DIR}")
add_dependencies(typed_node_integration_test querygate_typed_v1_stubs)
if(QG_NPM)
  add_custom_command(
    OUTPUT ${QG_TYPED_NODE_DIR}/node_modules/.package-lock.json
    COMMAND ${CMAKE_COMMAND} -E make_directory ${QG_TYPED_NODE_DIR}
    COMMAND ${CMAKE_COMMAND} -E copy ${QG_TYPED_NODE_SRC}/package.json
            ${QG_TYPED_NODE_SRC}/package-lock.json ${QG_TYPED_NODE_DIR}
    COMMAND ${QG_NPM} ci --prefix ${QG_TYPED_NODE_DIR} --no-audit --no-fund
    DEPENDS ${QG_TYPED_NODE_SRC}/package.json ${QG_TYPED_NODE_SRC}/package-lock.json
    COMMENT "npm ci (typed services' Node test client)")
  add_custom_target(querygate_typed_node_modules
    DEPENDS ${QG_TYPED_NODE_DIR}/node_modules/.package-lock.json)
  add_dependencies(typed_node_integration_test querygate_typed_node_modules)
endif()

# nearest and rank_by through the typed List, on a second test schema (a vector field and a
# multi-column fulltext index), with stubs generated from its emitted protos like v1's.
querygate_typed_stubs(search)

querygate_test(typed_search_integration_test integration
  SOURCES typed_search_test.cc
  DEPS querygate_typed_search_stubs querygate_test_server gRPC::grpc++ protobuf::libprotobuf)
target_compile_definitions(typed_search_integration_test PRIVATE
  QG_TYPED_SCHEMA_DIR="${QG_TYPED_SRC}")

# Tenancy and a time-partitioned model through the typed services (tests/integration/typed/tenant:
# a tenant-scoped model and a global partitioned one), the server running as a runtime role
# under row-level security, with stubs generated from the schema's emitted protos like v1's.
querygate_typed_stubs(tenant)

querygate_test(typed_tenancy_integration_test integration
  SOURCES typed_tenancy_test.cc
  DEPS querygate_typed_tenant_stubs querygate_test_server gRPC::grpc++ protobuf::libprotobuf)
target_compile_definitions(typed_tenancy_integration_test PRIVATE
  QG_TYPED_SCHEMA_DIR="${QG_TYPED_SRC}")
