// PostgREST's errors and headers, from its ErrorSpec ("Test PostgreSQL and PostgREST errors",
// "includes the proxy-status header on the response"), HttpHeaderSpec and QuerySpec, and the
// source they exercise: Error.hs `mapSQLtoHTTP` (each SQLSTATE's status), App.hs (`Vary`, added by
// PostgREST 16 to successful answers only) and Query/SqlFragment.hs (filters sent untyped).
import assert from "node:assert/strict";
import {
  answer,
  ensureFixtures,
  hs256,
  type Origin,
  pgrstBody,
  POSTGREST,
  postgrestSource,
  postgrestSpec,
  rest,
  upstream,
  userClaims,
} from "./support.ts";

await ensureFixtures();

const errorSpec = (test: string) => postgrestSpec("Query/ErrorSpec.hs", test);
const querySpec = (test: string) => postgrestSpec("Query/QuerySpec.hs", test);
const source = postgrestSource;

upstream(
  errorSpec("should return 500 for cardinality_violation"),
  "more than one row from a subquery (21000): 500",
  async () => {
    const res = await answer(await rest("GET", "/rpc/upstream_bad_subquery"));
    assert.equal(res.status, 500);
    assert.equal((res.json as Record<string, string>).code, "21000");
  },
);

upstream(
  errorSpec("includes the proxy-status header on the response: works with ApiRequest error"),
  "a path PostgREST has no resource for: 404 PGRST125 with Proxy-Status",
  async () => {
    const res = await answer(await rest("GET", "/invalid/nested/paths"));
    assert.equal(res.status, 404);
    assert.equal(res.text, pgrstBody("PGRST125", "Invalid path specified in request URL"));
    assert.equal(res.headers.get("proxy-status"), "PostgREST; error=PGRST125");
    assert.equal(res.headers.get("content-length"), "96");
  },
);

upstream(
  errorSpec("includes the proxy-status header on the response: works with SchemaCache error"),
  "an unknown table: 404 PGRST205 with Proxy-Status",
  async () => {
    const res = await answer(await rest("GET", "/qqzqxv_no_table"));
    assert.equal(res.status, 404);
    const body = res.json as Record<string, string | null>;
    assert.equal(body.code, "PGRST205");
    assert.equal(
      body.message,
      "Could not find the table 'public.qqzqxv_no_table' in the schema cache",
    );
    assert.equal(res.headers.get("proxy-status"), "PostgREST; error=PGRST205");
  },
);

upstream(
  errorSpec(
    "includes the proxy-status header on the response: works with raise sqlstate custom error",
  ),
  "a PT402 raise: Proxy-Status names it",
  async () => {
    const res = await answer(await rest("GET", "/rpc/upstream_raise_pt402"));
    assert.equal(res.headers.get("proxy-status"), "PostgREST; error=PT402");
  },
);

upstream(
  errorSpec(
    "includes the proxy-status header on the response: works with sqlstate PGRST custom error",
  ),
  "a PGRST raise: Proxy-Status names its own code, Content-Length 59",
  async () => {
    const res = await answer(await rest("GET", "/rpc/upstream_raise_sqlstate_test1"));
    assert.equal(res.status, 332);
    assert.equal(res.headers.get("proxy-status"), "PostgREST; error=123");
    assert.equal(res.headers.get("content-length"), "59");
  },
);

// Each SQLSTATE's status (Error.hs mapSQLtoHTTP), raised by the function the caller calls.
const mapping: [string, number, string?][] = [
  ["23505", 409],
  ["23503", 409],
  ["25006", 405],
  ["08006", 503],
  ["53300", 503],
  ["53400", 500],
  ["54001", 500],
  ["57P01", 503],
  ["57014", 500],
  ["28000", 403],
  ["0P000", 403],
  ["42P01", 404],
  ["42883", 404],
  ["42P17", 500],
  ["22P02", 400],
  ["22023", 400, "not about a role"],
  ["P0002", 500],
  ["XX000", 500],
  ["2D000", 500],
  ["21000", 400, "UPDATE requires a WHERE clause"],
];
for (const [code, status, msg] of mapping) {
  upstream(
    source("Error.hs", `mapSQLtoHTTP: ${code}${msg ? ` "${msg}"` : ""}`),
    `SQLSTATE ${code} is HTTP ${status}`,
    async () => {
      const query = new URLSearchParams({ code, ...(msg ? { msg } : {}) });
      const res = await answer(await rest("GET", `/rpc/upstream_raise?${query}`));
      assert.equal(res.status, status, res.text);
      assert.equal(res.text, pgrstBody(code, msg ?? "raised"));
      assert.equal(res.headers.get("proxy-status"), `PostgREST; error=${code}`);
      assert.equal(res.headers.get("www-authenticate"), null, "only a 401 asks for a token");
    },
  );
}

