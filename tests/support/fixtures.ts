/** Shared test fixtures: a config, a transcript document, keys and tokens. */
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import type { Config } from "../../supabase/functions/job-interview-details/config.ts";

export const RESULT_ID = "93c98d21-e04d-4a84-9afa-ed154cf73636";
export const USER_ID = "00000000-0000-4000-8000-000000000012";
export const JWT_SECRET = "test-secret-test-secret-test-secret-0123";

export const config: Config = {
  supabaseUrl: "http://supabase.internal:8000",
  readUrl: "http://supabase.internal:8000",
  apiKey: "anon-key",
  serviceKey: "service-key",
  signedUrlTtlSeconds: 600,
  signedUrlBaseUrl: "https://public.example",
  upstreamTimeoutMs: 200,
  bodyTimeoutMs: 200,
  corsAllowedOrigins: ["*"],
  logBudget: { maxLines: 80, windowMs: 10_000, sampleEvery: 1 },
  accessRecords: { inFlight: 256, logBatchMs: 20 },
};

/** A document as the RPC builds it, with `n` answers each carrying a recording path. */
export function transcriptDoc(n = 2, overrides: Record<string, unknown> = {}) {
  return {
    score: 80,
    status: "completed",
    recording_local_path: "m/r/session.ogg",
    recording_is_video: false,
    video_introduction_local_path: "m/r/intro.ogg",
    transcript: Array.from({ length: n }, (_, i) => ({
      id: `item-${i}`,
      is_answer: true,
      answer: `answer ${i}`,
      answer_assessment_raw_data: { voice: [{ Display: "x".repeat(50) }] },
      recording_local_path: i === n - 1 ? null : `m/r/answer-${i}.ogg`,
    })),
    ...overrides,
  };
}

export interface TestKeys {
  es256: CryptoKey;
  jwk: JWK;
  other: CryptoKey;
}

export async function createTestKeys(): Promise<TestKeys> {
  const pair = await generateKeyPair("ES256", { extractable: true });
  const other = await generateKeyPair("ES256");
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: "test-kid", alg: "ES256", use: "sig" };
  return { es256: pair.privateKey, jwk, other: other.privateKey };
}

export type TokenSpec = {
  alg?: "HS256" | "ES256";
  secret?: string;
  key?: CryptoKey;
  kid?: string;
  claims?: Record<string, unknown>;
  expiresIn?: number;
};

/** A Supabase-shaped user token; every field overridable for attack cases. */
export async function token(keys: TestKeys | undefined, spec: TokenSpec = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({
    sub: USER_ID,
    role: "authenticated",
    aud: "authenticated",
    iat: now,
    exp: now + (spec.expiresIn ?? 3600),
    ...spec.claims,
  });
  if ((spec.alg ?? "HS256") === "HS256") {
    return await jwt.setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .sign(new TextEncoder().encode(spec.secret ?? JWT_SECRET));
  }
  return await jwt.setProtectedHeader({ alg: "ES256", typ: "JWT", kid: spec.kid ?? "test-kid" })
    .sign(spec.key ?? keys!.es256);
}

const b64url = (o: unknown) =>
  btoa(JSON.stringify(o)).replace(/=+$/, "").replaceAll("+", "-").replaceAll("/", "_");

/** A token shaped like Storage's (`{url, scope, iat, exp}`, HS256 header); not signed. */
export function storageToken(path: string, expSeconds: number): string {
  return `${b64url({ alg: "HS256" })}.${
    b64url({ url: `private-recordings/${path}`, scope: "download", iat: 0, exp: expSeconds })
  }.c2lnbmF0dXJl`;
}

/**
 * Storage's batch signing as the real server answers it: at most 1,000 paths (else 400), one
 * entry per path in order, `signedURL` with the path raw, error entries for missing objects.
 */
export function fakeStorage(
  options: { missing?: (path: string) => boolean; exp?: (path: string) => number } = {},
) {
  const missing = options.missing ?? ((path: string) => path.includes("intro"));
  const exp = options.exp ?? (() => Math.floor(Date.now() / 1000) + 600);
  return async (req: Request): Promise<Response> => {
    const { paths } = await req.json() as { paths: string[] };
    if (paths.length > 1000) {
      return Response.json({
        statusCode: "400",
        error: "Error",
        message: "body/paths must NOT have more than 1000 items",
        code: "InvalidRequest",
      }, { status: 400 });
    }
    return Response.json(paths.map((path) =>
      missing(path)
        ? {
          error: "Either the object does not exist or you do not have access to it",
          path,
          signedURL: null,
        }
        : {
          error: null,
          path,
          signedURL: `/object/sign/private-recordings/${path}?token=${
            storageToken(path, exp(path))
          }`,
        }
    ));
  };
}
