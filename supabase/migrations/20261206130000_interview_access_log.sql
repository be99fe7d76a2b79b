-- Issue 26: who read which interview result. The access log (private.interview_access_log,
-- partitioned by month, kept as evidence), its retention and upkeep, the record the edge function
-- writes for each disclosing answer (public.record_interview_access), the history those entitled
-- may read (public.interview_access_log), and the replay of records the function logged instead
-- (private.replay_interview_access). The access rule takes the reader's role as an argument and
-- the walk up the merchants names the membership it finds, so that the records share the
-- transcript's decision. Current definitions: supabase/schemas/0305, 0310, 0320, 0700 to 0740.
--
-- Safe on a live database: new tables (the log's first partitions attached under SHARE UPDATE
-- EXCLUSIVE on the new log only) and functions; no existing table is locked.
set local lock_timeout = '750ms';
set local statement_timeout = '60s';

-- The caller's membership that reaches this merchant: theirs in it or in any merchant above it,
-- an owner's (merchant_owner) before a member's, then the nearest; no row when none does. One
-- statement walking up the parents (index lookups, as many as the merchant is deep), not down the
-- caller's whole tree (2,000 merchants for a reviewer of a wide one). Bounded, so a corrupt
-- parent cycle can't loop. Who may review a result (private.can_review_merchant), in what role a
-- reader's access record names them, and who may read a result's access log all come from here.
create function private.merchant_membership(p_merchant_id uuid)
returns table (merchant_id uuid, role text)
language plpgsql stable security definer set search_path = '' as $$
begin
  return query
    with recursive up (id, depth) as (
      select p_merchant_id, 0
      union all
      select m.parent_merchant_id, up.depth + 1
      from up join public.merchants m on m.id = up.id
      where m.parent_merchant_id is not null and up.depth < 32
    )
    select mm.merchant_id, mm.role from up
    join public.merchant_members mm on mm.merchant_id = up.id
    where mm.user_id = (select auth.uid())
    order by mm.role = 'merchant_owner' desc, up.depth
    limit 1;
end;
$$;

-- Called by the owner's functions only. (A function's default is EXECUTE for PUBLIC, which an
-- `alter default privileges in schema` can't take away: only the schema's USAGE, which no user
-- role holds, keeps private's functions from callers.)
revoke execute on function private.merchant_membership(uuid) from public;

-- True when the caller is a member of this merchant or of any merchant above it
-- (private.merchant_membership: the walk up, in one place).
create or replace function private.can_review_merchant(p_merchant_id uuid) returns boolean
language plpgsql stable security definer set search_path = '' as $$
begin
  return exists (select 1 from private.merchant_membership(p_merchant_id));
end;
$$;

