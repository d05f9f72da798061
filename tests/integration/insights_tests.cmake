# Database monitor and index advisor (issue 12, section 4): CacheService.Insights and Advise
# end to end (advise -> migrate new --from-advice -> migrate up -> index scan), and
# no-transaction migrations applied to a real database.
querygate_test(insights_integration_test integration
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/insights_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/no_transaction_migration_test.cc
  DEPS querygate_test_server querygate::migrate querygate::db gRPC::grpc++
    protobuf::libprotobuf nlohmann_json::nlohmann_json)
add_dependencies(insights_integration_test querygate)
