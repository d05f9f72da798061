# The status page's figures and /status.json (issue 12).
querygate_test(status_page_unit_test unit
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/status_page_test.cc
  DEPS querygate::status_page querygate::ops nlohmann_json::nlohmann_json)
