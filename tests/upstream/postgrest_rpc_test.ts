// PostgREST's `rpc/<fn>` by GET and POST, from its RpcSpec and Preferences/HandlingSpec, and the
// source that decides the transaction's access mode (Plan.hs `callReadPlan`): arguments, Accept,
// Prefer, scalar, set, composite, NULL and void results, Content-Range, read-only GET, request
// settings, and the errors of each.
import assert from "node:assert/strict";
import {
  answer,
  ensureFixtures,
  hs256,
  pgrstBody,
  postgrestSource,
  postgrestSpec,
  rest,
  upstream,
  userClaims,
} from "./support.ts";

await ensureFixtures();

const rpcSpec = (test: string) => postgrestSpec("Query/RpcSpec.hs", test);
const plan = (test: string) => postgrestSource("Plan.hs", test);
const get = (path: string, headers: Record<string, string> = {}) =>
  rest("GET", `/rpc/${path}`, { headers }).then(answer);
const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  rest("POST", `/rpc/${path}`, { body, headers }).then(answer);
const JSON_TYPE = "application/json; charset=utf-8";

upstream(
  rpcSpec("a proc that returns a set: returns proper json"),
  "a set by POST and by GET: the rows as a JSON array",
  async () => {
    for (
      const res of [
        await post("upstream_getitemrange", '{ "min": 2, "max": 4 }'),
        await get("upstream_getitemrange?min=2&max=4"),
      ]
    ) {
      assert.equal(res.status, 200);
      assert.deepEqual(res.json, [{ id: 3 }, { id: 4 }]);
      assert.equal(res.headers.get("content-type"), JSON_TYPE);
    }
  },
);

upstream(
  rpcSpec("returns paginated results: using limit and offset"),
  "limit and offset on a set: Content-Range 1-1/*, Content-Length 10",
  async () => {
    for (
      const res of [
        await post("upstream_getitemrange?limit=1&offset=1", '{ "min": 2, "max": 4 }'),
        await get("upstream_getitemrange?min=2&max=4&limit=1&offset=1"),
      ]
    ) {
      assert.equal(res.status, 200);
      assert.equal(res.text, '[{"id":4}]');
      assert.equal(res.headers.get("content-range"), "1-1/*");
      assert.equal(res.headers.get("content-length"), "10");
    }
  },
);

upstream(
  rpcSpec("includes total count if requested: using limit and offset"),
  "Prefer: count=exact on a page of a set: 206, Content-Range 1-1/2",
  async () => {
    for (
      const res of [
        await post("upstream_getitemrange?limit=1&offset=1", '{ "min": 2, "max": 4 }', {
          prefer: "count=exact",
        }),
        await get("upstream_getitemrange?min=2&max=4&limit=1&offset=1", { prefer: "count=exact" }),
      ]
    ) {
      assert.equal(res.status, 206);
      assert.equal(res.text, '[{"id":4}]');
      assert.equal(res.headers.get("content-range"), "1-1/2");
    }
  },
);

upstream(
  rpcSpec(
    "includes exact count of 1 for functions that return a single scalar, domain or composite",
  ),
  "count=exact on a scalar and a composite: Content-Range 0-0/1",
  async () => {
    const scalar = await get("upstream_add_them?a=3&b=4", { prefer: "count=exact" });
    assert.deepEqual([scalar.status, scalar.text], [200, "7"]);
    assert.equal(scalar.headers.get("content-range"), "0-0/1");
    const composite = await get("upstream_ret_point_2d", { prefer: "count=exact" });
    assert.deepEqual(composite.json, { x: 10, y: 5 });
    assert.equal(composite.headers.get("content-range"), "0-0/1");
  },
);

upstream(
  rpcSpec("returns proper json"),
  "a scalar's Content-Range without a count: 0-0/*",
  async () => {
    const res = await get("upstream_add_them?a=3&b=4");
    assert.equal(res.headers.get("content-range"), "0-0/*");
  },
);

