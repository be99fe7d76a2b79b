// The served OpenAPI document against the published contract: every parameter, field, type and
// status of the contract is there, unchanged; additions are optional.
import assert from "node:assert/strict";
import { buildOpenApi } from "../../supabase/functions/job-interview-details/openapi.ts";

type Schema = Record<string, unknown>;

const contract = JSON.parse(
  await Deno.readTextFile(
    new URL(
      "../../contract/jobmojito-openapi-job-interview-details.json",
      import.meta.url,
    ),
  ),
);
const ours = buildOpenApi() as Schema & {
  paths: Schema;
  components: { schemas: Record<string, Schema> };
};

/** A property's type as a set, whether written 3.0-style (nullable) or 3.1-style (type array). */
function types(s: Schema): string {
  if (s.type === undefined) return "any";
  const t = new Set(Array.isArray(s.type) ? s.type : [s.type]);
  if (s.nullable === true) t.add("null");
  return [...t].sort().join("|");
}

function resolve(doc: Schema, s: Schema): Schema {
  const ref = s.$ref as string | undefined;
  if (!ref) return s;
  return ref.split("/").slice(1).reduce((o: Schema, k) => o[k] as Schema, doc);
}

function compareObject(path: string, theirs: Schema, mine: Schema) {
  const tp = theirs.properties as Record<string, Schema>;
  const mp = mine.properties as Record<string, Schema>;
  for (const [name, t] of Object.entries(tp)) {
    const m = mp[name];
    assert.ok(m, `${path}.${name} is documented`);
    assert.equal(types(m), types(t), `${path}.${name} has the contract's type`);
    if (t.deprecated) assert.equal(m.deprecated, true, `${path}.${name} stays deprecated`);
    if (t.type === "array") {
      compareObject(`${path}.${name}[]`, t.items as Schema, m.items as Schema);
    }
  }
  assert.deepEqual(mine.required ?? [], theirs.required ?? [], `${path} requires the same fields`);
  assert.ok(mine.additionalProperties !== false, `${path} stays open to extra fields`);
}

const theirOp = contract.paths["/job-interview-details"].get;
const ourOp = (ours.paths["/job-interview-details"] as Schema).get as Schema;

Deno.test("openapi: same operation id and security as the contract, its statuses and 405", () => {
  assert.equal(ourOp.operationId, theirOp.operationId);
  assert.deepEqual(ourOp.security, theirOp.security);
  assert.deepEqual(
    Object.keys(ourOp.responses as Schema).sort(),
    [...Object.keys(theirOp.responses), "405"].sort(),
    "every status of the contract, plus the 405 the function answers",
  );
  assert.equal(ours.openapi, "3.1.0");
});

Deno.test("openapi: POST takes the same inputs as a JSON body, get_signed_recordings a boolean", () => {
  const post = (ours.paths["/job-interview-details"] as Schema).post as Schema & {
    requestBody: { required: boolean; content: Record<string, { schema: Schema }> };
  };
  assert.ok(post, "POST is documented");
  assert.notEqual(post.operationId, ourOp.operationId);
  assert.deepEqual(post.responses, ourOp.responses);
  assert.equal(post.requestBody.required, true);
  const body = resolve(ours, post.requestBody.content["application/json"].schema) as Schema & {
    properties: Record<string, Schema>;
    required: string[];
  };
  assert.deepEqual(Object.keys(body.properties).sort(), [
    "get_signed_recordings",
    "interview_result_id",
    "view",
  ]);
  assert.deepEqual(body.required, ["interview_result_id"]);
  assert.deepEqual(
    (body.properties.get_signed_recordings.anyOf as Schema[]).map((s) => s.type),
    ["boolean", "string"],
  );
  const views = (ourOp.parameters as Schema[]).find((p) => p.name === "view")!.schema as Schema;
  assert.deepEqual(body.properties.view.enum, views.enum, "the same views either way");
});

Deno.test("openapi: every contract parameter is there with the same schema; additions are optional", () => {
  const mine = ourOp.parameters as Schema[];
  for (const t of theirOp.parameters as Schema[]) {
    const m = mine.find((p) => p.name === t.name && p.in === t.in);
    assert.ok(m, `parameter ${t.name}`);
    assert.equal(m.required, t.required, `${t.name} required`);
    const [ts, ms] = [t.schema as Schema, m.schema as Schema];
    for (const key of ["type", "format", "enum", "default", "minLength"]) {
      assert.deepEqual(ms[key], ts[key], `${t.name}.${key}`);
    }
  }
  for (
    const m of mine.filter((p) => !(theirOp.parameters as Schema[]).some((t) => t.name === p.name))
  ) {
    assert.equal(m.required, false, `added parameter ${m.name} is optional`);
  }
});

Deno.test("openapi: the response has every contract field with its type", () => {
  const theirs = resolve(contract, theirOp.responses["200"].content["application/json"].schema);
  const mine = resolve(
    ours,
    ((ourOp.responses as Schema)["200"] as Schema & { content: Schema })
      .content["application/json"] as Schema,
  );
  compareObject("response", theirs, resolve(ours, (mine as Schema).schema as Schema));
});

Deno.test("openapi: every error status uses the {error, name?} body", () => {
  const error = ours.components.schemas.Error as Schema;
  assert.deepEqual(error.required, ["error"]);
  assert.deepEqual(Object.keys(error.properties as Schema).sort(), ["error", "name"]);
  for (const status of ["401", "404", "422", "500"]) {
    const body =
      ((ourOp.responses as Schema)[status] as { content: Record<string, { schema: Schema }> })
        .content["application/json"].schema;
    assert.equal(body.$ref, "#/components/schemas/Error", status);
  }
});
