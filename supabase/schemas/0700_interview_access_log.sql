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
