/**
 * The floor of benchmark (b): the least any function in the same place could do. It forwards the
 * caller's token to the RPC and relays the answer, with no checks, no logging, no CORS. What the
 * function costs beyond this is its own; what this costs beyond (a) is the extra hops.
 */
const url = `${Deno.env.get("SUPABASE_URL")}/rest/v1/rpc/interview_transcript`;
const apikey = Deno.env.get("SUPABASE_ANON_KEY")!;

Deno.serve(async (req) => {
  const res = await fetch(url, {
    method: "POST",
    headers: {
      apikey,
      authorization: req.headers.get("authorization") ?? "",
      "content-type": "application/json",
    },
    body: JSON.stringify({
      p_interview_result_id: new URL(req.url).searchParams.get("interview_result_id"),
      p_view: "full",
    }),
  });
  return new Response(res.body, {
    status: res.status,
    headers: { "content-type": "application/json" },
  });
});
