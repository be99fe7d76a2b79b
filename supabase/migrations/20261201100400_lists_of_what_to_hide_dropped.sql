-- The lists of what to hide from the candidate, replaced by the list of what to show
-- (private.candidate_visibility, 20261201100100), dropped. Not in that file: a call that began
-- under the previous RPC plans its next statement against the catalog as it is then, so dropping
-- what the previous RPC calls in the same commit that replaces it fails the calls in flight.
set local lock_timeout = '750ms';
set local statement_timeout = '60s';

drop function private.without_proctoring(json);
drop function private.without_hiring_reasons(json);
drop function private.proctoring_keys();