upstream(
  source("Error.hs", "mapSQLtoHTTP: 42501, authed or not"),
  "42501 is 401 for anon, with WWW-Authenticate, and 403 for a signed-in role",
  async () => {
    const query = "code=42501&msg=nope";
    const anon = await answer(await rest("GET", `/rpc/upstream_raise?${query}`));
    assert.equal(anon.status, 401);
    assert.equal(anon.headers.get("www-authenticate"), "Bearer");
    const user = await answer(
      await rest("GET", `/rpc/upstream_raise?${query}`, { token: await hs256(userClaims()) }),
    );
    assert.equal(user.status, 403);
  },
);

upstream(
  source("Error.hs", "mapSQLtoHTTP: 'P':'T':n"),
  "PT401 (as this project's RPC raises for an ended session): 401 with WWW-Authenticate: Bearer",
  async () => {
    const res = await answer(
      await rest("GET", "/rpc/upstream_raise?code=PT401&msg=session%20ended"),
    );
    assert.equal(res.status, 401);
    assert.equal(res.text, pgrstBody("PT401", "session ended"));
    assert.equal(res.headers.get("www-authenticate"), "Bearer");
  },
);

upstream(
  source("Error.hs", "mapSQLtoHTTP: 'P':'T':n"),
  "PT409 (this project's replica-behind signal): 409",
  async () => {
    const res = await answer(await rest("GET", "/rpc/upstream_raise?code=PT409"));
    assert.equal(res.status, 409);
    assert.equal((res.json as Record<string, string>).code, "PT409");
  },
);

// Vary, PostgREST 16 only, on successful answers only.
const httpHeaderSpec: Origin = {
  repo: POSTGREST,
  file: "test/spec/Feature/HttpHeaderSpec.hs",
  test: "Test HTTP Default Header: Test default Vary header value matches default one",
};
const vary = source("App.hs", "postgrestResponse: toWaiResponse adds varyHeader (successes only)");
upstream(httpHeaderSpec, "a successful read carries Vary: Accept, Prefer, Range", async () => {
  const res = await answer(await rest("GET", "/upstream_simple_pk?select=k"));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("vary"), "Accept, Prefer, Range");
}, { postgrest: [16] });
upstream(vary, "a successful call carries Vary, 204 included", async () => {
  for (
    const res of [
      await rest("GET", "/rpc/upstream_sayhello?name=x"),
      await rest("POST", "/rpc/upstream_ret_void", { body: "{}" }),
    ]
  ) {
    assert.equal(res.headers.get("vary"), "Accept, Prefer, Range", String(res.status));
    await res.body?.cancel();
  }
}, { postgrest: [16] });
upstream(vary, "an error carries no Vary (PostgREST 16)", async () => {
  for (const path of ["/rpc/upstream_problem", "/rpc/qqzqxv", "/qqzqxv_no_table"]) {
    const res = await rest("GET", path);
    assert.ok(res.status >= 400, path);
    assert.equal(res.headers.get("vary"), null, path);
    await res.body?.cancel();
  }
}, { postgrest: [16] });
upstream(
  {
    ...vary,
    repo: "PostgREST/postgrest@v14.17 (064e5fea)",
    test: "postgrestResponse (no Vary before v16)",
  },
  "PostgREST 14 sends no Vary at all",
  async () => {
    for (const path of ["/rpc/upstream_sayhello?name=x", "/upstream_simple_pk", "/rpc/qqzqxv"]) {
      const res = await rest("GET", path);
      assert.equal(res.headers.get("vary"), null, path);
      await res.body?.cancel();
    }
  },
  { postgrest: [14] },
);

