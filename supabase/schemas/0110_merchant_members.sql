-- Who belongs to a merchant, and as what.
create table public.merchant_members (
  merchant_id uuid not null references public.merchants (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role text not null check (role in ('merchant_owner', 'merchant')),
  created_at timestamptz not null default now(),
  primary key (merchant_id, user_id)
);
-- Access is decided by user, never by merchant first.
create index merchant_members_user_id_idx on public.merchant_members (user_id, merchant_id);

alter table public.merchant_members enable row level security;
