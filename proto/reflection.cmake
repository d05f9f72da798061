# querygate_reflection_proto: the gRPC server reflection protocol (v1alpha and v1) that
# rpc/reflection_service.cc serves. A library of its own, not part of querygate::proto: black-box
# tests link querygate::proto and define their own grpc.reflection.v1alpha client messages.
set(QUERYGATE_REFLECTION_PROTOS
  ${CMAKE_CURRENT_SOURCE_DIR}/grpc/reflection/v1alpha/reflection.proto
  ${CMAKE_CURRENT_SOURCE_DIR}/grpc/reflection/v1/reflection.proto)
set(QUERYGATE_REFLECTION_OUT ${CMAKE_CURRENT_BINARY_DIR}/reflection_gen)
file(MAKE_DIRECTORY ${QUERYGATE_REFLECTION_OUT})
set(QUERYGATE_REFLECTION_SRCS)
foreach(proto ${QUERYGATE_REFLECTION_PROTOS})
  get_filename_component(dir ${proto} DIRECTORY)
  file(RELATIVE_PATH rel ${CMAKE_CURRENT_SOURCE_DIR} ${dir})
  set(base ${QUERYGATE_REFLECTION_OUT}/${rel}/reflection)
  list(APPEND QUERYGATE_REFLECTION_SRCS ${base}.pb.cc ${base}.grpc.pb.cc)
  add_custom_command(
    OUTPUT ${base}.pb.cc ${base}.pb.h ${base}.grpc.pb.cc ${base}.grpc.pb.h
    COMMAND protobuf::protoc
    ARGS --proto_path=${CMAKE_CURRENT_SOURCE_DIR}
         --cpp_out=${QUERYGATE_REFLECTION_OUT}
         --grpc_out=${QUERYGATE_REFLECTION_OUT}
         --plugin=protoc-gen-grpc=$<TARGET_FILE:gRPC::grpc_cpp_plugin>
         ${proto}
    DEPENDS ${proto} protobuf::protoc gRPC::grpc_cpp_plugin
    COMMENT "protoc ${rel}/reflection.proto")
endforeach()
add_library(querygate_reflection_proto STATIC ${QUERYGATE_REFLECTION_SRCS})
add_library(querygate::reflection_proto ALIAS querygate_reflection_proto)
target_include_directories(querygate_reflection_proto
  PUBLIC $<BUILD_INTERFACE:${QUERYGATE_REFLECTION_OUT}>)
target_link_libraries(querygate_reflection_proto PUBLIC protobuf::libprotobuf gRPC::grpc++)
