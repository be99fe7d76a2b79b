-- The start of the oldest month still kept at p_now: every earlier month is past the
-- retention (its last record is at least retention_months old). Null when the settings have no
-- row. Months are UTC months.
create function private.interview_access_log_kept_from(p_now timestamptz) returns timestamptz
language plpgsql stable set search_path = '' set timezone = 'UTC' as $$
begin
  return (
    select pg_catalog.date_trunc('month', p_now - pg_catalog.make_interval(months => s.retention_months))
    from private.interview_access_log_settings s
  );
end;
$$;
revoke execute on function private.interview_access_log_kept_from(timestamptz) from public;

-- Keeps private.interview_access_log's months: creates the partitions of this month and the next
-- three (so a missed run, or sixty, still leaves every month a partition to write into), then
-- drops whole months past the retention: a month goes once its last record is
-- retention_months old, so every record is kept at least that long and at most a month more.
-- Never a bulk delete.
--
-- Locks: a new month is created apart and attached (SHARE UPDATE EXCLUSIVE on the log: reads and
-- writes go on; CREATE TABLE ... PARTITION OF would take ACCESS EXCLUSIVE). Dropping a month
-- takes ACCESS EXCLUSIVE on the log for a catalog change, milliseconds; each DDL waits at most
-- lock_timeout for its lock (never queueing long in front of the writes), and one that doesn't
-- get it is left for the next run, named in the result and in a warning (the Postgres log, where
-- pg_cron's runs are read). Months are UTC months.
--
-- Scheduled daily with pg_cron where the database has it (below); p_now is for tests and for
-- catching up by hand. Returns what it did, one row per partition created, dropped or skipped.
create function private.maintain_interview_access_log(p_now timestamptz default now())
returns table (partition_name text, action text)
language plpgsql volatile
set search_path = ''
set timezone = 'UTC'
set lock_timeout = '250ms'
set statement_timeout = '60s'
as $$
declare
  v_kept_from timestamptz := private.interview_access_log_kept_from(p_now);
  v_step record;
  v_ddl text;
begin
  if v_kept_from is null then
    raise warning 'private.interview_access_log_settings has no row: no month is dropped.';
  end if;
  -- What to do, in order: the months to come that have no partition yet (each created apart,
  -- then attached), then the months past the retention. A partition with no upper bound (a
  -- DEFAULT one an operator added) holds records of any age: never dropped here.
  for v_step in
    select m.name, array[
        format('create table private.%I (like private.interview_access_log including all)', m.name),
        format('alter table private.%I enable row level security', m.name),
        format('revoke all on table private.%I from public, anon, authenticated, service_role',
          m.name),
        format('alter table private.interview_access_log attach partition private.%I'
          ' for values from (%L) to (%L)', m.name, m.month, m.month + interval '1 month')
      ] as ddl, 'created' as done, 0 as phase, m.month as at
    from (
      select v.month, 'interview_access_log_' || pg_catalog.to_char(v.month, 'YYYY_MM') as name
      from pg_catalog.generate_series(0, 3) i,
        lateral (select pg_catalog.date_trunc('month', p_now)
          + pg_catalog.make_interval(months => i) as month) v
    ) m
    where pg_catalog.to_regclass('private.' || m.name) is null
    union all
    select p.relname, array[format('drop table %s', p.part)], 'dropped', 1, p.upper_bound
    from (
      select c.relname, c.oid::regclass as part,
        pg_catalog.substring(pg_catalog.pg_get_expr(c.relpartbound, c.oid),
          'TO \(''([^'']+)''\)')::timestamptz as upper_bound
      from pg_catalog.pg_inherits i
      join pg_catalog.pg_class c on c.oid = i.inhrelid
      where i.inhparent = 'private.interview_access_log'::regclass
    ) p
    where p.upper_bound <= v_kept_from
    order by phase, at
  loop
    partition_name := v_step.name;
    begin
      foreach v_ddl in array v_step.ddl loop
        execute v_ddl;
      end loop;
      action := v_step.done;
    exception when lock_not_available then
      action := 'not ' || v_step.done
        || ': the log was locked past lock_timeout; the next run tries again';
      raise warning '%: %', partition_name, action;
    end;
    return next;
  end loop;
end;
$$;

revoke execute on function private.maintain_interview_access_log(timestamptz) from public;

-- This month's partitions and the next three's, now; then daily at 03:17 UTC with pg_cron where
-- the database has it (hosted projects: enabled here if it isn't yet). Without it (a plain
-- PostgreSQL, this repo's local clusters), run `select * from
-- private.maintain_interview_access_log()` at least every three months from any scheduler
-- (docs/access-log.md).
do $$
begin
  perform private.maintain_interview_access_log();
  if exists (select 1 from pg_catalog.pg_available_extensions where name = 'pg_cron') then
    begin
      create extension if not exists pg_cron with schema pg_catalog;
      perform cron.schedule('maintain-interview-access-log', '17 3 * * *',
        'select * from private.maintain_interview_access_log()');
      return;
    exception when others then
      raise notice 'pg_cron could not be used (%).', sqlerrm;
    end;
  end if;
  raise notice 'No pg_cron: schedule select * from private.maintain_interview_access_log() yourself (docs/access-log.md).';
end;
$$;
