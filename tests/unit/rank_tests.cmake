# Ranked full-text search (issue 13, part 4): rank_by validation, SQL and keyset.
querygate_test(repository_rank_unit_test unit
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/repository_rank_test.cc
  DEPS querygate::service querygate::schema)
