-- For `querygate insights` (docs/operations.md): the compose service preloads the library
-- (shared_preload_libraries); this creates the extension in the querygate database on first
-- initialisation.
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
