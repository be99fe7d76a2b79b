/**
 * What an access record costs (issue 26): its bytes, row and index, over many records written
 * through public.record_interview_access by a mix of readers; its write time, with pgbench: the
 * record as a signed-in recruiter against the transcript's `summary` read by the same reader (the
 * read-only baseline), interleaved in one run, once as the test clusters run (fsync off) and
 * once durable (fsync, synchronous_commit, full_page_writes on, as production); and what a
 * million reads a day cost a year in storage at 12 months' retention.
 *   npm run bench:access-log [-- --records 200000 --calls 3000]
 */
import { parseArgs } from "node:util";
import { prepareDatabase } from "../local-stack/database.ts";
import { ensurePackages } from "../local-stack/packages.ts";
import { asPostgres, binDir, type Cluster, startCluster } from "../local-stack/postgres.ts";
import { run } from "../local-stack/processes.ts";

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    records: { type: "string", default: "200000" },
    calls: { type: "string", default: "3000" },
  },
});
const RECORDS = Number(args.records);
const CALLS = Number(args.calls);

/** The seed's readers of Alice's results (supabase/seed.sql), and Acme EMEA's interview. */
const USERS = {
  emeaRecruiter: "00000000-0000-4000-8000-000000000021",
  acmeOwner: "00000000-0000-4000-8000-000000000011",
  alice: "00000000-0000-4000-8000-000000000101",
  admin: "00000000-0000-4000-8000-000000000001",
};
const SEEDED_RESULT = "93c98d21-e04d-4a84-9afa-ed154cf73636";
const RESULTS = 10_000;
/** What a browser read carries: JobMojito's app as Origin, a request id as Hono makes one. */
const ORIGIN = "https://app.jobmojito.com";

/** The mix of readers the records are written by (shares of RECORDS). */
const MIX: { reader: string; share: number; origin: boolean }[] = [
  { reader: USERS.emeaRecruiter, share: 0.55, origin: true },
  { reader: USERS.acmeOwner, share: 0.10, origin: true },
  { reader: USERS.alice, share: 0.20, origin: true },
  { reader: USERS.admin, share: 0.05, origin: true },
  { reader: "service_role", share: 0.10, origin: false },
];

const sessionOf = (user: string) => `md5('bench:session:${user}')::uuid`;

function claims(reader: string): string {
  return reader === "service_role"
    ? `'{"role": "service_role"}'`
    : `json_build_object('sub', '${reader}', 'role', 'authenticated', 'session_id', ${
      sessionOf(reader)
    })::text`;
}

function asReader(reader: string): string {
  const role = reader === "service_role" ? "service_role" : "authenticated";
  return `select set_config('role', '${role}', true), set_config('request.jwt.claims', ${
    claims(reader)
  }, true);`;
}

async function psql(url: string, sql: string): Promise<string> {
  return (await run("psql", [url, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql])).trim();
}

/** Live sessions for the readers, and RESULTS more submitted results of Alice's at Acme EMEA. */
async function setUp(url: string) {
  await psql(
    url,
    `insert into auth.sessions (id, user_id, created_at, updated_at, aal)
     select md5('bench:session:' || u)::uuid, u, now(), now(), 'aal1'
     from unnest(array['${Object.values(USERS).join("', '")}']::uuid[]) u`,
  );
  await psql(
    url,
    `insert into public.interview_results (id, interview_def_id, merchant_id, candidate_id,
       coach_status, submitted_at)
     select md5('bench:result:' || g)::uuid, '20000000-0000-4000-8000-000000000001',
       '10000000-0000-4000-8000-000000000002', '${USERS.alice}', 'completed', now()
     from generate_series(1, ${RESULTS}) g`,
  );
}

