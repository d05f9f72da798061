#include "schema/partitions.h"

#include "absl/strings/str_cat.h"
#include "schema/internal/default_value.h"

namespace querygate::schema {
namespace {

using internal::SqlStringLiteral;

// Creates the partitions of one table from one interval before the current one to `p_ahead`
// after it, installs the change trigger on every partition (naming the parent, so that
// writes made straight into a partition invalidate the parent's reads), and detaches or drops
// partitions that end `p_retention` intervals or more before the current one. Times are UTC.
constexpr char kPartitionTableSql[] = R"sql(CREATE OR REPLACE FUNCTION querygate_partition_table(
  p_table text, p_column text, p_interval text, p_ahead integer, p_retention integer,
  p_action text, p_notify boolean)
RETURNS TABLE(action text, partition_name text)
LANGUAGE plpgsql SET "TimeZone" = 'UTC' SET lock_timeout = '5s' AS $qg$
#variable_conflict use_column
DECLARE
  parent regclass := to_regclass(quote_ident(p_table));
  step interval := ('1 ' || p_interval)::interval;
  bound_format text;
  current_start timestamp;
  lo timestamp;
  part record;
  upper_text text;
  removed boolean := false;
BEGIN
  IF parent IS NULL OR (SELECT c.relkind FROM pg_class c WHERE c.oid = parent) <> 'p' THEN
    RETURN;
  END IF;
  SELECT CASE WHEN a.atttypid = 'date'::regtype THEN 'YYYY-MM-DD' ELSE 'YYYY-MM-DD HH24:MI:SS' END
    INTO bound_format FROM pg_attribute a
    WHERE a.attrelid = parent AND a.attname = p_column AND NOT a.attisdropped;
  current_start := date_trunc(p_interval, now()::timestamp);
  FOR i IN -1..p_ahead LOOP
    lo := current_start + i * step;
    partition_name := p_table || '_p' || to_char(lo, 'YYYYMMDD');
    CONTINUE WHEN to_regclass(quote_ident(partition_name)) IS NOT NULL;
    BEGIN
      EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                     partition_name, p_table, to_char(lo, bound_format),
                     to_char(lo + step, bound_format));
      action := 'created';
    EXCEPTION WHEN others THEN
      action := 'failed: ' || SQLERRM;
    END;
    RETURN NEXT;
  END LOOP;
  FOR part IN SELECT c.oid, c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
              WHERE i.inhparent = parent ORDER BY c.relname LOOP
    IF p_notify AND to_regprocedure('querygate_notify_change()') IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = part.oid
                       AND t.tgname = 'querygate_notify_change') THEN
      EXECUTE format('CREATE TRIGGER querygate_notify_change AFTER INSERT OR UPDATE OR DELETE OR '
                     'TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION '
                     'querygate_notify_change(%L)', part.relname, p_table);
    ELSIF NOT p_notify THEN
      EXECUTE format('DROP TRIGGER IF EXISTS querygate_notify_change ON %I', part.relname);
    END IF;
  END LOOP;
  IF p_retention > 0 THEN
    FOR part IN SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) AS bound
                FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                WHERE i.inhparent = parent ORDER BY c.relname LOOP
      upper_text := substring(part.bound FROM 'TO \(''([^'']*)''\)');
      CONTINUE WHEN upper_text IS NULL
        OR upper_text::timestamp > current_start - p_retention * step;
      partition_name := part.relname;
      BEGIN
        IF p_action = 'drop' THEN
          EXECUTE format('DROP TABLE %I', part.relname);
          action := 'dropped';
        ELSE
          EXECUTE format('ALTER TABLE %I DETACH PARTITION %I', p_table, part.relname);
          EXECUTE format('DROP TRIGGER IF EXISTS querygate_notify_change ON %I', part.relname);
          EXECUTE format('COMMENT ON TABLE %I IS %L', part.relname,
                         ')sql"
                                      "%DETACHED%"
                                      R"sql(' || p_table);
          action := 'detached';
        END IF;
        removed := true;
      EXCEPTION WHEN others THEN
        action := 'failed: ' || SQLERRM;
      END;
      RETURN NEXT;
    END LOOP;
  END IF;
  IF removed AND p_notify THEN
    PERFORM pg_notify('querygate_changes', json_build_object('tables', json_build_array(p_table),
      'ts_us', (extract(epoch FROM clock_timestamp()) * 1000000)::bigint)::text);
  END IF;
END
$qg$;
)sql";

std::string Literal(absl::string_view text) { return SqlStringLiteral(text); }

}  // namespace

bool HasPartitionedModels(const Schema& schema) {
  for (const Model& model : schema.models) {
    if (model.partitioning.has_value()) return true;
  }
  return false;
}

std::string PartitionFunctionsSql(const Schema& schema) {
  if (!HasPartitionedModels(schema)) return "";
  std::string helper = kPartitionTableSql;
  size_t marker = helper.find("%DETACHED%");
  helper.replace(marker, 10, kDetachedPartitionComment);
  std::string calls;
  for (const Model& model : schema.models) {
    if (!model.partitioning.has_value()) continue;
    const Partitioning& p = *model.partitioning;
    absl::StrAppend(&calls, "  RETURN QUERY SELECT ", Literal(model.table),
                    "::text, r.action, r.partition_name FROM querygate_partition_table(",
                    Literal(model.table), ", ", Literal(p.column), ", ",
                    Literal(PartitionIntervalName(p.interval)), ", ", p.ahead, ", ", p.retention,
                    ", ", Literal(RetentionActionName(p.retention_action)), ", ",
                    model.notify_changes ? "true" : "false", ") AS r;\n");
  }
  const std::string signature =
      "querygate_partition_table(text, text, text, integer, integer, text, boolean)";
  return absl::StrCat(
      helper, "CREATE OR REPLACE FUNCTION ", kMaintainPartitionsFunction,
      "()\nRETURNS TABLE(table_name text, action text, partition_name text)\n"
      "LANGUAGE plpgsql SECURITY DEFINER SET \"TimeZone\" = 'UTC' AS $qg$\nBEGIN\n"
      "  PERFORM pg_advisory_xact_lock(7171717172);\n",
      calls, "END\n$qg$;\n", "REVOKE ALL ON FUNCTION ", signature, " FROM PUBLIC;\n",
      "REVOKE ALL ON FUNCTION ", kMaintainPartitionsFunction, "() FROM PUBLIC;\n",
      "DO $qg$ BEGIN\n  EXECUTE format('ALTER FUNCTION ", kMaintainPartitionsFunction,
      "() SET search_path = %I, pg_temp', current_schema());\n"
      "  EXECUTE format('ALTER FUNCTION ",
      signature, " SET search_path = %I, pg_temp', current_schema());\nEND $qg$;\n");
}

std::string MaintainPartitionsSql() {
  return absl::StrCat("SELECT table_name, action, partition_name FROM ",
                      kMaintainPartitionsFunction, "()");
}

}  // namespace querygate::schema
