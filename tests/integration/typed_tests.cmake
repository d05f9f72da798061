# Typed per-model services (docs/typed-services.md): the built CLI emits the protos of the v1
# test schema at build time, protoc and grpc_cpp_plugin compile them, and the tests call the
# server through those stubs (v1 schema, then the v2 schema for compatibility).
set(QG_TYPED_SRC ${CMAKE_CURRENT_SOURCE_DIR}/typed)
set(QG_TYPED_OUT ${CMAKE_CURRENT_BINARY_DIR}/typed_gen/v1)
set(QG_TYPED_PROTO_DIR ${QG_TYPED_OUT}/querygate/models/v1)
add_custom_command(
  OUTPUT ${QG_TYPED_PROTO_DIR}/common.proto ${QG_TYPED_PROTO_DIR}/models.proto
  COMMAND $<TARGET_FILE:querygate> --schema-dir ${QG_TYPED_SRC}/v1 schema proto
          --out ${QG_TYPED_OUT} --no-lock-update
  DEPENDS querygate ${QG_TYPED_SRC}/v1/catalog.json ${QG_TYPED_SRC}/v1/typed.lock
  COMMENT "querygate schema proto (typed test schema v1)")
set(QG_TYPED_GEN)
foreach(stem common models)
  list(APPEND QG_TYPED_GEN ${QG_TYPED_PROTO_DIR}/${stem}.pb.cc ${QG_TYPED_PROTO_DIR}/${stem}.grpc.pb.cc)
endforeach()
add_custom_command(
  OUTPUT ${QG_TYPED_GEN}
  COMMAND protobuf::protoc
  ARGS --proto_path=${QG_TYPED_OUT} --cpp_out=${QG_TYPED_OUT} --grpc_out=${QG_TYPED_OUT}
       --plugin=protoc-gen-grpc=$<TARGET_FILE:gRPC::grpc_cpp_plugin>
       ${QG_TYPED_PROTO_DIR}/common.proto ${QG_TYPED_PROTO_DIR}/models.proto
  DEPENDS ${QG_TYPED_PROTO_DIR}/common.proto ${QG_TYPED_PROTO_DIR}/models.proto protobuf::protoc
          gRPC::grpc_cpp_plugin
  COMMENT "protoc typed test stubs (v1)")
add_library(querygate_typed_v1_stubs STATIC ${QG_TYPED_GEN})
target_include_directories(querygate_typed_v1_stubs PUBLIC ${QG_TYPED_OUT})
target_link_libraries(querygate_typed_v1_stubs PUBLIC protobuf::libprotobuf gRPC::grpc++)

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
set(QG_TYPED_SEARCH_OUT ${CMAKE_CURRENT_BINARY_DIR}/typed_gen/search)
set(QG_TYPED_SEARCH_PROTO_DIR ${QG_TYPED_SEARCH_OUT}/querygate/models/v1)
add_custom_command(
  OUTPUT ${QG_TYPED_SEARCH_PROTO_DIR}/common.proto ${QG_TYPED_SEARCH_PROTO_DIR}/models.proto
  COMMAND $<TARGET_FILE:querygate> --schema-dir ${QG_TYPED_SRC}/search schema proto
          --out ${QG_TYPED_SEARCH_OUT} --no-lock-update
  DEPENDS querygate ${QG_TYPED_SRC}/search/catalog.json ${QG_TYPED_SRC}/search/typed.lock
  COMMENT "querygate schema proto (typed search test schema)")
set(QG_TYPED_SEARCH_GEN)
foreach(stem common models)
  list(APPEND QG_TYPED_SEARCH_GEN ${QG_TYPED_SEARCH_PROTO_DIR}/${stem}.pb.cc
       ${QG_TYPED_SEARCH_PROTO_DIR}/${stem}.grpc.pb.cc)
