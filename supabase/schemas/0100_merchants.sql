-- A merchant: a company that interviews candidates, or one of its sub-merchants. Members of a
-- merchant review the interviews of every merchant below it (private.can_review_merchant).
create table public.merchants (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  -- A sub-merchant's parent.
  parent_merchant_id uuid references public.merchants (id) on delete restrict,
  created_at timestamptz not null default now(),
  constraint merchants_not_own_parent check (parent_merchant_id is distinct from id)
);
create index merchants_parent_merchant_id_idx on public.merchants (parent_merchant_id);

alter table public.merchants enable row level security;
