-- Last: no function in private is callable by PUBLIC (PostgreSQL's default for a new function,
-- which a schema's default privileges can't take away; see 0200_private_schema.sql). A role calls
-- one only where its own file grants it. Every migration that creates functions here ends so.
revoke execute on all functions in schema private from public;
