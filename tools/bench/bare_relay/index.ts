/**
 * The floor of benchmark (b): the least any function in the same place could do. It forwards the
 * caller's token to the RPC, as the function calls it (GET, query parameters), and relays the
 * answer, with no checks, no logging, no CORS. What the function costs beyond this is its own;
 * what this costs beyond (a) is the extra hops. Served the same way as the function.
 */
const rpc = `${Deno.env.get("SUPABASE_URL")}/rest/v1/rpc/interview_transcript`;
const apikey = Deno.env.get("SUPABASE_ANON_KEY")!;

Deno.serve(async (req) => {
  const id = new URL(req.url).searchParams.get("interview_result_id") ?? "";
  const res = await fetch(`${rpc}?p_interview_result_id=${encodeURIComponent(id)}&p_view=full`, {
    headers: { apikey, authorization: req.headers.get("authorization") ?? "" },
  });
  return new Response(res.body, {
    status: res.status,
    headers: { "content-type": "application/json" },
  });
});
