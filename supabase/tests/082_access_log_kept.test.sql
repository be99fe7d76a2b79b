-- Access records are kept as evidence: no API role may insert, read, update, delete or truncate
-- them, on the log or any month of it; a trigger refuses an update or a delete even to the owner.
-- They leave only with their month: private.maintain_interview_access_log() drops a month once
-- its last record is retention_months old (12 by default, never fewer than 6), and creates this
-- month's partition and the next three's.
begin;
select tests.create_world();
select plan(48);

-- Dates from the start of this month (UTC), so that the test reads the same on any day.
create temp table t on commit drop as
select date_trunc('month', now() at time zone 'UTC') at time zone 'UTC' as month_start;

-- Records at the first and the last instant of this month, and one next month.
insert into private.interview_access_log (accessed_at, interview_result_id, merchant_id,
  reader_user_id, recordings_signed, reader_kind, view, request_id)
select t.month_start + x.at, tests.uid('submitted'), tests.uid('m:mid'), tests.uid('candidate'), 0,
  'candidate', 'full', x.request_id
from t, (values (interval '0', 'first'), (interval '1 month' - interval '1 microsecond', 'last'),
  (interval '1 month 1 day', 'next')) x (at, request_id);

-- No API role holds anything on the log, its months or its settings.
create temp table api_statement (kind text, statement text) on commit drop;
insert into api_statement values
  ('insert', $$insert into private.interview_access_log (accessed_at, interview_result_id, merchant_id,
     recordings_signed, reader_kind, view, request_id)
     values (now(), gen_random_uuid(), gen_random_uuid(), 0, 'server', 'full', 'forged')$$),
  ('select', 'select count(*) from private.interview_access_log'),
  ('update', $$update private.interview_access_log set view = 'summary'$$),
  ('delete', 'delete from private.interview_access_log'),
  ('truncate', 'truncate private.interview_access_log'),
  ('select a month', format('select count(*) from private.%I',
    'interview_access_log_' || to_char(now() at time zone 'UTC', 'YYYY_MM'))),
  ('delete from a month', format('delete from private.%I',
    'interview_access_log_' || to_char(now() at time zone 'UTC', 'YYYY_MM'))),
  ('change the retention', 'update private.interview_access_log_settings set retention_months = 6');
select ok(tests.refused_as(c, s.statement), format('%s: %s is refused', c, s.kind))
from api_statement s, unnest(array['anon', 'candidate', 'admin', 'service_role']) c
where c <> 'candidate' or s.kind in ('insert', 'select', 'delete');

-- The owner may not change or remove a record either.
select throws_ok($$update private.interview_access_log set view = 'summary' where request_id = 'first'$$,
  '42501', 'Access records are evidence: no one updates or deletes one.',
  'an update is refused to the owner');
select throws_ok($$delete from private.interview_access_log where request_id = 'first'$$,
  '42501', 'Access records are evidence: no one updates or deletes one.',
  'a delete is refused to the owner');
select throws_ok(format($$delete from private.%I$$,
    'interview_access_log_' || to_char(now() at time zone 'UTC', 'YYYY_MM')),
  '42501', 'Access records are evidence: no one updates or deletes one.',
  'a delete from a month''s partition is refused too');
select results_eq($$select request_id from private.interview_access_log order by accessed_at$$,
  $$values ('first'), ('last'), ('next')$$, 'every record is still there');

-- Retention: whole months, never fewer than 6.
select is((select retention_months from private.interview_access_log_settings), 12,
  'records are kept 12 months by default');
select throws_ok('update private.interview_access_log_settings set retention_months = 5', '23514',
  null, 'a retention under 6 months is refused');

-- 12 months: this month goes once its last record is 12 months old, not a microsecond before.
create function pg_temp.maintain_at(p_at interval) returns setof text language sql as $$
  select action from private.maintain_interview_access_log((select month_start from t) + p_at)
$$;
select pg_temp.maintain_at(interval '13 months' - interval '1 microsecond');
select results_eq($$select request_id from private.interview_access_log order by accessed_at$$,
  $$values ('first'), ('last'), ('next')$$,
  'a microsecond before its last record is 12 months old, the month is kept whole');
