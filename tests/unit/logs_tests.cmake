# Structured logs (issue 12, section 3): formatting, escaping and rate limits of the logger,
# the server's log events (startup redaction, backends, warm) and the call-log observer.
querygate_test(logs_unit_test unit
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/log_format_test.cc ${CMAKE_CURRENT_LIST_DIR}/logger_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/log_wiring_test.cc
  DEPS querygate::logger querygate::app nlohmann_json::nlohmann_json)