-- In what capacity a reader in database role p_role reads one result (the user, if any, is the
-- token's: auth.uid()):
--   'candidate'        their own, in any state, seen through private.candidate_visibility;
--   'merchant_member'  a member of its merchant or of one above it, once submitted;
--   'platform_admin'   JobMojito's staff;
--   'server'           a role that bypasses RLS (the service role, the owner): no user;
--   'none'             anyone else, and any caller for a result that doesn't exist.
-- Every check runs whatever the row holds (a row of nulls for a result that doesn't exist), so
-- that deciding takes the same steps for a hidden result as for a missing one. A caller who is
-- more than one (an admin reading their own interview) gets the capacity that sees the most.
-- The role is an argument so that a read logged by the function and replayed later
-- (private.replay_interview_access) is judged by this same rule as the reader it names.
create function private.result_access(p_result public.interview_results, p_role text)
returns text
language plpgsql stable security definer set search_path = '' as $$
declare
  v_admin boolean;
  v_member boolean;
begin
  if p_role = 'authenticated' then
    v_admin := private.is_platform_admin();
    v_member := private.can_review_merchant(p_result.merchant_id);
    if p_result.id is null then
      return 'none';
    elsif v_admin then
      return 'platform_admin';
    elsif v_member and p_result.submitted_at is not null then
      return 'merchant_member';
    elsif p_result.candidate_id = (select auth.uid()) then
      return 'candidate';
    end if;
    return 'none';
  end if;
  if p_result.id is not null and exists (
    select 1 from pg_catalog.pg_roles r
    where r.rolname = coalesce(nullif(p_role, 'none'), session_user)
      and (r.rolbypassrls or r.rolsuper)
  ) then
    return 'server';
  end if;
  return 'none';
end;
$$;
revoke execute on function private.result_access(public.interview_results, text) from public;

-- The caller's capacity: their role as PostgREST set it from the verified token.
create or replace function private.result_access(p_result public.interview_results) returns text
language plpgsql stable security definer set search_path = '' as $$
begin
  return private.result_access(p_result, current_setting('role', true));
end;
$$;

-- Who read which interview result: one row per answer that disclosed one (the function's 200s,
-- any view, GET or POST, replica path included), written by Postgres from the reader's verified
-- token (public.record_interview_access), never by an API role directly. docs/access-log.md.
--
-- Evidence, so kept as written: no API role holds any privilege on it, and a trigger refuses an
-- update or a delete to anyone, the owner included. Rows leave only with their month: the table
-- is partitioned by month of accessed_at, and private.maintain_interview_access_log() drops a
-- month once it is past the retention (private.interview_access_log_settings). No foreign key to
-- the result: the record of a disclosure outlives the result it disclosed (an erased result's
-- records stay until their month expires); it holds ids, times and counts, no interview content.
create table private.interview_access_log (
  -- When it was read: the transaction time of a live record, the answer's time for a replayed one.
  accessed_at timestamptz not null,
  -- Until when the recording links handed out with this answer work; null when none were.
  recordings_valid_until timestamptz,
  id uuid not null default gen_random_uuid(),
  interview_result_id uuid not null,
  -- The result's merchant when it was read.
  merchant_id uuid not null,
  -- The reader, from the verified token: its user (none for a server key) and its Auth session.
  reader_user_id uuid,
  reader_session_id uuid,
  -- For a merchant member: the merchant whose membership gave access (the result's or one above).
  reader_merchant_id uuid,
  -- How many recording links went out with the answer (0: none; at most 10,000, checked on write).
  -- squawk-ignore prefer-bigint-over-int
  recordings_signed integer not null check (recordings_signed >= 0),
  -- Written later from the function's log by an operator (private.replay_interview_access).
  replayed boolean not null default false,
  reader_kind text not null
    check (reader_kind in ('candidate', 'merchant_member', 'platform_admin', 'server')),
  -- For a merchant member: their role in reader_merchant_id.
  reader_role text check (reader_role in ('merchant_owner', 'merchant')),
  view text not null check (view in ('full', 'condensed', 'standard', 'summary')),
  -- The answer's X-Request-Id.
  request_id text not null,
  -- The request's Origin header, when it sent one.
  origin text,
  -- A member's role and merchant, and only a member's.
  check ((reader_kind = 'merchant_member') = (reader_role is not null)),
  check ((reader_kind = 'merchant_member') = (reader_merchant_id is not null)),
  -- A server key has no user and no session; every other reader is a user.
  check ((reader_kind = 'server') = (reader_user_id is null)),
  check (reader_kind <> 'server' or reader_session_id is null),
  check ((recordings_signed = 0) = (recordings_valid_until is null)),
  -- One index serves both: a result's records, newest first (public.interview_access_log reads
  -- it backwards), and the key, which must hold the partition key.
  primary key (interview_result_id, accessed_at, id)
) partition by range (accessed_at);

alter table private.interview_access_log enable row level security;

comment on table private.interview_access_log is
  'Who read which interview result: one row per disclosing answer, written by public.record_interview_access from the verified token. Never updated or deleted; months expire whole (private.maintain_interview_access_log).';

-- How long records are kept: whole months, at least 6 (the EU AI Act's floor for the logs of a
-- high-risk system, Art. 26(6)). One row; change it with an update, as the owner.
create table private.interview_access_log_settings (
  singleton boolean primary key default true check (singleton),
  -- squawk-ignore prefer-bigint-over-int
  retention_months integer not null default 12 check (retention_months >= 6)
);
insert into private.interview_access_log_settings default values;

alter table private.interview_access_log_settings enable row level security;

-- Refuses to change or remove a record, to anyone (a row trigger on the partitioned table, so
-- every month's partition has it too).
create function private.refuse_interview_access_log_change() returns trigger
language plpgsql set search_path = '' as $$
begin
  raise exception using
    errcode = '42501',
    message = 'Access records are evidence: no one updates or deletes one.',
    hint = 'Records leave only with their month, past the retention (private.maintain_interview_access_log).';
end;
$$;

revoke execute on function private.refuse_interview_access_log_change() from public;

create trigger interview_access_log_is_kept
  before update or delete on private.interview_access_log
  for each row execute function private.refuse_interview_access_log_change();

-- Written only through public.record_interview_access (and the owner's replay), read only
-- through public.interview_access_log: no API role holds anything on either table.
revoke all on table private.interview_access_log, private.interview_access_log_settings
  from public, anon, authenticated, service_role;

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

-- Writes one access record for a reader: its user and session are the token's claims
-- (request.jwt.claims, as PostgREST set them from the token it verified), p_role its database
-- role. The one writer behind a live record (public.record_interview_access) and a replayed one
-- (private.replay_interview_access):
--   1. The arguments are checked: 22023 (PostgREST answers 400) on anything else.
--   2. A live record needs a live session, as the read did (private.require_live_session).
--   3. The capacity is the transcript's own decision (private.result_access), for the same
--      reader; a member's role and merchant are their membership's (private.merchant_membership).
--      A reader who may not see the result gets null, and nothing is written.
--   4. recordings_valid_until is p_at rounded up to the second, plus the links' lifetime.
create function private.write_interview_access(
  p_interview_result_id uuid,
  p_role text,
  p_view text,
  p_recordings_signed integer,
  p_links_expire_in integer,
  p_request_id text,
  p_origin text,
  p_at timestamptz,
  p_replayed boolean
) returns uuid
language plpgsql volatile security definer set search_path = '' as $$
declare
  v_uuid constant text := '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
  v_result public.interview_results;
  v_kind text;
  v_session text;
  v_member_merchant_id uuid;
  v_member_role text;
  v_id uuid;
begin
  if p_interview_result_id is null then
    raise exception using errcode = '22023', message = 'p_interview_result_id is required.';
  elsif p_view is null or p_view not in ('full', 'condensed', 'standard', 'summary') then
    raise exception using errcode = '22023', message = format('Invalid view %L', p_view),
      hint = 'Use one of: full, condensed, standard, summary.';
  elsif p_recordings_signed is null or p_recordings_signed not between 0 and 10000 then
    raise exception using errcode = '22023',
      message = 'p_recordings_signed is how many recording links went out: 0 to 10000.';
  elsif (p_recordings_signed = 0) <> (p_links_expire_in is null)
    or p_links_expire_in not between 1 and 604800 then
    raise exception using errcode = '22023',
      message = 'p_links_expire_in is the links'' lifetime in seconds (1 to 604800) when links went out, and null when none did.';
  elsif p_request_id is null or p_request_id !~ '^[A-Za-z0-9_=-]{1,128}$' then
    raise exception using errcode = '22023',
      message = 'p_request_id is the answer''s X-Request-Id: 1 to 128 of A-Z a-z 0-9 _ = -.';
  elsif pg_catalog.length(p_origin) > 255
    or p_origin !~ '^[A-Za-z][A-Za-z0-9+.-]*://[]A-Za-z0-9.:[-]+$' then
    raise exception using errcode = '22023',
      message = 'p_origin is the request''s Origin (scheme://host[:port], at most 255 characters) or null.';
  end if;

  if not p_replayed then
    perform private.require_live_session();
  end if;

  -- A row of nulls when the result doesn't exist: decided by the same steps as a hidden one.
  select * into v_result from public.interview_results r where r.id = p_interview_result_id;
  v_kind := private.result_access(v_result, p_role);
  if v_kind = 'none' then
    return null;
  elsif v_kind = 'merchant_member' then
    select m.merchant_id, m.role into v_member_merchant_id, v_member_role
    from private.merchant_membership(v_result.merchant_id) m;
  end if;
  v_session := nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'session_id';

  insert into private.interview_access_log (accessed_at, recordings_valid_until, interview_result_id,
    merchant_id, reader_user_id, reader_session_id, reader_merchant_id, recordings_signed, replayed,
    reader_kind, reader_role, view, request_id, origin)
  values (p_at,
    pg_catalog.to_timestamp(pg_catalog.ceil(extract(epoch from p_at)) + p_links_expire_in),
    v_result.id, v_result.merchant_id,
    case when v_kind <> 'server' then (select auth.uid()) end,
    case when v_kind <> 'server' and v_session ~ v_uuid
      and v_session <> '00000000-0000-0000-0000-000000000000' then v_session::uuid end,
    v_member_merchant_id, p_recordings_signed, p_replayed,
    v_kind, v_member_role, p_view, p_request_id, p_origin)
  returning id into v_id;
  return v_id;
end;
$$;
revoke execute on function private.write_interview_access(uuid, text, text, integer, integer, text,
  text, timestamptz, boolean) from public;

-- public.record_interview_access: the record of one answer that disclosed a result, written by
-- the edge function with the reader's own credential, on the primary (docs/access-log.md). Who
-- read, and in what capacity, come from the token PostgREST verified, never from an argument; the
-- arguments say only what was read and how:
--   p_view               full | condensed | standard | summary
--   p_recordings_signed  how many recording links went out with the answer (0: none)
--   p_links_expire_in    their lifetime in seconds; null when none went out
--   p_request_id         the answer's X-Request-Id
--   p_origin             the request's Origin header, or null
-- Returns the record's id; null, with nothing written, when the caller may not see the result.
create function public.record_interview_access(
  p_interview_result_id uuid,
  p_view text,
  p_recordings_signed integer,
  p_links_expire_in integer,
  p_request_id text,
  p_origin text
) returns uuid
language plpgsql volatile security definer set search_path = '' as $$
begin
  return private.write_interview_access(p_interview_result_id, current_setting('role', true),
    p_view, p_recordings_signed, p_links_expire_in, p_request_id, p_origin, now(), false);
end;
$$;

comment on function public.record_interview_access(uuid, text, integer, integer, text, text) is
  'Records that the caller was just answered this interview result (one record per disclosing answer; the edge function calls it). The reader and their capacity come from the verified token; returns the record id, or null when the caller may not see the result.';

-- Signed-in users and the service role, as for interview_transcript.
revoke execute on function public.record_interview_access(uuid, text, integer, integer, text, text)
  from public, anon;
grant execute on function public.record_interview_access(uuid, text, integer, integer, text, text)
  to authenticated, service_role;

-- public.interview_access_log: who has read this interview result, newest first, for those
-- entitled (docs/access-log.md):
--   - platform admins and the service role: every record, whole;
--   - an owner (merchant_owner) of the result's merchant or of one above it, once the result is
--     submitted (as the transcript's access walks up): every record, whole;
--   - the candidate, of their own result: every record, but a reader's user id, the request id
--     and the calling origin only of their own reads (who at an organisation read it, and from
--     which of its hosts, is not theirs to know; when, which organisation, in what capacity and
--     what was shared are);
--   - anyone else, and anyone for a result they may not see or that doesn't exist: no rows
--     (platform admins and the service role still read the records of a result erased since).
-- Stable: PostgREST runs it read-only, by GET or POST (supabase-js rpc(), with { get: true } or not).
create function public.interview_access_log(p_interview_result_id uuid)
returns table (
  accessed_at timestamptz,
  reader_kind text,
  reader_role text,
  reader_user_id uuid,
  reader_merchant_id uuid,
  merchant_id uuid,
  view text,
  recordings_signed integer,
  recordings_valid_until timestamptz,
  request_id text,
  origin text,
  replayed boolean
)
language plpgsql stable security definer set search_path = '' as $$
declare
  v_result public.interview_results;
  v_kind text;
  v_me uuid;
begin
  perform private.require_live_session();
  select * into v_result from public.interview_results r where r.id = p_interview_result_id;
  -- A result erased since: its records outlive it, and those who read everything still read
  -- them. Decided as for a result known by its id alone, which gives platform admins and the
  -- service role their capacity and no one else any.
  v_result.id := p_interview_result_id;
  v_kind := private.result_access(v_result);
  v_me := (select auth.uid());

  if v_kind in ('platform_admin', 'server') or (v_kind = 'merchant_member' and exists (
    select 1 from private.merchant_membership(v_result.merchant_id) m
    where m.role = 'merchant_owner'
  )) then
    return query
      select l.accessed_at, l.reader_kind, l.reader_role, l.reader_user_id, l.reader_merchant_id,
        l.merchant_id, l.view, l.recordings_signed, l.recordings_valid_until, l.request_id,
        l.origin, l.replayed
      from private.interview_access_log l
      where l.interview_result_id = v_result.id
      order by l.accessed_at desc, l.id desc;
  elsif v_kind <> 'none' and v_result.candidate_id = v_me then
    -- Each column the candidate is shown, and what of it.
    return query
      select l.accessed_at, l.reader_kind, l.reader_role,
        case when l.reader_user_id = v_me then l.reader_user_id end,
        l.reader_merchant_id, l.merchant_id, l.view, l.recordings_signed,
        l.recordings_valid_until,
        case when l.reader_user_id = v_me then l.request_id end,
        case when l.reader_user_id = v_me then l.origin end, l.replayed
      from private.interview_access_log l
      where l.interview_result_id = v_result.id
      order by l.accessed_at desc, l.id desc;
  end if;
end;
$$;

comment on function public.interview_access_log(uuid) is
  'Who has read this interview result, newest first: everything for platform admins, the service role and owners of its merchant (or one above); the candidate''s own result with others'' user ids, request ids and origins hidden; nothing for anyone else, as for a result that does not exist.';

revoke execute on function public.interview_access_log(uuid) from public, anon;
grant execute on function public.interview_access_log(uuid) to authenticated, service_role;

-- Writes the records the edge function logged because it could not write them
-- (`"event":"access_record_unwritten"` lines, docs/access-log.md), as the database owner or the
-- service role, once the cause is gone. Takes one record, a list of records, a log line
-- ({"record": ...} or {"records": [...]}) or a list of lines. Each record is written as a live
-- one would be (private.write_interview_access), for the reader its `reader` names (the claims
-- of the token PostgREST verified for the read) at its `at`, marked replayed; its capacity is
-- decided now, by the same rule. Idempotent: a record whose reader already has one for that
-- result and request id (written live after all, or replayed before) is not written again.
-- Returns each record's request id and what became of it:
--   written | already recorded | expired (its month is past the retention) |
--   not written: the reader may not see this result now | not written: <why the record is invalid>
create function private.replay_interview_access(p_records jsonb)
returns table (request_id text, outcome text)
language plpgsql volatile security definer set search_path = '' as $$
declare
  v_uuid constant text := '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
  v_claims text := current_setting('request.jwt.claims', true);
  v_claim_sub text := current_setting('request.jwt.claim.sub', true);
  v_kept_from timestamptz := private.interview_access_log_kept_from(now());
  v_record jsonb;
  v_reader jsonb;
  v_at timestamptz;
  v_user uuid;
begin
  for v_record in
    select r.value
    from pg_catalog.jsonb_array_elements(case pg_catalog.jsonb_typeof(p_records)
      when 'array' then p_records else pg_catalog.jsonb_build_array(p_records) end)
      with ordinality line (value, n),
    lateral pg_catalog.jsonb_array_elements(case
      when pg_catalog.jsonb_typeof(line.value -> 'records') = 'array' then line.value -> 'records'
      when line.value ? 'record' then pg_catalog.jsonb_build_array(line.value -> 'record')
      else pg_catalog.jsonb_build_array(line.value) end) with ordinality r (value, n)
    order by line.n, r.n
  loop
    request_id := v_record ->> 'request_id';
    begin
      v_reader := v_record -> 'reader';
      if pg_catalog.jsonb_typeof(v_reader) is distinct from 'object'
        or v_reader ->> 'role' is null
        or v_reader ->> 'role' not in ('authenticated', 'service_role') then
        raise exception using errcode = '22023',
          message = 'reader.role must be authenticated or service_role.';
      elsif v_reader ->> 'role' = 'authenticated' and coalesce(v_reader ->> 'sub', '') !~ v_uuid then
        raise exception using errcode = '22023', message = 'reader.sub must be a user id.';
      elsif (v_reader ->> 'session_id') !~ v_uuid then
        raise exception using errcode = '22023', message = 'reader.session_id must be a uuid or null.';
      end if;
      v_at := (v_record ->> 'at')::timestamptz;
      if v_at is null or v_at > now() + interval '5 minutes' then
        raise exception using errcode = '22023', message = 'at must be when the answer was given.';
      end if;
      v_user := case when v_reader ->> 'role' = 'authenticated' then (v_reader ->> 'sub')::uuid end;

      if v_at < v_kept_from then
        outcome := 'expired';
      else
        -- Replays of the same record, at once, write it once.
        perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('replay_interview_access'),
          pg_catalog.hashtext(concat_ws(' ', v_record ->> 'interview_result_id', request_id, v_user)));
        if exists (
          select 1 from private.interview_access_log l
          where l.interview_result_id = (v_record ->> 'interview_result_id')::uuid
            and l.request_id = replay_interview_access.request_id
            and l.reader_user_id is not distinct from v_user
        ) then
          outcome := 'already recorded';
        else
          -- The reader as PostgREST had them, for this record only.
          perform set_config('request.jwt.claim.sub', '', true);
          perform set_config('request.jwt.claims', pg_catalog.jsonb_strip_nulls(
            pg_catalog.jsonb_build_object('role', v_reader -> 'role', 'sub', v_reader -> 'sub',
              'session_id', v_reader -> 'session_id'))::text, true);
          outcome := case when private.write_interview_access(
              (v_record ->> 'interview_result_id')::uuid, v_reader ->> 'role', v_record ->> 'view',
              (v_record ->> 'recordings_signed')::integer, (v_record ->> 'links_expire_in')::integer,
              request_id, v_record ->> 'origin', v_at, true) is null
            then 'not written: the reader may not see this result now'
            else 'written' end;
        end if;
      end if;
    exception when invalid_parameter_value or invalid_text_representation
      or invalid_datetime_format or datetime_field_overflow or numeric_value_out_of_range
      or check_violation then
      outcome := 'not written: ' || sqlerrm;
    end;
    return next;
  end loop;
  perform set_config('request.jwt.claims', coalesce(v_claims, ''), true);
  perform set_config('request.jwt.claim.sub', coalesce(v_claim_sub, ''), true);
end;
$$;

-- The owner, and the service role: it may use the schema (the Data API serves `public` only, so
-- this is for SQL sessions) and call this function of it.
revoke execute on function private.replay_interview_access(jsonb) from public;
grant usage on schema private to service_role;
grant execute on function private.replay_interview_access(jsonb) to service_role;

-- No function in private is callable by PUBLIC (PostgreSQL's default for a new function, which a
-- schema's default privileges can't take away): only where a grant says so.
revoke execute on all functions in schema private from public;