upstream(
  rpcSpec("should fail with 404 on unknown proc name"),
  "an unknown function by GET: 404 PGRST202",
  async () => {
    const res = await get("qqzqxv");
    assert.equal(res.status, 404);
    const body = res.json as Record<string, string>;
    assert.equal(body.code, "PGRST202");
    assert.equal(
      body.message,
      "Could not find the function public.qqzqxv without parameters in the schema cache",
    );
    assert.equal(
      body.details,
      "Searched for the function public.qqzqxv without parameters, but no matches were found in the schema cache.",
    );
  },
);

upstream(
  rpcSpec("unknown function: returns 404"),
  "an unknown function by POST: 404, also no single unnamed json parameter",
  async () => {
    const res = await post("qqzqxv", "{}");
    assert.equal(res.status, 404);
    assert.equal(
      (res.json as Record<string, string>).details,
      "Searched for the function public.qqzqxv without parameters or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.",
    );
  },
);

upstream(
  rpcSpec("should fail with 404 on unknown proc args"),
  "a known function, an argument it doesn't have: 404 PGRST202",
  async () => {
    const res = await get("upstream_sayhello?any_arg=value");
    assert.equal(res.status, 404);
    const body = res.json as Record<string, string>;
    assert.equal(
      body.message,
      "Could not find the function public.upstream_sayhello(any_arg) in the schema cache",
    );
    assert.equal(
      body.details,
      "Searched for the function public.upstream_sayhello with parameter any_arg, but no matches were found in the schema cache.",
    );
  },
);

upstream(
  rpcSpec("should not ignore unknown args and fail with 404"),
  "one argument too many: 404, the arguments named in order",
  async () => {
    const res = await get("upstream_add_them?a=1&b=2&smthelse=blabla");
    assert.equal(res.status, 404);
    const body = res.json as Record<string, string>;
    assert.equal(
      body.message,
      "Could not find the function public.upstream_add_them(a, b, smthelse) in the schema cache",
    );
    assert.equal(
      body.details,
      "Searched for the function public.upstream_add_them with parameters a, b, smthelse, but no matches were found in the schema cache.",
    );
  },
);

upstream(rpcSpec("returns text: returns proper json"), "a text result: a JSON string", async () => {
  const res = await post("upstream_sayhello", '{ "name": "world" }');
  assert.deepEqual([res.status, res.json], [200, "Hello, world"]);
  assert.equal(res.headers.get("content-type"), JSON_TYPE);
});

upstream(rpcSpec("returns text: can handle unicode"), "unicode in and out", async () => {
  const res = await post("upstream_sayhello", '{ "name": "￥" }');
  assert.equal(res.json, "Hello, ￥");
});

upstream(rpcSpec("returns setof integers"), "a set of integers: [1,2,3]", async () => {
  const res = await post("upstream_ret_setof_integers", "{}");
  assert.deepEqual(res.json, [1, 2, 3]);
});

upstream(
  rpcSpec("returns composite type in exposed schema"),
  "a composite result: an object",
  async () => {
    const res = await post("upstream_ret_point_2d", "{}");
    assert.deepEqual(res.json, { x: 10, y: 5 });
  },
);

upstream(
  rpcSpec("returns 204, no Content-Type header and no content for void"),
  "void: 204, no Content-Type, no Content-Length, no body",
  async () => {
    const res = await post("upstream_ret_void", "{}");
    assert.equal(res.status, 204);
    assert.equal(res.headers.get("content-type"), null);
    assert.equal(res.headers.get("content-length"), null);
    assert.equal(res.text, "");
  },
);

upstream(
  rpcSpec("returns null for an integer with null value"),
  "SQL NULL from a scalar: 200 null",
  async () => {
    const res = await post("upstream_ret_null", "{}");
    assert.deepEqual([res.status, res.text], [200, "null"]);
  },
);

upstream(
  rpcSpec("parses embedded JSON arguments as JSON"),
  "a JSON object argument arrives as JSON",
  async () => {
    const res = await post("upstream_json_argument", '{ "arg": { "key": 3 } }');
    assert.equal(res.json, "object");
  },
);

