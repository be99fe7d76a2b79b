/**
 * The app over fake upstreams, for the unit tests: `rpc`, `sign` and `record` answer as
 * PostgREST's RPC, Storage's signing and the access record's RPC would; every upstream request
 * is kept. The runtime's hooks are lists: `call` waits for what `waitUntil` was handed (the
 * background records) unless told not to, and a test ends the worker by running `unloads`.
 */
import { createApp } from "../../supabase/functions/job-interview-details/app.ts";
import { createDeps, type Deps } from "../../supabase/functions/job-interview-details/deps.ts";
import type { Logger, RequestLog } from "../../supabase/functions/job-interview-details/log.ts";
import { config, fakeStorage, RESULT_ID, token, transcriptDoc } from "../support/fixtures.ts";

export type Handler = (req: Request) => Response | Promise<Response>;

export const RECORD_ID = "5f0c7a52-3a43-4d9e-9a53-0d8f2d2a6b11";
export const RECORD_PATH = "/rest/v1/rpc/record_interview_access";

export const url = (q = "") => `/job-interview-details?interview_result_id=${RESULT_ID}${q}`;

/** A fake answer whose body fails once the request's signal aborts, as fetch's does. */
export function abortable(res: Response, signal?: AbortSignal | null): Response {
  // fetch itself fails when its signal aborted before the answer came.
  if (signal?.aborted) throw signal.reason;
  if (!signal || !res.body) return res;
  const reader = res.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      signal.addEventListener("abort", () => {
        controller.error(signal.reason);
        reader.cancel(signal.reason).catch(() => {});
      }, { once: true });
    },
    async pull(controller) {
      if (signal.aborted) return;
      try {
        const { done, value } = await reader.read();
        if (signal.aborted) return;
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        controller.error(error);
      }
    },
    cancel: (reason) => reader.cancel(reason),
  }, { highWaterMark: 0 });
  return new Response(body, { status: res.status, headers: res.headers });
}

/** A logger that keeps every line: the requests' entries, and the unwritten records' lines. */
export function keepingLogger() {
  const logs: RequestLog[] = [];
  const unwritten: string[] = [];
  const log: Logger = {
    request: (entry) => void logs.push(entry),
    unwritten: (line) => {
      unwritten.push(line);
      return Promise.resolve();
    },
  };
  return { log, logs, unwritten };
}

export interface HarnessOptions {
  rpc?: Handler;
  sign?: Handler;
  record?: Handler;
  cfg?: Partial<typeof config>;
  /** Wait for the background records before `call` returns (default true). */
  settle?: boolean;
  deps?: Partial<Deps>;
}

export function harness(options: HarnessOptions = {}) {
  /** The read's and the signing's requests. */
  const requests: Request[] = [];
  /** The access records' requests. */
  const records: Request[] = [];
  const doc = transcriptDoc(3);
  const rpc: Handler = options.rpc ?? (() => Response.json(doc));
  const sign: Handler = options.sign ?? fakeStorage();
  const record: Handler = options.record ?? (() => Response.json(RECORD_ID));
  const fakeFetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = new Request(input, init);
    const path = new URL(req.url).pathname;
    (path === RECORD_PATH ? records : requests).push(req.clone());
    const res = path === "/rest/v1/rpc/interview_transcript"
      ? await rpc(req)
      : path === "/storage/v1/object/sign/private-recordings"
      ? await sign(req)
      : path === RECORD_PATH
      ? await record(req)
      : new Response("unexpected", { status: 599 });
    return abortable(res, init?.signal);
  };
  const cfg = { ...config, ...options.cfg };
  const { log, logs, unwritten } = keepingLogger();
  const background: Promise<unknown>[] = [];
  /** What the app asked to run when the worker ends (`beforeunload`). */
  const unloads: (() => void)[] = [];
  const deps: Deps = {
    ...createDeps(cfg, fakeFetch as typeof fetch, log),
    waitUntil: (promise) => void background.push(promise),
    onUnload: (fn) => void unloads.push(fn),
    ...options.deps,
  };
  const app = createApp(deps);
  /** Waits for everything handed to waitUntil so far, and what that led to. */
  const settled = async () => {
    for (let n = 0; n < background.length; n = background.length) {
      await Promise.all(background.slice(n));
    }
  };
  const call = async (path: string, init: RequestInit & { auth?: string | null } = {}) => {
    const headers = new Headers(init.headers);
    const auth = init.auth === undefined ? await token(undefined) : init.auth;
    if (auth !== null) headers.set("authorization", `Bearer ${auth}`);
    const res = await app.request(path, { ...init, headers });
    if (options.settle !== false) await settled();
    return res;
  };
  return { app, call, requests, records, logs, unwritten, background, unloads, settled, doc };
}
