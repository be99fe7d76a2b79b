-- Every recording (session, video introduction, answers) lives in one private bucket, under
-- <merchant_id>/<interview_result_id>/. No policy on storage.objects: users never sign these
-- paths themselves; the function signs, with the service role, only the paths the caller's own
-- RPC call returned (and the RPC returns a path only when it belongs to its result).
insert into storage.buckets (id, name, public)
values ('private-recordings', 'private-recordings', false)
on conflict (id) do nothing;
