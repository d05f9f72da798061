querygate_test(jwt_test unit
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/jwt_test.cc
  DEPS querygate::auth OpenSSL::Crypto nlohmann_json::nlohmann_json)
querygate_test(authenticator_test unit
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/authenticator_test.cc
  DEPS querygate::auth)
