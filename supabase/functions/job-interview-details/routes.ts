/**
 * Where the function answers and what each route takes. Routes answer with and without the
 * `/job-interview-details` prefix (some CLI versions strip it); any other method, HEAD included,
 * is a 405 with `Allow`; any other path a 404.
 */
import type { Handler, Hono, MiddlewareHandler } from "hono";
import { answer, answerJson, type Ctx, type Env } from "./context.ts";
import { ALLOWED_METHODS } from "./http.ts";

const BASES = ["/job-interview-details", ""];
const OPENAPI_METHODS = ["GET", "OPTIONS"];
/** The routes, as the log names a request's path: no part of a path a client chose is logged. */
const ROUTES = BASES.flatMap((base) => [base || "/", `${base}/openapi.json`]);
const METHODS = ["GET", "POST", "OPTIONS", "HEAD", "PUT", "PATCH", "DELETE"];

/** A request's path without its trailing slashes, as routing reads it (`strict: false`). */
export function normalPath(path: string): string {
  return path.replace(/\/+$/, "") || "/";
}

/** The route a path names, for the log: the route itself, or "(other)". */
export function routeOf(path: string): string {
  const normal = normalPath(path);
  return ROUTES.includes(normal) ? normal : "(other)";
}

/** A method, for the log and the 405's message: a known one, or "(other)". */
export function methodOf(method: string): string {
  return METHODS.includes(method) ? method : "(other)";
}

const notAllowed = (allowed: string[]) => (c: Ctx) => {
  c.get("log").code = "METHOD_NOT_ALLOWED";
  const known = METHODS.includes(c.req.method) ? c.req.method : "This method";
  return answerJson(c, { error: `${known} is not allowed here.` }, 405, {
    allow: allowed.join(", "),
  });
};
const onDetails = notAllowed(ALLOWED_METHODS);
const onOpenApi = notAllowed(OPENAPI_METHODS);

/**
 * HEAD is answered as any other method a route doesn't take (the hosted platform doesn't route
 * it to functions either). Hono dispatches HEAD as GET, so it is caught before the routes.
 */
export const refuseHead: MiddlewareHandler<Env> = (c, next) => {
  if (c.req.method !== "HEAD") return next();
  const openApi = normalPath(c.req.path).endsWith("/openapi.json");
  return Promise.resolve(openApi ? onOpenApi(c) : onDetails(c));
};

/** The routes: the details endpoint behind the credential, and the OpenAPI document. */
export function route(
  app: Hono<Env>,
  steps: { credential: MiddlewareHandler<Env>; details: Handler<Env> },
  openApiDocument: unknown,
): void {
  // Encoded once: the document never changes while the function runs.
  const openApi = new TextEncoder().encode(JSON.stringify(openApiDocument));
  for (const base of BASES) {
    app.get(`${base}/openapi.json`, (c) => answer(c, openApi, openApi.length));
    app.all(`${base}/openapi.json`, onOpenApi);
    app.on(["GET", "POST"], base || "/", steps.credential, steps.details);
    app.all(base || "/", onDetails);
  }
  app.notFound((c) => answerJson(c, { error: "Not found." }, 404));
}
