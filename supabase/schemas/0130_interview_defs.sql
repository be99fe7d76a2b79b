-- An interview as a merchant defines it.
create table public.interview_defs (
  id uuid primary key default gen_random_uuid(),
  merchant_id uuid not null references public.merchants (id) on delete cascade,
  title text not null,
  created_at timestamptz not null default now(),
  -- Target of interview_results' composite key, which keeps results' merchant_id truthful.
  unique (id, merchant_id)
);
create index interview_defs_merchant_id_idx on public.interview_defs (merchant_id);

alter table public.interview_defs enable row level security;
