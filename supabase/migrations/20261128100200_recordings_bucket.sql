-- Every recording (session, video introduction, answers) lives in one private bucket. No
-- policy on storage.objects: users never sign these paths themselves; the function signs, with
-- the service role, only the paths the caller's own RPC call returned.
insert into storage.buckets (id, name, public)
values ('private-recordings', 'private-recordings', false)
on conflict (id) do nothing;
