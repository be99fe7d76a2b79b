// The first start on a fresh machine behind a TLS proxy: a staged function process with an empty
// Deno cache and nothing but the proxy and CA settings in its environment loads its imports from
// the npm registry through the proxy and answers; its own calls to the stack (loopback) go direct.
import assert from "node:assert/strict";
import {
  type FunctionProcess,
  functionRuntime,
  startFunction,
} from "../../tools/local-stack/function_process.ts";
import { getDetails, SEED, signIn, stack } from "../support/stack.ts";

/** An HTTP CONNECT proxy on loopback that tunnels TLS and records where to. */
function connectProxy() {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const tunnels: string[] = [];
  (async () => {
    for await (const conn of listener) {
      (async () => {
        const buf = new Uint8Array(8192);
        const n = await conn.read(buf);
        const head = new TextDecoder().decode(buf.subarray(0, n ?? 0));
        const target = /^CONNECT (\S+):(\d+) HTTP/.exec(head);
        if (!target) {
          await conn.write(new TextEncoder().encode("HTTP/1.1 405 Method Not Allowed\r\n\r\n"));
          return conn.close();
        }
        tunnels.push(`${target[1]}:${target[2]}`);
        const upstream = await Deno.connect({ hostname: target[1], port: Number(target[2]) });
        await conn.write(new TextEncoder().encode("HTTP/1.1 200 Connection Established\r\n\r\n"));
        await Promise.all([
          conn.readable.pipeTo(upstream.writable).catch(() => {}),
          upstream.readable.pipeTo(conn.writable).catch(() => {}),
        ]);
      })().catch(() => {});
    }
  })().catch(() => {});
  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    tunnels,
    close: () => listener.close(),
  };
}

Deno.test({
  name:
    "a function process with an empty cache and only the proxy and CA settings starts and answers",
  ignore: Deno.env.get("REAL_STACK") === "1",
  fn: async () => {
    const proxy = connectProxy();
    const home = await Deno.makeTempDir({ prefix: "jid-fresh-" });
    let fn: FunctionProcess | undefined;
    try {
      const runtime = functionRuntime();
      fn = await startFunction(stack, {}, {
        // Its own cache, empty: nothing loaded before.
        runtime: { ...runtime, env: { ...runtime.env, DENO_DIR: `${home}/deno` } },
        // What a developer's shell behind a company proxy holds, and nothing else.
        outer: {
          PATH: Deno.env.get("PATH"),
          HOME: home,
          SSL_CERT_FILE: Deno.env.get("SSL_CERT_FILE") ?? "/etc/ssl/certs/ca-certificates.crt",
          HTTPS_PROXY: proxy.url,
          NPM_CONFIG_REGISTRY: Deno.env.get("NPM_CONFIG_REGISTRY"),
        },
      });
      const res = await getDetails({ interview_result_id: SEED.submitted }, {
        token: await signIn(SEED.users.emeaRecruiter),
        base: fn.url,
      });
      assert.equal(res.status, 200);
      assert.equal((await res.json()).transcript.length, 10);
      const registry = new URL(Deno.env.get("NPM_CONFIG_REGISTRY") ?? "https://registry.npmjs.org");
      assert.ok(
        proxy.tunnels.some((t) => t.startsWith(`${registry.hostname}:`)),
        `the imports came through the proxy: ${proxy.tunnels.join(", ")}`,
      );
      assert.ok(!proxy.tunnels.some((t) => t.startsWith("127.0.0.1")), "loopback goes direct");
    } finally {
      await fn?.stop();
      proxy.close();
      await Deno.remove(home, { recursive: true });
    }
  },
});
