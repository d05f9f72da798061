# The status page and /status.json (issue 12): ops/status_page.html is embedded into the
# binary as a generated .cc, rebuilt when the page changes.
set(QG_STATUS_PAGE_HTML_CC ${CMAKE_CURRENT_BINARY_DIR}/status_page_html.cc)
add_custom_command(
  OUTPUT ${QG_STATUS_PAGE_HTML_CC}
  COMMAND ${CMAKE_COMMAND} -DINPUT=${CMAKE_CURRENT_SOURCE_DIR}/status_page.html
    -DOUTPUT=${QG_STATUS_PAGE_HTML_CC} -DHEADER=ops/status_page_html.h
    -DFUNCTION=StatusPageHtml -P ${CMAKE_CURRENT_SOURCE_DIR}/embed_text.cmake
  DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/status_page.html ${CMAKE_CURRENT_SOURCE_DIR}/embed_text.cmake
  COMMENT "Embedding ops/status_page.html"
  VERBATIM)
querygate_library(status_page
  SOURCES
    prometheus_text.cc
    status_from_metrics.cc
    status_json.cc
    status_page.cc
    status_window.cc
    ${QG_STATUS_PAGE_HTML_CC}
  PUBLIC_DEPS querygate::ops absl::status absl::statusor absl::time absl::synchronization
  PRIVATE_DEPS nlohmann_json::nlohmann_json absl::strings)
