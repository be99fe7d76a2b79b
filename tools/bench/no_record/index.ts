/**
 * The function without its access records: the same app, built with a `recordAccess` that
 * writes nothing and answers at once, so the bench and the load tool can measure what a record
 * costs (a read with its record against the same read without). Dependency injection, never a
 * switch in the function. Served as the function is: a copy of its folder with this file as its
 * entry (tools/bench/variants.ts rewrites the imports below to ./). Never deployed.
 */
import { createApp } from "../../../supabase/functions/job-interview-details/app.ts";
import { resolveConfig } from "../../../supabase/functions/job-interview-details/config.ts";
import { createDeps } from "../../../supabase/functions/job-interview-details/deps.ts";

const config = resolveConfig(Deno.env.toObject());
if (!config.data) throw new Error(config.error);

/** What a signed read's log line names as its record: no record was written. */
const NO_RECORD_ID = "00000000-0000-0000-0000-000000000000";

Deno.serve(
  createApp({
    ...createDeps(config.data),
    recordAccess: () => Promise.resolve({ kind: "recorded", id: NO_RECORD_ID }),
  }).fetch,
);
