-- The questions of an interview definition, in order.
create table public.interview_def_questions (
  id uuid primary key default gen_random_uuid(),
  interview_def_id uuid not null references public.interview_defs (id) on delete cascade,
  position integer not null,
  question text not null,
  unique (interview_def_id, position)
);

alter table public.interview_def_questions enable row level security;