endforeach()
add_custom_command(
  OUTPUT ${QG_TYPED_SEARCH_GEN}
  COMMAND protobuf::protoc
  ARGS --proto_path=${QG_TYPED_SEARCH_OUT} --cpp_out=${QG_TYPED_SEARCH_OUT}
       --grpc_out=${QG_TYPED_SEARCH_OUT}
       --plugin=protoc-gen-grpc=$<TARGET_FILE:gRPC::grpc_cpp_plugin>
       ${QG_TYPED_SEARCH_PROTO_DIR}/common.proto ${QG_TYPED_SEARCH_PROTO_DIR}/models.proto
  DEPENDS ${QG_TYPED_SEARCH_PROTO_DIR}/common.proto ${QG_TYPED_SEARCH_PROTO_DIR}/models.proto
          protobuf::protoc gRPC::grpc_cpp_plugin
  COMMENT "protoc typed search test stubs")
add_library(querygate_typed_search_stubs STATIC ${QG_TYPED_SEARCH_GEN})
target_include_directories(querygate_typed_search_stubs PUBLIC ${QG_TYPED_SEARCH_OUT})
target_link_libraries(querygate_typed_search_stubs PUBLIC protobuf::libprotobuf gRPC::grpc++)

querygate_test(typed_search_integration_test integration
  SOURCES typed_search_test.cc
  DEPS querygate_typed_search_stubs querygate_test_server gRPC::grpc++ protobuf::libprotobuf)
target_compile_definitions(typed_search_integration_test PRIVATE
  QG_TYPED_SCHEMA_DIR="${QG_TYPED_SRC}")

# Tenancy and a time-partitioned model through the typed services (tests/integration/typed/tenant:
# a tenant-scoped model and a global partitioned one), the server running as a runtime role
# under row-level security, with stubs generated from the schema's emitted protos like v1's.
set(QG_TYPED_TENANT_OUT ${CMAKE_CURRENT_BINARY_DIR}/typed_gen/tenant)
set(QG_TYPED_TENANT_PROTO_DIR ${QG_TYPED_TENANT_OUT}/querygate/models/v1)
add_custom_command(
  OUTPUT ${QG_TYPED_TENANT_PROTO_DIR}/common.proto ${QG_TYPED_TENANT_PROTO_DIR}/models.proto
  COMMAND $<TARGET_FILE:querygate> --schema-dir ${QG_TYPED_SRC}/tenant schema proto
          --out ${QG_TYPED_TENANT_OUT} --no-lock-update
  DEPENDS querygate ${QG_TYPED_SRC}/tenant/catalog.json ${QG_TYPED_SRC}/tenant/typed.lock
  COMMENT "querygate schema proto (typed tenancy test schema)")
set(QG_TYPED_TENANT_GEN)
foreach(stem common models)
  list(APPEND QG_TYPED_TENANT_GEN ${QG_TYPED_TENANT_PROTO_DIR}/${stem}.pb.cc
       ${QG_TYPED_TENANT_PROTO_DIR}/${stem}.grpc.pb.cc)
endforeach()
add_custom_command(
  OUTPUT ${QG_TYPED_TENANT_GEN}
  COMMAND protobuf::protoc
  ARGS --proto_path=${QG_TYPED_TENANT_OUT} --cpp_out=${QG_TYPED_TENANT_OUT}
       --grpc_out=${QG_TYPED_TENANT_OUT}
       --plugin=protoc-gen-grpc=$<TARGET_FILE:gRPC::grpc_cpp_plugin>
       ${QG_TYPED_TENANT_PROTO_DIR}/common.proto ${QG_TYPED_TENANT_PROTO_DIR}/models.proto
  DEPENDS ${QG_TYPED_TENANT_PROTO_DIR}/common.proto ${QG_TYPED_TENANT_PROTO_DIR}/models.proto
          protobuf::protoc gRPC::grpc_cpp_plugin
  COMMENT "protoc typed tenancy test stubs")
add_library(querygate_typed_tenant_stubs STATIC ${QG_TYPED_TENANT_GEN})
target_include_directories(querygate_typed_tenant_stubs PUBLIC ${QG_TYPED_TENANT_OUT})
target_link_libraries(querygate_typed_tenant_stubs PUBLIC protobuf::libprotobuf gRPC::grpc++)

querygate_test(typed_tenancy_integration_test integration
  SOURCES typed_tenancy_test.cc
  DEPS querygate_typed_tenant_stubs querygate_test_server gRPC::grpc++ protobuf::libprotobuf)
target_compile_definitions(typed_tenancy_integration_test PRIVATE
  QG_TYPED_SCHEMA_DIR="${QG_TYPED_SRC}")
