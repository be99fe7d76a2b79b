-- Supabase's default privileges on projects created before 2026-10-30 (JobMojito's among them):
-- the API roles get every new table, function and sequence in public, and RLS decides. Projects
-- created since, and local stacks with [api] auto_expose_new_tables = false (CLI 2.106 and later),
-- grant nothing by default: migrations grant what the API needs. Applied after bootstrap.sql
-- unless STACK_AUTO_EXPOSE=0. Never deployed.
alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;