/** RECORDS records through the RPC, in transactions of 10,000, each reader as PostgREST runs it. */
async function writeRecords(url: string): Promise<number> {
  const started = performance.now();
  for (const { reader, share, origin } of MIX) {
    let left = Math.round(RECORDS * share);
    while (left > 0) {
      const n = Math.min(left, 10_000);
      left -= n;
      await psql(
        url,
        `begin; ${asReader(reader)}
         select count(public.record_interview_access(x.result, x.view, x.links, x.expire,
           gen_random_uuid()::text, ${origin ? `'${ORIGIN}'` : "null"}))
         from (select md5('bench:result:' || (1 + floor(random() * ${RESULTS}))::int)::uuid as result,
             (array['summary', 'summary', 'standard', 'standard', 'full', 'condensed'])[1 + floor(random() * 6)::int] as view,
             case when s then 12 else 0 end as links, case when s then 300 end as expire
           from (select random() < 0.3 as s from generate_series(1, ${n})) r) x;
         commit;`,
      );
    }
  }
  return (performance.now() - started) / 1000;
}

interface Bytes {
  rows: number;
  heap: number;
  index: number;
  other: number;
  tuple: number;
}

async function measureBytes(url: string): Promise<Bytes> {
  await psql(url, "vacuum (analyze) private.interview_access_log");
  const [rows, heap, index, total, tuple] = (await psql(
    url,
    `select (select count(*) from private.interview_access_log),
       sum(pg_relation_size(c.oid)), sum(pg_indexes_size(c.oid)), sum(pg_total_relation_size(c.oid)),
       (select avg(pg_column_size(l.*)) from private.interview_access_log l)
     from pg_inherits i join pg_class c on c.oid = i.inhrelid
     where i.inhparent = 'private.interview_access_log'::regclass`,
  )).split("|").map(Number);
  return { rows, heap, index, other: total - heap - index, tuple };
}

interface WriteTime {
  /** Per transaction (every statement, commit included) and for the RPC's statement alone, ms. */
  record: { tx: number; rpc: number };
  read: { tx: number; rpc: number };
  walPerRecord: number;
}

/** pgbench, one client, the record and the read interleaved at random, CALLS of each. */
async function measureWriteTime(url: string): Promise<WriteTime> {
  const reader = asReader(USERS.emeaRecruiter);
  const scripts = {
    record: `begin;
${reader}
select public.record_interview_access('${SEEDED_RESULT}', 'summary', 0, null, 'bench-' || :client_id || '-' || (random() * 1e15)::bigint, '${ORIGIN}');
commit;
`,
    read: `begin read only;
${reader}
select length(public.interview_transcript('${SEEDED_RESULT}', 'summary')::text);
commit;
`,
  };
  const files: string[] = [];
  for (const body of Object.values(scripts)) {
    const f = await Deno.makeTempFile({ suffix: ".sql" });
    await Deno.writeTextFile(f, body);
    files.push(f);
  }
  const count = () =>
    psql(url, "select count(*) from private.interview_access_log where request_id like 'bench-%'");
  const before = { lsn: await psql(url, "select pg_current_wal_lsn()"), n: Number(await count()) };
  try {
    const out = await run("pgbench", [
      "-n",
      "-r",
      "-t",
      String(CALLS * 2),
      ...files.flatMap((f) => ["-f", `${f}@1`]),
      url,
    ], { env: { PGAPPNAME: "bench" } });
    const wal = Number(
      await psql(url, `select pg_current_wal_lsn() - '${before.lsn}'::pg_lsn`),
    );
    const written = Number(await count()) - before.n;
    // -r: each script's statements, with their average latency (ms), in order.
    const sections = out.split(/^SQL script \d+: /m).slice(1);
    const figures = sections.map((s) => {
      const lines = s.split("\n").filter((l) => /^\s+[\d.]+\s+\d+\s+/.test(l));
      const ms = lines.map((l) => Number(l.trim().split(/\s+/)[0]));
      const rpc = lines.findIndex((l) => /record_interview_access|interview_transcript/.test(l));
      return { tx: ms.reduce((a, b) => a + b, 0), rpc: ms[rpc] };
    });
    return { record: figures[0], read: figures[1], walPerRecord: wal / written };
  } finally {
    for (const f of files) await Deno.remove(f);
  }
}

