/**
 * The Hono app, built from its dependencies (deps.ts). The order below is the request's path:
 * the finish outermost (it sees every answer leave), the request id, CORS, timings, HEAD's 405,
 * then the routes, where the details endpoint is the credential middleware and the handler's
 * steps (details.ts). docs/request-path.md walks through it.
 */
import { Hono } from "hono";
import { requestId } from "hono/request-id";
import type { Env } from "./context.ts";
import { credential } from "./credential.ts";
import type { Deps } from "./deps.ts";
import { details } from "./details.ts";
import { answerError } from "./errors.ts";
import { corsFor, finish, keylessRequestId, timingWhenFound } from "./middleware.ts";
import { buildOpenApi } from "./openapi.ts";
import { refuseHead, route } from "./routes.ts";

export function createApp(deps: Deps): Hono<Env> {
  const app = new Hono<Env>({ strict: false });
  app.use(finish(deps.log));
  app.use(keylessRequestId);
  app.use(requestId({ headerName: "X-Request-Id", limitLength: 128 }));
  app.use(corsFor(deps.config.corsAllowedOrigins));
  app.use(timingWhenFound);
  app.use(refuseHead);
  route(app, { credential: credential(deps.now), details: details(deps) }, buildOpenApi());
  app.onError(answerError);
  return app;
}
