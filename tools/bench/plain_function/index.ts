/**
 * The benchmark's (p): the straightforward edge function, as Supabase's own examples write it:
 * supabase-js with the caller's Authorization header, auth.getClaims(), rpc(),
 * storage.createSignedUrls() and JSON.stringify() of the result. What a user of Supabase would
 * write instead of this project's function, served the same way (staged, its own deno.json,
 * the same runtime stand-in, the same gateway). Never deployed.
 */
import { createClient } from "@supabase/supabase-js";

const corsHeaders = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Headers": "authorization, x-client-info, apikey, content-type",
};

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { ...corsHeaders, "Content-Type": "application/json" },
  });

type Item = { recording_local_path?: string | null; recording_url?: string | null };
type Doc = {
  recording_local_path?: string | null;
  video_introduction_local_path?: string | null;
  recording_url?: string | null;
  video_introduction_url?: string | null;
  signed_urls_valid_until?: string;
  transcript: Item[];
};

Deno.serve(async (req) => {
  if (req.method === "OPTIONS") return new Response("ok", { headers: corsHeaders });
  try {
    const authHeader = req.headers.get("Authorization");
    if (!authHeader) return json({ error: "Missing authorization header" }, 401);
    const supabase = createClient(
      Deno.env.get("SUPABASE_URL")!,
      Deno.env.get("SUPABASE_ANON_KEY")!,
      { global: { headers: { Authorization: authHeader } } },
    );
    const token = authHeader.replace("Bearer ", "");
    const { data: claims, error: authError } = await supabase.auth.getClaims(token);
    if (authError || !claims) return json({ error: "Invalid JWT" }, 401);

    const url = new URL(req.url);
    const { data, error } = await supabase.rpc("interview_transcript", {
      p_interview_result_id: url.searchParams.get("interview_result_id"),
      p_view: url.searchParams.get("view") ?? "full",
    });
    if (error) return json({ error: error.message }, 500);
    if (!data) return json({ error: "Interview result not found." }, 404);
    const doc = data as Doc;

    if (url.searchParams.get("get_signed_recordings") === "true") {
      const admin = createClient(
        Deno.env.get("SUPABASE_URL")!,
        Deno.env.get("SUPABASE_SERVICE_ROLE_KEY")!,
      );
      const paths = [
        doc.recording_local_path,
        doc.video_introduction_local_path,
        ...doc.transcript.map((i) => i.recording_local_path),
      ].filter((p): p is string => !!p);
      const { data: signed, error: signError } = await admin.storage
        .from("private-recordings")
        .createSignedUrls([...new Set(paths)], 3600);
      if (signError) return json({ error: signError.message }, 500);
      const urlOf = new Map(signed.map((s) => [s.path, s.signedUrl]));
      const sign = (p?: string | null) => (p && urlOf.get(p)) || null;
      doc.recording_url = sign(doc.recording_local_path);
      doc.video_introduction_url = sign(doc.video_introduction_local_path);
      for (const item of doc.transcript) item.recording_url = sign(item.recording_local_path);
      doc.signed_urls_valid_until = new Date(Date.now() + 3600 * 1000).toISOString();
    }
    return json(doc);
  } catch (e) {
    return json({ error: (e as Error).message }, 500);
  }
});
