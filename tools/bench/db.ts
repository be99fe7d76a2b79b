/**
 * The RPC's own cost at production size (issue: 100,000 results, 2,000,000 items). Starts a
 * throwaway cluster, applies platform + migrations, generates the data set (db/generate.sql),
 * prints the plans of every statement the RPC runs (auto_explain, nested) and pgbench's average
 * of 100 calls per view, as a recruiter of a parent merchant (the policy walks the tree).
 *   deno run -A tools/bench/db.ts
 */
import { prepareDatabase, ROOT } from "../local-stack/database.ts";
import { ensurePackages } from "../local-stack/packages.ts";
import { startCluster } from "../local-stack/postgres.ts";
import { run } from "../local-stack/processes.ts";

const TARGET_MS: Record<string, number> = { standard: 2, full: 10 };

export async function measureRpc(url: string, result: string, view: string, calls = 100) {
  const claims = JSON.stringify({ sub: "md5:recruiter", role: "authenticated" });
  const script = await Deno.makeTempFile({ suffix: ".sql" });
  await Deno.writeTextFile(
    script,
    `begin;
select set_config('role', 'authenticated', true), set_config('request.jwt.claims', replace('${claims}', 'md5:recruiter', md5('bench:recruiter')::uuid::text), true);
select length(public.interview_transcript(md5('bench:${result}')::uuid, '${view}')::text);
commit;
`,
  );
  const out = await run("pgbench", ["-n", "-r", "-t", String(calls), "-f", script, url], {
    env: { PGAPPNAME: "bench" },
  });
  await Deno.remove(script);
  // -r prints per-statement averages; the RPC is the third statement.
  const rpcLine = out.split("\n").find((l) => l.includes("interview_transcript"))!;
  return {
    rpcMs: Number(rpcLine.trim().split(/\s+/)[0]),
    avgMs: Number(/latency average = ([\d.]+) ms/.exec(out)![1]),
  };
}

export async function explainRpc(url: string, result: string, view: string): Promise<string> {
  const sql = `
load 'auto_explain';
set auto_explain.log_min_duration = 0;
set auto_explain.log_analyze = on;
set auto_explain.log_nested_statements = on;
set auto_explain.log_level = notice;
set client_min_messages = notice;
begin;
select set_config('role', 'authenticated', true), set_config('request.jwt.claims', json_build_object('sub', md5('bench:recruiter')::uuid, 'role', 'authenticated')::text, true);
select length(public.interview_transcript(md5('bench:${result}')::uuid, '${view}')::text) as bytes;
commit;`;
  const child = new Deno.Command("psql", {
    args: [url, "-q", "-c", sql],
    stdout: "piped",
    stderr: "piped",
  });
  const { stdout, stderr } = await child.output();
  return new TextDecoder().decode(stderr) + new TextDecoder().decode(stdout);
}

/**
 * Why the columns are `json`: the same transcript document built as `json` from `json` columns
 * (embedded verbatim) and as `jsonb` (parsed into binary, then printed), pgbench average of 20.
 */
export async function measureJsonTypes(
  url: string,
  result: string,
): Promise<{ json: number; jsonb: number }> {
  const build = {
    json: `select length(json_agg(json_build_object('id', i.id, 'answer', i.answer,
      'answer_assessment_raw_data', i.answer_assessment_raw_data) order by i.position)::text)`,
    jsonb: `select length(jsonb_agg(jsonb_build_object('id', i.id, 'answer', i.answer,
      'answer_assessment_raw_data', i.answer_assessment_raw_data::jsonb) order by i.position)::text)`,
  };
  const out: Record<string, number> = {};
  for (const [type, select] of Object.entries(build)) {
    const script = await Deno.makeTempFile({ suffix: ".sql" });
    await Deno.writeTextFile(
      script,
      `${select} from public.interview_result_questions i where i.interview_result_id = md5('bench:${result}')::uuid;\n`,
    );
    const res = await run("pgbench", ["-n", "-t", "20", "-f", script, url]);
    await Deno.remove(script);
    out[type] = Number(/latency average = ([\d.]+) ms/.exec(res)![1]);
  }
  return out as { json: number; jsonb: number };
}

if (import.meta.main) {
  await ensurePackages(["/usr/lib/postgresql/15/bin/initdb", "/usr/bin/psql"]);
  const cluster = await startCluster();
  try {
    await prepareDatabase(cluster.url, { seed: false });
    const started = performance.now();
    await run("psql", [cluster.url, "-q", "-f", `${ROOT}tools/bench/db/generate.sql`]);
    const counts = await run("psql", [
      cluster.url,
      "-At",
      "-c",
      "select (select count(*) from interview_results) || ' results, ' || (select count(*) from interview_result_questions) || ' items, raw data of bench-m: ' || (select pg_size_pretty(sum(length(answer_assessment_raw_data::text))) from interview_result_questions where interview_result_id = md5('bench:bench-m')::uuid)",
    ]);
    console.log(
      `generated in ${((performance.now() - started) / 1000).toFixed(0)} s: ${counts.trim()}`,
    );
    const types = await measureJsonTypes(cluster.url, "bench-m");
    console.log(
      `\n== building bench-m's transcript: json ${types.json.toFixed(2)} ms, jsonb ${
        types.jsonb.toFixed(2)
      } ms (pgbench, 20 calls)`,
    );
    let ok = true;
    for (const view of ["standard", "full"]) {
      const plans = await explainRpc(cluster.url, "bench-m", view);
      const scans = [
        ...plans.matchAll(
          /(Seq Scan|Index Only Scan|Index Scan|Bitmap Heap Scan|Bitmap Index Scan) (?:using \S+ )?on (\S+)/g,
        ),
      ]
        .map((m) => `${m[1]} on ${m[2]}`);
      // A bitmap heap scan is driven by a bitmap index scan: still an index lookup.
      const seq = scans.filter((s) => s.startsWith("Seq Scan"));
      console.log(`\n== view ${view}: plans of the RPC's statements (auto_explain)`);
      console.log([...new Set(scans)].map((s) => `   ${s}`).join("\n"));
      if (Deno.env.get("BENCH_SHOW_PLANS")) console.log(plans);
      const { rpcMs, avgMs } = await measureRpc(cluster.url, "bench-m", view);
      const pass = rpcMs < TARGET_MS[view] && seq.length === 0;
      ok &&= pass;
      console.log(
        `   pgbench, 100 calls: RPC statement ${rpcMs.toFixed(3)} ms average (transaction ${
          avgMs.toFixed(3)
        } ms); target < ${TARGET_MS[view]} ms, index scans only: ${pass ? "MET" : "NOT MET"}${
          seq.length ? ` (${seq.join(", ")})` : ""
        }`,
      );
    }
    Deno.exitCode = ok ? 0 : 1;
  } finally {
    await cluster.stop();
  }
}
