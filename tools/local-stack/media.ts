/**
 * Real recordings behind the seeded storage objects: each answer speaks its transcript text
 * (espeak-ng, encoded to Ogg Vorbis by sox), so a signed URL plays in a browser. Generated at
 * start-up rather than committed as binaries.
 */
import { createHash } from "node:crypto";
import type postgres from "postgres";
import { run } from "./processes.ts";

export const RECORDINGS_BUCKET = "private-recordings";

export async function generateRecordings(sql: postgres.Sql, storageRoot: string): Promise<number> {
  const rows = await sql<{ name: string; text: string }[]>`
    select o.name, coalesce(
      (select q.answer from public.interview_result_questions q where q.recording_local_path = o.name limit 1),
      case when o.name like '%video-introduction%' then 'Hello, this is my video introduction.'
        else 'This is the recording of the whole interview session.' end
    ) as text
    from storage.objects o where o.bucket_id = ${RECORDINGS_BUCKET}`;
  const tmp = await Deno.makeTempDir({ prefix: "jid-media-" });
  try {
    await Promise.all(rows.map(async ({ name, text }, i) => {
      const file = `${storageRoot}/${RECORDINGS_BUCKET}/${name}`;
      await Deno.mkdir(file.slice(0, file.lastIndexOf("/")), { recursive: true });
      const wav = `${tmp}/${i}.wav`;
      await run("espeak-ng", ["-s", "165", "-w", wav, text]);
      await run("sox", [wav, "-C", "2", file]);
      const bytes = await Deno.readFile(file);
      // As Storage records an upload: its type, size and md5 ETag.
      const eTag = `"${createHash("md5").update(bytes).digest("hex")}"`;
      await sql`update storage.objects
        set metadata = jsonb_build_object('mimetype', 'audio/ogg', 'size', ${bytes.length}::bigint,
          'eTag', ${eTag}::text)
        where bucket_id = ${RECORDINGS_BUCKET} and name = ${name}`;
    }));
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
  return rows.length;
}