upstream(
  rpcSpec("parses quoted JSON arguments as JSON string (from Postgres 10.9, 11.4)"),
  "a JSON string argument stays a string",
  async () => {
    const res = await post("upstream_json_argument", '{ "arg": "{ \\"key\\": 3 }" }');
    assert.equal(res.json, "string");
  },
);

upstream(
  rpcSpec("rejects unknown content type even if payload is good"),
  "Accept: audio/mpeg3 by POST and GET: 406 PGRST107",
  async () => {
    for (
      const res of [
        await post("upstream_sayhello", '{ "name": "world" }', { accept: "audio/mpeg3" }),
        await get("upstream_sayhello?name=world", { accept: "audio/mpeg3" }),
      ]
    ) {
      assert.equal(res.status, 406);
      assert.equal(
        res.text,
        pgrstBody("PGRST107", "None of these media types are available: audio/mpeg3"),
      );
    }
  },
);

upstream(
  rpcSpec("rejects malformed json payload"),
  "a body that isn't JSON: 400 PGRST102",
  async () => {
    const res = await post("upstream_sayhello", "sdfsdf", { accept: "application/json" });
    assert.equal(res.status, 400);
    assert.equal(res.text, pgrstBody("PGRST102", "Empty or invalid json"));
  },
);

upstream(
  rpcSpec("treats simple plpgsql raise as invalid input"),
  "a plain RAISE: 400 P0001",
  async () => {
    const res = await post("upstream_problem", "{}");
    assert.equal(res.status, 400);
    assert.equal(res.text, pgrstBody("P0001", "bad thing"));
  },
);

upstream(
  rpcSpec("treats plpgsql assert as internal server error"),
  "an ASSERT: 500 P0004",
  async () => {
    const res = await post("upstream_assert", "{}");
    assert.equal(res.status, 500);
    assert.equal(res.text, pgrstBody("P0004", "asserting false"));
  },
);

upstream(
  rpcSpec("unsupported method: DELETE fails"),
  "DELETE: 405 PGRST101, Content-Length 94",
  async () => {
    const res = await answer(await rest("DELETE", "/rpc/upstream_sayhello"));
    assert.equal(res.status, 405);
    assert.equal(res.text, pgrstBody("PGRST101", "Cannot use the DELETE method on RPC"));
    assert.equal(res.headers.get("content-length"), "94");
    assert.equal(res.headers.get("content-type"), JSON_TYPE);
  },
);

upstream(rpcSpec("unsupported method: PATCH fails"), "PATCH: 405", async () => {
  const res = await answer(await rest("PATCH", "/rpc/upstream_sayhello"));
  assert.equal(res.status, 405);
  assert.equal((res.json as Record<string, string>).message, "Cannot use the PATCH method on RPC");
});

upstream(
  rpcSpec(
    "a proc that receives no parameters: interprets empty string as empty json object on a post request",
  ),
  "POST with an empty body: no arguments",
  async () => {
    const res = await post("upstream_noparamsproc", "");
    assert.deepEqual([res.status, res.json], [200, "Return value of no parameters procedure."]);
  },
);

upstream(
  rpcSpec(
    "a proc that receives no parameters: interprets empty string as a function with no args on a get request",
  ),
  "GET without a query: no arguments",
  async () => {
    const res = await get("upstream_noparamsproc");
    assert.deepEqual([res.status, res.json], [200, "Return value of no parameters procedure."]);
  },
);

upstream(
  rpcSpec("returns last value for repeated params without VARIADIC"),
  "a repeated GET argument: the last wins",
  async () => {
    const res = await get("upstream_sayhello?name=ignored&name=world");
    assert.equal(res.json, "Hello, world");
  },
);

upstream(
  rpcSpec("can handle procs with args that have a DEFAULT value"),
  "arguments left out take their defaults",
  async () => {
    const res = await get("upstream_three_defaults?b=4");
    assert.equal(res.text, "8");
  },
);

