// supabase/schemas/ (each object's current definition) and supabase/migrations/ (the changes a
// database has run) build the same database: two clusters, one migrated with the CLI, one built
// from the schema files in their order (as `supabase db diff` builds its shadow database from
// [db.migrations] schema_paths), compared object by object. The comparison is shown to see a
// change of each kind it covers, so that "equal" means something.
import assert from "node:assert/strict";
import postgres from "postgres";
import { prepareDatabase, ROOT } from "../../tools/local-stack/database.ts";
import { startCluster } from "../../tools/local-stack/postgres.ts";
import { psqlFile } from "./support.ts";

const SCHEMAS = `${ROOT}supabase/schemas`;

/**
 * Everything the project defines, one line per fact, in `public` and `private` (and its bucket):
 * tables and their RLS flags, columns (type, default, nullability, generation), constraints,
 * indexes, functions with their bodies and settings, triggers, policies, comments, privileges
 * (ACLs on schemas, tables, columns and functions, and default privileges), partitions and their
 * bounds, and the rows of the candidate's list and of the access log's settings.
 */
const CATALOG = `
with ns as (select oid, nspname from pg_namespace where nspname in ('public', 'private'))
select 'schema ' || nspname || ' acl=' || coalesce(nspacl::text, '') as fact
from pg_namespace where nspname in ('public', 'private')
union all
select format('relation %s.%s kind=%s rls=%s forced=%s acl=%s options=%s', ns.nspname, c.relname,
  c.relkind, c.relrowsecurity, c.relforcerowsecurity, coalesce(c.relacl::text, ''),
  coalesce(c.reloptions::text, ''))
from pg_class c join ns on ns.oid = c.relnamespace where c.relkind in ('r', 'p', 'v', 'm', 'S')
union all
select format('column %s.%s #%s %s type=%s notnull=%s default=%s generated=%s identity=%s acl=%s',
  ns.nspname, c.relname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
  coalesce(pg_get_expr(d.adbin, d.adrelid), ''), a.attgenerated, a.attidentity,
  coalesce(a.attacl::text, ''))
from pg_attribute a join pg_class c on c.oid = a.attrelid join ns on ns.oid = c.relnamespace
left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
where c.relkind in ('r', 'p', 'v', 'm') and a.attnum > 0 and not a.attisdropped
union all
select format('constraint %s.%s %s %s', ns.nspname, c.relname, k.conname, pg_get_constraintdef(k.oid))
from pg_constraint k join pg_class c on c.oid = k.conrelid join ns on ns.oid = c.relnamespace
union all
select 'index ' || pg_get_indexdef(i.indexrelid)
from pg_index i join pg_class c on c.oid = i.indrelid join ns on ns.oid = c.relnamespace
union all
select format('function %s acl=%s owner=%s comment=%s %s', p.oid::regprocedure,
  coalesce(p.proacl::text, ''), pg_get_userbyid(p.proowner),
  coalesce(obj_description(p.oid, 'pg_proc'), ''), pg_get_functiondef(p.oid))
from pg_proc p join ns on ns.oid = p.pronamespace
union all
select format('trigger %s enabled=%s', pg_get_triggerdef(t.oid), t.tgenabled)
from pg_trigger t join pg_class c on c.oid = t.tgrelid join ns on ns.oid = c.relnamespace
where not t.tgisinternal
union all
select format('policy %s.%s %s %s roles=%s using=%s check=%s', schemaname, tablename, policyname,
  cmd, roles::text, coalesce(qual, ''), coalesce(with_check, ''))
from pg_policies where schemaname in ('public', 'private')
union all
select format('comment %s.%s #%s %s', ns.nspname, c.relname, d.objsubid, d.description)
from pg_description d join pg_class c on c.oid = d.objoid and d.classoid = 'pg_class'::regclass
join ns on ns.oid = c.relnamespace
union all
select format('default privileges for %s in %s on %s: %s', pg_get_userbyid(a.defaclrole),
  coalesce(n.nspname, '(all)'), a.defaclobjtype, a.defaclacl::text)
from pg_default_acl a left join pg_namespace n on n.oid = a.defaclnamespace
union all
select format('bucket %s public=%s', id, public) from storage.buckets
union all
select format('candidate_visibility %s %s %s', path, candidate, reason)
from private.candidate_visibility
union all
select format('partitioned %s.%s by %s', ns.nspname, c.relname, pg_get_partkeydef(c.oid))
from pg_class c join ns on ns.oid = c.relnamespace where c.relkind = 'p'
union all
select format('partition %s.%s %s', ns.nspname, c.relname, pg_get_expr(c.relpartbound, c.oid))
from pg_class c join ns on ns.oid = c.relnamespace where c.relispartition and c.relkind = 'r'
union all
select format('interview_access_log_settings %s', retention_months)
from private.interview_access_log_settings
`;

