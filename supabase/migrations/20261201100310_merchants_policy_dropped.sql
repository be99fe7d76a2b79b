-- public.merchants's policy for `authenticated`, inert since 20261201100300 took the API roles'
-- privileges, dropped: with RLS on and no policy, a privilege granted by mistake shows no row.
-- Alone in its file, so this migration holds one table's lock at a time (see 20261201100300).
set local lock_timeout = '750ms';
set local statement_timeout = '60s';

drop policy "Members, their parents' members and admins can read merchants" on public.merchants;