upstream(
  rpcSpec("can map a RAISE error code and message to a http status"),
  "RAISE SQLSTATE 'PT402': 402 with its message, detail and hint, Content-Length 99",
  async () => {
    const res = await get("upstream_raise_pt402");
    assert.equal(res.status, 402);
    assert.equal(
      res.text,
      pgrstBody("PT402", "Payment Required", "Quota exceeded", "Upgrade your plan"),
    );
    assert.equal(res.headers.get("content-length"), "99");
  },
);

upstream(
  rpcSpec("defaults to status 500 if RAISE code is PT not followed by a number"),
  "PT40A: 500, Content-Length 61",
  async () => {
    const res = await get("upstream_raise_bad_pt");
    assert.equal(res.status, 500);
    assert.equal(res.text, pgrstBody("PT40A", "Wrong"));
    assert.equal(res.headers.get("content-length"), "61");
  },
);

upstream(
  rpcSpec("only for POST rpc: gives a parse filter error if GET style proc args are specified"),
  "POST with an argument in the query: 400 PGRST100",
  async () => {
    const res = await post("upstream_sayhello?name=John", '{"name": "John"}');
    assert.equal(res.status, 400);
    assert.equal(
      res.text,
      pgrstBody(
        "PGRST100",
        '"failed to parse filter (John)" (line 1, column 1)',
        'unexpected "J" expecting "not" or operator (eq, gt, ...)',
      ),
    );
  },
);

upstream(
  rpcSpec("only for POST rpc: ignores json keys not included in ?columns"),
  "?columns= keeps only the named keys",
  async () => {
    const res = await post(
      "upstream_sayhello?columns=name",
      '{"name": "John", "smth": "here", "other": "stuff", "fake_id": 13}',
    );
    assert.deepEqual([res.status, res.json], [200, "Hello, John"]);
  },
);

upstream(
  rpcSpec("only for POST rpc: only takes the first object in case of array of objects payload"),
  "an array of objects: the first one's",
  async () => {
    const res = await post(
      "upstream_add_them",
      '[{"a": 1, "b": 2}, {"a": 4, "b": 6}, {"a": 100, "b": 200}]',
    );
    assert.deepEqual([res.status, res.text], [200, "3"]);
  },
);

const guc = (name: string, prefix?: string, headers: Record<string, string> = {}, token?: string) =>
  rest("POST", "/rpc/upstream_get_guc_value", {
    token,
    headers,
    body: JSON.stringify(prefix ? { prefix, name } : { name }),
  }).then(answer);

upstream(
  rpcSpec("HTTP request env vars: custom header is set"),
  "a request header in request.headers",
  async () => {
    const res = await guc("custom-header", "request.headers", { "Custom-Header": "test" });
    assert.equal(res.json, "test");
  },
);

upstream(
  rpcSpec("HTTP request env vars: standard header is set"),
  "Origin in request.headers",
  async () => {
    const res = await guc("origin", "request.headers", { Origin: "http://example.com" });
    assert.equal(res.json, "http://example.com");
  },
);

upstream(
  rpcSpec("HTTP request env vars: current role is available as GUC claim"),
  "anon's role in request.jwt.claims",
  async () => {
    const res = await guc("role", "request.jwt.claims");
    assert.equal(res.json, "anon");
  },
);

upstream(
  rpcSpec("HTTP request env vars: single cookie ends up as claims"),
  "a cookie in request.cookies",
  async () => {
    const res = await guc("acookie", "request.cookies", { Cookie: "acookie=cookievalue" });
    assert.equal(res.json, "cookievalue");
  },
);

upstream(
  rpcSpec("HTTP request env vars: multiple cookies end up as claims"),
  "the second of two cookies",
  async () => {
    const res = await guc("secondcookie", "request.cookies", {
      Cookie: "acookie=cookievalue;secondcookie=anothervalue",
    });
    assert.equal(res.json, "anothervalue");
  },
);

