# The status page in headless Chromium and `querygate top --once` (issue 12). Chromium is
# optional: the browser test skips, saying so, when it is not installed.
querygate_test(status_page_integration_test integration
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/status_page_test.cc
  DEPS querygate_test_server querygate::client absl::strings absl::synchronization)
add_dependencies(status_page_integration_test querygate)
