# The typed services' lock file and descriptor building (docs/typed-services.md).
querygate_test(typed_unit_test unit
  SOURCES typed_lock_test.cc
  DEPS querygate::typed querygate::schema)