upstream(
  rpcSpec("HTTP request env vars: gets the Authorization value"),
  "Authorization in request.headers",
  async () => {
    const token = await hs256(userClaims());
    const res = await guc("authorization", "request.headers", {}, token);
    assert.equal(res.json, `Bearer ${token}`);
  },
);

upstream(rpcSpec("HTTP request env vars: gets the http method"), "request.method", async () => {
  assert.equal((await guc("request.method")).json, "POST");
});

upstream(
  rpcSpec("HTTP request env vars: gets the http path"),
  "request.path: PostgREST's own path, after the gateway's /rest/v1",
  async () => {
    assert.equal((await guc("request.path")).json, "/rpc/upstream_get_guc_value");
  },
);

upstream(
  rpcSpec("only for GET rpc: should fail on mutating procs"),
  "GET of a function that writes: 405 25006 (read only)",
  async () => {
    for (const fn of ["upstream_callcounter", "upstream_stable_writer"]) {
      const res = await get(fn);
      assert.equal(res.status, 405, fn);
      assert.equal(
        res.text,
        pgrstBody("25006", "cannot execute nextval() in a read-only transaction"),
        fn,
      );
    }
  },
);

upstream(
  plan("callReadPlan: txMode (InvRead _, _) -> SQL.Read"),
  "GET of a VOLATILE function that only reads: it runs, read only, 200",
  async () => {
    const res = await get("upstream_volatile_reader");
    assert.deepEqual([res.status, res.text], [200, "1"]);
  },
);

upstream(
  plan("callReadPlan: txMode (Inv, Routine.Stable) -> SQL.Read"),
  "POST of a STABLE function that writes: 405 25006",
  async () => {
    const res = await post("upstream_stable_writer", "{}");
    assert.equal(res.status, 405);
    assert.equal((res.json as Record<string, string>).code, "25006");
  },
);

upstream(
  rpcSpec("executes the proc exactly once per request"),
  "POST of a VOLATILE function: read write, once per request",
  async () => {
    const first = await post("upstream_callcounter", "{}");
    const second = await post("upstream_callcounter", "{}");
    assert.equal(first.status, 200);
    assert.equal(Number(second.text), Number(first.text) + 1);
  },
);

upstream(
  rpcSpec(
    "get message and details from raise sqlstate: gets message and details from raise sqlstate PGRST",
  ),
  "RAISE SQLSTATE 'PGRST': the caller's status, headers and body",
  async () => {
    const res = await get("upstream_raise_sqlstate_test1");
    assert.equal(res.status, 332);
    assert.equal(res.headers.get("x-header"), "str");
    assert.deepEqual(res.json, { code: "123", message: "ABC", details: "DEF", hint: "XYZ" });
  },
);

upstream(
  rpcSpec(
    "get message and details from raise sqlstate: returns error for invalid JSON in the MESSAGE option of the RAISE statement",
  ),
  "a PGRST raise whose MESSAGE isn't JSON: 500 PGRST121, Content-Length 263",
  async () => {
    const res = await get("upstream_raise_sqlstate_invalid_json_message");
    assert.equal(res.status, 500);
    assert.equal(
      res.text,
      pgrstBody(
        "PGRST121",
        `Could not parse JSON in the "RAISE SQLSTATE 'PGRST'" error`,
        "Invalid JSON value for MESSAGE: 'INVALID'",
        "MESSAGE must be a JSON object with obligatory keys: 'code', 'message' and optional keys: 'details', 'hint'.",
      ),
    );
    assert.equal(res.headers.get("content-length"), "263");
  },
);

upstream(
  rpcSpec(
    "get message and details from raise sqlstate: returns error for missing DETAIL option in the RAISE statement",
  ),
  "a PGRST raise without DETAIL: 500 PGRST121",
  async () => {
    const res = await get("upstream_raise_sqlstate_missing_details");
    assert.equal(res.status, 500);
    assert.equal(
      (res.json as Record<string, string>).details,
      "DETAIL is missing in the RAISE statement",
    );
  },
);

