# Invalidation hub bookkeeping (issue 11): versioned owed invalidations, data identity.
querygate_test(invalidation_hub_unit_test unit
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/invalidation_hub_test.cc
  DEPS querygate::service)
