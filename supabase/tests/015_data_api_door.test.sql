-- The Data API is no second door: every caller kind the API knows (anon, a candidate with a
-- submitted and a started interview, another candidate, reviewers above, at and below the owning
-- merchant, an admin, an outsider) is refused every column of every table, as PostgREST runs
-- GET /rest/v1/<table>?select=<column> with their token (42501: 401 for anon, 403 otherwise). The
-- service role, which writers use, reads them all. GraphQL (pg_graphql) reflects only what a role
-- may select, so it has nothing to show either.
begin;
select tests.create_world();

create temp table col on commit drop as
select c.table_name, c.column_name
from information_schema.columns c
join information_schema.tables t using (table_schema, table_name)
where c.table_schema = 'public' and t.table_type = 'BASE TABLE';

create temp table caller (name text) on commit drop;
insert into caller values ('anon'), ('candidate'), ('other_candidate'), ('top_recruiter'),
  ('mid_recruiter'), ('leaf_recruiter'), ('other_recruiter'), ('admin'), ('outsider');

select plan((select count(*)::int from col) * ((select count(*)::int from caller) + 1) + 1);

select is((select count(distinct table_name) from col), 7::bigint, 'every column of the seven tables is tried');

select ok(tests.refused_as(caller.name, format('select %I from public.%I', col.column_name, col.table_name)),
  format('%s is refused %s.%s', caller.name, col.table_name, col.column_name))
from caller, col order by caller.name, col.table_name, col.column_name;

select ok(not tests.refused_as('service_role', format('select %I from public.%I', col.column_name, col.table_name)),
  format('the service role reads %s.%s', col.table_name, col.column_name))
from col order by col.table_name, col.column_name;

select * from finish();
rollback;
