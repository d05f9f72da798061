# The multi-tenant example's walkthrough (examples/multitenant/walkthrough.sh --test) as a test:
# it migrates the example into a database of its own on the server of QUERYGATE_TEST_PG_URL,
# runs querygate-server as a fresh runtime role and checks each tenant's view with the CLI.
# Skipped (exit 77) without the test servers unless QUERYGATE_TEST_REQUIRE_SERVERS=1.
add_test(NAME tenancy_walkthrough
  COMMAND bash ${PROJECT_SOURCE_DIR}/examples/multitenant/walkthrough.sh --test)
set_tests_properties(tenancy_walkthrough PROPERTIES
  LABELS integration
  SKIP_RETURN_CODE 77
  TIMEOUT 300
  ENVIRONMENT "QUERYGATE_BIN_DIR=${CMAKE_BINARY_DIR}/bin")
