// Entry point: configuration from the environment, the real dependencies, Deno.serve.
import { createApp } from "./app.ts";
import { resolveConfig } from "./config.ts";
import { createDeps } from "./deps.ts";

const config = resolveConfig(Deno.env.toObject());
if (!config.data) throw new Error(config.error);

Deno.serve(createApp(createDeps(config.data)).fetch);
