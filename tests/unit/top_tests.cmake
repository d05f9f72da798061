# `querygate top` (issue 12): frame rendering and the metrics listener's HTTP client.
querygate_test(top_unit_test unit
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/top_frame_test.cc
  DEPS querygate_cli nlohmann_json::nlohmann_json)