select results_eq($$select pg_temp.maintain_at(interval '13 months')$$,
  $$values ('created'), ('dropped')$$,
  'when its last record is 12 months old, the run creates the month now coming and drops that one');
select results_eq($$select request_id from private.interview_access_log order by accessed_at$$,
  $$values ('next')$$, 'the month is gone whole, the next one kept');
select is_empty(format('select 1 from pg_class where relname = %L',
    'interview_access_log_' || to_char(now() at time zone 'UTC', 'YYYY_MM')),
  'its partition is dropped, not emptied');

-- The coming months: a partition for this month and each of the next three, however many runs
-- were missed before.
select results_eq($$
  select pg_get_expr(c.relpartbound, c.oid) collate "C" from pg_inherits i join pg_class c on c.oid = i.inhrelid
  where i.inhparent = 'private.interview_access_log'::regclass
    and c.relname >= 'interview_access_log_' || to_char((select month_start from t) + interval '13 months', 'YYYY_MM')
  order by 1
$$, $$
  select format('FOR VALUES FROM (%L) TO (%L)', m, m + interval '1 month') collate "C"
  from (select (select month_start from t) + make_interval(months => 13 + n) as m from generate_series(0, 3) n) x
  order by 1
$$, 'a run creates this month''s partition and the next three''s, each exactly one UTC month');
select is_empty($$select pg_temp.maintain_at(interval '13 months')$$,
  'a second run the same day has nothing to do');
select ok(not has_table_privilege(r, format('private.%I', 'interview_access_log_' ||
    to_char((select month_start from t) + interval '14 months', 'YYYY_MM')), 'select,insert,update,delete,truncate'),
  format('%s holds nothing on a month created by a run', r))
from unnest(array['anon', 'authenticated', 'service_role']) r;
insert into private.interview_access_log (accessed_at, interview_result_id, merchant_id,
  recordings_signed, reader_kind, view, request_id)
select month_start + interval '14 months 1 hour', tests.uid('submitted'), tests.uid('m:mid'), 0,
  'server', 'full', 'later' from t;
select throws_ok(format($$update private.%I set view = 'x'$$, 'interview_access_log_' ||
    to_char((select month_start from t) + interval '14 months', 'YYYY_MM')),
  '42501', 'Access records are evidence: no one updates or deletes one.',
  'a month created by a run refuses updates too');

-- 6 months, the least: next month's record goes when it is 6 months old.
update private.interview_access_log_settings set retention_months = 6;
select pg_temp.maintain_at(interval '8 months' - interval '1 microsecond');
select results_eq($$select request_id from private.interview_access_log order by accessed_at$$,
  $$values ('next'), ('later')$$, 'with 6 months, a month is kept until its last record is 6 months old');
select pg_temp.maintain_at(interval '8 months');
select results_eq($$select request_id from private.interview_access_log$$, $$values ('later')$$,
  'and goes then');

-- Without a settings row, nothing is dropped (and months are still created).
delete from private.interview_access_log_settings;
select results_eq($$select pg_temp.maintain_at(interval '30 months')$$,
  $$values ('created'), ('created'), ('created'), ('created')$$,
  'without settings a run creates months and drops none');

insert into private.interview_access_log_settings (retention_months) values (6);
-- Settings back: a DEFAULT partition an operator might add holds records of any age: no run drops it.
create table private.interview_access_log_default partition of private.interview_access_log default;
select pg_temp.maintain_at(interval '40 months');
select isnt_empty($$select 1 from pg_class where relname = 'interview_access_log_default'$$,
  'a partition without an upper bound is never dropped for its age');

-- A month attached from another schema (an archive, say) is dropped as itself, not by its name
-- in private.
create schema access_archive;
create table access_archive.interview_access_log_2020_01
  (like private.interview_access_log including all);
alter table private.interview_access_log attach partition access_archive.interview_access_log_2020_01
  for values from ('2020-01-01 00:00+00') to ('2020-02-01 00:00+00');
select pg_temp.maintain_at(interval '40 months');
select is_empty($$select 1 from pg_tables where schemaname = 'access_archive'$$,
  'a month past the retention is dropped whatever schema holds it');

select * from finish();
rollback;