upstream(querySpec("Filtering response: matches with like"), "like with * for %", async () => {
  const res = await answer(await rest("GET", "/upstream_simple_pk?k=like.*yx"));
  assert.deepEqual(res.json, [{ k: "xyyx", extra: "u" }]);
});
upstream(
  querySpec("Filtering response: matches with like using not operator"),
  "not.like",
  async () => {
    const res = await answer(await rest("GET", "/upstream_simple_pk?k=not.like.*yx"));
    assert.deepEqual(res.json, [{ k: "xYYx", extra: "v" }]);
  },
);
upstream(
  querySpec("Filtering response: matches with ilike"),
  "ilike matches both cases",
  async () => {
    const res = await answer(await rest("GET", "/upstream_simple_pk?k=ilike.xy*"));
    assert.deepEqual(
      (res.json as { k: string }[]).map((r) => r.k).sort(),
      ["xYYx", "xyyx"],
    );
  },
);
upstream(querySpec("Filtering response: matches with in"), "in.(…)", async () => {
  const res = await answer(await rest("GET", "/upstream_simple_pk?k=in.(xyyx,nope)&select=k"));
  assert.deepEqual(res.json, [{ k: "xyyx" }]);
});
upstream(querySpec("Filtering response: matches with is"), "is.null", async () => {
  const res = await answer(await rest("GET", "/upstream_simple_pk?extra=is.null"));
  assert.deepEqual([res.status, res.json], [200, []]);
  assert.equal(res.headers.get("content-range"), "*/*");
});
upstream(
  querySpec("fails if an operator is not given"),
  "a filter without an operator: 400 PGRST100",
  async () => {
    const res = await answer(await rest("GET", "/upstream_simple_pk?k=0"));
    assert.equal(res.status, 400);
    assert.equal(
      res.text,
      pgrstBody(
        "PGRST100",
        '"failed to parse filter (0)" (line 1, column 1)',
        'unexpected "0" expecting "not" or operator (eq, gt, ...)',
      ),
    );
  },
);
const untyped = source("Query/SqlFragment.hs", "pgFmtFilter: unknownLiteral (values sent untyped)");
upstream(untyped, "like on a uuid column is Postgres's own answer: 404 42883", async () => {
  const res = await answer(await rest("GET", "/upstream_uuids?id=like.x"));
  assert.equal(res.status, 404);
  const body = res.json as Record<string, string>;
  assert.equal(body.code, "42883");
  assert.equal(body.message, "operator does not exist: uuid ~~ unknown");
});
upstream(untyped, "eq with a malformed uuid: 400 22P02 from Postgres", async () => {
  const res = await answer(await rest("GET", "/upstream_uuids?id=eq.nope"));
  assert.equal(res.status, 400);
  assert.equal((res.json as Record<string, string>).code, "22P02");
});
upstream(
  querySpec("Filtering response: matches with eq and Content-Range"),
  "rows read: Content-Range 0-1/*, and 0-1/2 with count=exact",
  async () => {
    const plain = await answer(await rest("GET", "/upstream_simple_pk?select=k"));
    assert.equal(plain.headers.get("content-range"), "0-1/*");
    const counted = await answer(
      await rest("GET", "/upstream_simple_pk?select=k", { headers: { prefer: "count=exact" } }),
    );
    assert.equal(counted.headers.get("content-range"), "0-1/2");
  },
);

upstream(
  errorSpec(
    "show hint on PGRST205 table not found error: show hint when similarity score is at least 75%",
  ),
  "a near miss of a table's name: hinted",
  async () => {
    const res = await answer(await rest("GET", "/upstream_simple_pkx"));
    assert.equal(res.status, 404);
    assert.equal(
      (res.json as Record<string, string>).hint,
      "Perhaps you meant the table 'public.upstream_simple_pk'",
    );
  },
  {
    standInDiffers:
      "the stand-in answers hint null: PostgREST's fuzzy search for a near name is not copied; the function never reads hint",
  },
);
upstream(
  errorSpec(
    "show hint on PGRST205 table not found error: don't show hint when similarity score is less than 75%",
  ),
  "a name like no table: no hint",
  async () => {
    const res = await answer(await rest("GET", "/qqzqxv_no_table"));
    assert.equal((res.json as Record<string, string | null>).hint, null);
  },
);

const multipleSchemaSpec = (test: string) => postgrestSpec("Query/MultipleSchemaSpec.hs", test);
const invalidSchema = pgrstBody(
  "PGRST106",
  "Invalid schema: private",
  null,
  "Only the following schemas are exposed: public",
);

upstream(
  multipleSchemaSpec("fails trying to read table from unknown schema"),
  "Accept-Profile naming a schema the Data API doesn't expose: 406 PGRST106",
  async () => {
    const res = await answer(
      await rest("GET", "/rpc/upstream_bad_subquery", { headers: { "accept-profile": "private" } }),
    );
    assert.equal(res.status, 406);
    assert.equal(res.text, invalidSchema);
  },
);

upstream(
  multipleSchemaSpec("fails when inserting on an unknown schema"),
  "Content-Profile naming a schema the Data API doesn't expose: 406 PGRST106",
  async () => {
    const res = await answer(
      await rest("POST", "/rpc/upstream_bad_subquery", {
        headers: { "content-profile": "private" },
        body: "{}",
      }),
    );
    assert.equal(res.status, 406);
    assert.equal(res.text, invalidSchema);
  },
);
