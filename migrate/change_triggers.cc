#include "migrate/change_triggers.h"

#include "absl/strings/str_cat.h"
#include "migrate/sql_ident.h"

namespace querygate::migrate {

std::string ChangeTriggerSql(const schema::Schema& schema) {
  // The payload carries the database clock at the transaction's first notifying statement
  // (microseconds since the Unix epoch), the same for every statement of the transaction so
  // that PostgreSQL still folds a transaction's notifications of one table into one.
  std::string sql = absl::StrCat(R"sql(CREATE OR REPLACE FUNCTION querygate_notify_change()
RETURNS trigger LANGUAGE plpgsql AS $qg$
DECLARE
  ts text;
BEGIN
  IF coalesce(current_setting(')sql",
                                 kSkipNotifySetting, R"sql(', true), '') <> 'on' THEN
    ts := coalesce(current_setting(')sql",
                                 kNotifyTimestampSetting, R"sql(', true), '');
    IF ts = '' THEN
      ts := (extract(epoch FROM clock_timestamp()) * 1000000)::bigint::text;
      PERFORM set_config(')sql",
                                 kNotifyTimestampSetting, R"sql(', ts, true);
    END IF;
    PERFORM pg_notify(')sql",
                                 kChangeChannel, R"sql(', json_build_object('tables',
      json_build_array(coalesce(TG_ARGV[0], TG_TABLE_NAME)), 'ts_us', ts::bigint)::text);
  END IF;
  RETURN NULL;
END
$qg$;
)sql");
  for (const schema::Model* model : schema.AllTables()) {
    std::string table = QuoteIdent(model->table);
    std::string action =
        model->notify_changes
            ? absl::StrCat(
                  "CREATE OR REPLACE TRIGGER querygate_notify_change AFTER INSERT OR "
                  "UPDATE OR DELETE OR TRUNCATE ON ",
                  table, " FOR EACH STATEMENT EXECUTE FUNCTION querygate_notify_change();")
            : absl::StrCat("DROP TRIGGER IF EXISTS querygate_notify_change ON ", table, ";");
    absl::StrAppend(&sql, "DO $qg$ BEGIN IF to_regclass('", table, "') IS NOT NULL THEN ", action,
                    " END IF; END $qg$;\n");
  }
  return sql;
}

}  // namespace querygate::migrate
