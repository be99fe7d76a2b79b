-- private: what the API does not expose. The RPC and what it calls run as their owner, so no API
-- role needs anything here: no usage, and no function callable by PUBLIC unless granted.
-- PostgreSQL lets PUBLIC execute every new function, and a schema's default privileges can only
-- add to the global ones, never take that away: 0990_private_functions_not_public.sql revokes it
-- from every function here once they all exist.
create schema private;
revoke all on schema private from public;
