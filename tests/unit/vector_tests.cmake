# Vector similarity search (issue 13): CompileNearest, canonical vector text, vector DDL.
querygate_test(vector_unit_test unit
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/vector_nearest_test.cc
  DEPS querygate::service querygate::schema)
querygate_test(vector_result_unit_test unit
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/vector_result_test.cc
  DEPS querygate::service)