async function catalog(sql: postgres.Sql | postgres.TransactionSql): Promise<string[]> {
  return (await sql.unsafe(CATALOG)).map((r) => r.fact as string).sort();
}

/** The schema files, in the order their names give (config.toml: schema_paths). */
async function schemaFiles(): Promise<string[]> {
  const files: string[] = [];
  for await (const e of Deno.readDir(SCHEMAS)) {
    if (e.isFile && e.name.endsWith(".sql")) files.push(e.name);
  }
  return files.sort();
}

function difference(
  a: string[],
  b: string[],
): { only_migrations: string[]; only_schemas: string[] } {
  const sa = new Set(a);
  const sb = new Set(b);
  return {
    only_migrations: a.filter((x) => !sb.has(x)),
    only_schemas: b.filter((x) => !sa.has(x)),
  };
}

Deno.test("the schema files and the migrations build the same database", async () => {
  const [migrated, declared] = await Promise.all([startCluster(), startCluster()]);
  const a = postgres(migrated.url, { max: 1, onnotice: () => {} });
  const b = postgres(declared.url, { max: 1, onnotice: () => {} });
  try {
    await prepareDatabase(migrated.url, { seed: false });
    await prepareDatabase(declared.url, { migrations: [], seed: false });
    for (const f of await schemaFiles()) await psqlFile(declared.url, `${SCHEMAS}/${f}`);

    const fromMigrations = await catalog(a);
    const fromSchemas = await catalog(b);
    assert.ok(
      fromMigrations.length > 200,
      `the comparison reads the catalog (${fromMigrations.length} facts)`,
    );
    assert.deepEqual(difference(fromMigrations, fromSchemas), {
      only_migrations: [],
      only_schemas: [],
    });

    // A change of each kind the comparison covers, made on one side, is seen.
    const changes = [
      "alter table public.interview_results alter column score_text set default 'x'",
      "alter table public.interview_results alter column score_text set not null",
      "alter table public.merchants add constraint named check (name <> '')",
      "create index on public.interview_results (score)",
      "create or replace function private.own_recording_path(p_path text, p_merchant_id uuid, p_result_id uuid) returns text language plpgsql immutable set search_path = '' as $$ begin return p_path; end; $$",
      "alter function public.interview_transcript(uuid, text) reset plan_cache_mode",
      "drop trigger keep_answer_assessment_condensed on public.interview_result_questions",
      "grant select on public.interview_results to authenticated",
      "grant select (score) on public.interview_results to authenticated",
      "create policy p on public.interview_results for select to authenticated using (true)",
      "alter table public.merchants disable row level security",
      "update storage.buckets set public = true where id = 'private-recordings'",
      "update private.candidate_visibility set candidate = 'shown' where path = 'recruiter_risks'",
      "comment on column public.interview_results.score is 'x'",
      "alter default privileges in schema private grant execute on functions to public",
      "grant usage on schema private to authenticated",
      "update private.interview_access_log_settings set retention_months = 7",
      `alter table private.interview_access_log detach partition private.interview_access_log_${
        new Date().toISOString().slice(0, 7).replace("-", "_")
      }`,
    ];
    for (const change of changes) {
      const seen = await b.begin(async (tx) => {
        await tx.unsafe(change);
        const d = difference(fromMigrations, await catalog(tx));
        throw Object.assign(new Error("rolled back"), {
          seen: d.only_schemas.length + d.only_migrations.length > 0,
        });
      }).catch((e) => e.seen);
      assert.equal(seen, true, `the comparison sees: ${change}`);
    }
  } finally {
    await a.end();
    await b.end();
    await Promise.all([migrated.stop(), declared.stop()]);
  }
});
