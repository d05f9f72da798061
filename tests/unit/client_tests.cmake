querygate_test(client_unit_test unit
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/client_value_helpers_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/client_proto_conversion_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/client_param_parser_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/client_output_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/client_cli_options_test.cc
  DEPS querygate_cli querygate::client querygate::proto)