const handling = (test: string) => postgrestSpec("Query/Preferences/HandlingSpec.hs", test);
upstream(
  handling("check behaviour of Prefer: handling=strict: throws error with rpc"),
  "Prefer: handling=strict with an unknown preference: 400 PGRST122",
  async () => {
    const res = await post("upstream_noparamsproc", "{}", { prefer: "handling=strict, anything" });
    assert.equal(res.status, 400);
    assert.equal(
      res.text,
      pgrstBody(
        "PGRST122",
        "Invalid preferences given with handling=strict",
        "Invalid preferences: anything",
      ),
    );
  },
);

upstream(
  handling("check behaviour of Prefer: handling=lenient: does not throw error with rpc"),
  "Prefer: handling=lenient with an unknown preference: 200",
  async () => {
    const res = await post("upstream_noparamsproc", "{}", { prefer: "handling=lenient, anything" });
    assert.equal(res.status, 200);
  },
);

// What the stand-in doesn't copy (docs/local-stack.md says why none of it reaches the function).
const NO_HINTS =
  "the stand-in answers hint null: PostgREST's fuzzy search for a near name is not copied; the function never reads hint";
upstream(
  rpcSpec("should fail with 404 and hint the closest proc on unknown proc name"),
  "a near miss of a function's name: hinted",
  async () => {
    const res = await get("upstream_sayhell");
    assert.equal(res.status, 404);
    assert.equal(
      (res.json as Record<string, string>).hint,
      "Perhaps you meant to call the function public.upstream_sayhello",
    );
  },
  { standInDiffers: NO_HINTS },
);
upstream(
  rpcSpec("should fail with 404 and hint the closest args on unknown proc args"),
  "a near miss of an argument's name: hinted",
  async () => {
    const res = await get("upstream_sayhello?nam=Peter");
    assert.equal(res.status, 404);
    assert.equal(
      (res.json as Record<string, string>).hint,
      "Perhaps you meant to call the function public.upstream_sayhello(name)",
    );
  },
  { standInDiffers: NO_HINTS },
);
upstream(
  rpcSpec("a proc that returns a set: returns paginated results: using the Range header"),
  "Range: bytes=1-1 on a set: its second row, Content-Range 1-1/*",
  async () => {
    const res = await get("upstream_getitemrange?min=2&max=4", {
      "range-unit": "items",
      range: "bytes=1-1",
    });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, [{ id: 4 }]);
    assert.equal(res.headers.get("content-range"), "1-1/*");
  },
  {
    standInDiffers:
      "the stand-in ignores Range (limit and offset are served); neither the function nor supabase-js's rpc() sends it",
  },
);
upstream(
  rpcSpec("a proc that returns a set: returns CSV"),
  "Accept: text/csv on a set: CSV",
  async () => {
    const res = await get("upstream_getitemrange?min=2&max=4", { accept: "text/csv" });
    assert.equal(res.status, 200);
    assert.equal(res.text, "id\n3\n4");
    assert.equal(res.headers.get("content-type"), "text/csv; charset=utf-8");
  },
  {
    standInDiffers: "the stand-in serves JSON only (406 for text/csv); the function asks for JSON",
  },
);
upstream(
  rpcSpec("returns paginated results: using limit and offset (HEAD)"),
  "HEAD of a set: 200, no body, the type and Content-Range, no Content-Length",
  async () => {
    const res = await answer(
      await rest("HEAD", "/rpc/upstream_getitemrange?min=2&max=4&limit=1&offset=1"),
    );
    assert.equal(res.status, 200);
    assert.equal(res.text, "");
    assert.equal(res.headers.get("content-type"), JSON_TYPE);
    assert.equal(res.headers.get("content-range"), "1-1/*");
    assert.equal(res.headers.get("content-length"), null);
  },
  {
    standInDiffers:
      "the stand-in's HEAD answers Content-Length: 0 (Hono answers HEAD as GET without a body); the function never sends HEAD",
  },
);