/** The cluster again, as production keeps its data: fsync, synchronous_commit, full_page_writes. */
async function restartDurable(cluster: Cluster) {
  const opts = [
    `-p ${cluster.port}`,
    `-k ${cluster.dir}`,
    "-c listen_addresses=127.0.0.1",
    "-c max_connections=200",
    "-c shared_buffers=256MB",
  ].join(" ");
  await run(
    ...asPostgres(`${binDir(cluster.major)}/pg_ctl`, [
      "-D",
      `${cluster.dir}/data`,
      "-o",
      opts,
      "-l",
      `${cluster.dir}/postgres.log`,
      "-w",
      "restart",
    ]),
  );
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const gb = (n: number) => `${(n / 1e9).toFixed(1)} GB`;

function printWriteTime(label: string, t: WriteTime) {
  console.log(`\n== write time, ${label} (pgbench, ${CALLS} of each, one client, interleaved)`);
  console.log(
    `   the record   ${t.record.tx.toFixed(3)} ms a transaction (the RPC ${
      t.record.rpc.toFixed(3)
    } ms)`,
  );
  console.log(
    `   the summary read ${t.read.tx.toFixed(3)} ms a transaction (the RPC ${
      t.read.rpc.toFixed(3)
    } ms)`,
  );
  console.log(
    `   record / read: ${(t.record.tx / t.read.tx).toFixed(2)}x a transaction, ${
      (t.record.rpc / t.read.rpc).toFixed(2)
    }x the RPC; WAL ${t.walPerRecord.toFixed(0)} bytes a record`,
  );
}

if (import.meta.main) {
  await ensurePackages(["/usr/lib/postgresql/15/bin/initdb", "/usr/bin/psql"]);
  const cluster = await startCluster();
  try {
    await prepareDatabase(cluster.url);
    await setUp(cluster.url);
    console.log(`PostgreSQL ${cluster.major}; ${RECORDS} records over ${RESULTS} results`);
    const seconds = await writeRecords(cluster.url);
    console.log(
      `written through record_interview_access in ${seconds.toFixed(1)} s (${
        (RECORDS / seconds).toFixed(0)
      } a second, one session, no PostgREST)`,
    );
    const b = await measureBytes(cluster.url);
    const perRecord = (b.heap + b.index + b.other) / b.rows;
    console.log(`\n== bytes (${b.rows} records, vacuumed)`);
    console.log(
      `   a row's data (pg_column_size) ${b.tuple.toFixed(0)} bytes; on disk a record takes: heap ${
        (b.heap / b.rows).toFixed(0)
      } + index ${(b.index / b.rows).toFixed(0)} + free space and visibility maps ${
        (b.other / b.rows).toFixed(0)
      } = ${perRecord.toFixed(0)} bytes`,
    );
    console.log(
      `   (heap ${kb(b.heap)}, index ${kb(b.index)}, maps ${kb(b.other)})`,
    );
    const day = 1e6 * perRecord;
    console.log(`\n== a million reads a day, at ${perRecord.toFixed(0)} bytes a record`);
    console.log(`   a day ${gb(day)}; a year written ${gb(day * 365)}`);
    console.log(
      `   kept at 12 months' retention: 12 to 13 months of records (a month goes once its last record is 12 months old): ${
        gb(day * 365)
      } to ${gb(day * 365 * 13 / 12)} on disk`,
    );

    printWriteTime("as the test clusters run (fsync off)", await measureWriteTime(cluster.url));
    await restartDurable(cluster);
    printWriteTime(
      "durable (fsync, synchronous_commit, full_page_writes on)",
      await measureWriteTime(cluster.url),
    );
  } finally {
    await cluster.stop();
  }
}
