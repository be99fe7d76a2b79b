-- private: what the API does not expose. The RPC and what it calls run as their owner, so no API
-- role needs anything here: no usage, and no function callable by PUBLIC (PostgreSQL's default
-- for new functions) unless granted.
create schema private;
revoke all on schema private from public;
alter default privileges in schema private revoke execute on functions from public;
