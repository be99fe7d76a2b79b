// PostgREST's token checks, from its AuthSpec, ErrorSpec ("JWT Errors", "we allow 30 seconds
// clock skew", "Test JWT Token format errors"), AsymmetricJwtSpec and AudienceJwtSecretSpec, and
// the source they exercise (Auth/Jwt.hs, Error.hs, jose-jwt's decode): each answer's status, code,
// message, details and WWW-Authenticate, through the gateway as the function calls it.
import assert from "node:assert/strict";
import { generateKeyPair, SignJWT } from "jose";
import {
  answer,
  ensureFixtures,
  es256,
  hs256,
  nowSeconds,
  type Origin,
  pgrstBody,
  postgrestSource,
  postgrestSpec,
  rest,
  signingKeys,
  upstream,
  userClaims,
} from "./support.ts";

await ensureFixtures();

const spec = postgrestSpec;
const source = postgrestSource;
const authSpec = (test: string) => spec("Auth/AuthSpec.hs", test);
const errorSpec = (test: string) => spec("Query/ErrorSpec.hs", test);

/** The claims PostgREST's specs give postgrest_test_author; here, a signed-in user's. */
const author = () => userClaims();
const get = (fn: string, token?: string, headers: Record<string, string> = {}) =>
  rest("GET", `/rpc/${fn}`, { token, headers }).then(answer);

/** A JWT error: 401, its body byte for byte, and WWW-Authenticate naming it. */
async function refused(
  token: string,
  code: string,
  message: string,
  details: string | null = null,
  header?: string,
) {
  const res = await get("upstream_authors_only", undefined, {
    authorization: header ?? `Bearer ${token}`,
  });
  assert.equal(res.status, 401, res.text);
  assert.equal(res.text, pgrstBody(code, message, details));
  assert.equal(res.headers.get("content-type"), "application/json; charset=utf-8");
  assert.equal(
    res.headers.get("www-authenticate"),
    `Bearer error="invalid_token", error_description=${JSON.stringify(message)}`,
  );
  assert.equal(res.headers.get("proxy-status"), `PostgREST; error=${code}`);
}

async function accepted(token: string) {
  const res = await get("upstream_authors_only", token);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json, "authenticated");
}

upstream(
  authSpec("denies access to tables that anonymous does not own"),
  "anon calling what anon may not: 401 42501, WWW-Authenticate: Bearer",
  async () => {
    const res = await get("upstream_authors_only");
    assert.equal(res.status, 401);
    const body = pgrstBody("42501", "permission denied for function upstream_authors_only");
    assert.equal(res.text, body);
    assert.equal(res.headers.get("content-length"), String(body.length));
    assert.equal(res.headers.get("www-authenticate"), "Bearer");
  },
);

upstream(
  authSpec("denies access to tables that postgrest_test_author does not own"),
  "a signed-in role calling what it may not: 403 42501, no WWW-Authenticate",
  async () => {
    const res = await get("upstream_service_only", await hs256(author()));
    assert.equal(res.status, 403);
    assert.equal(
      res.text,
      pgrstBody("42501", "permission denied for function upstream_service_only"),
    );
    assert.equal(res.headers.get("www-authenticate"), null);
  },
);

upstream(
  authSpec("denies execution on functions that anonymous does not own"),
  "POST as anon to a function anon may not run: 401",
  async () => {
    const res = await rest("POST", "/rpc/upstream_privileged_hello", {
      body: '{"name": "anonymous"}',
    });
    assert.equal(res.status, 401);
    await res.body?.cancel();
  },
);

upstream(
  authSpec("allows execution on a function that postgrest_test_author owns"),
  "POST as the role that may: 200 with the function's value",
  async () => {
    const res = await answer(
      await rest("POST", "/rpc/upstream_privileged_hello", {
        token: await hs256(author()),
        body: '{"name": "jdoe"}',
      }),
    );
    assert.equal(res.status, 200);
    assert.equal(res.json, "Privileged hello to jdoe");
    assert.equal(res.headers.get("content-type"), "application/json; charset=utf-8");
  },
);

upstream(
  authSpec("sql functions can read custom and standard claims variables"),
  "the claims reach request.jwt.claims whole, with the role",
  async () => {
    const claims = {
      sub: "fun",
      jti: "foo",
      nbf: 1300819380,
      exp: 9999999999,
      "http://postgrest.com/foo": true,
      iss: "joe",
      role: "authenticated",
      iat: 1300819380,
    };
    const res = await get("upstream_reveal_claims", await hs256(claims));
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, claims);
  },
);

upstream(
  authSpec("works with tokens which have extra fields"),
  "extra claims are no obstacle",
  async () => {
    await accepted(await hs256({ ...author(), key1: "value1", key2: "value2", a: 1, b: 2, c: 3 }));
  },
);

upstream(authSpec("succeeds with an unexpired token"), "exp far ahead: accepted", async () => {
  await accepted(await hs256({ ...author(), exp: 9999999999 }));
});

upstream(authSpec("succeeds with a valid iat claim in jwt"), "iat now: accepted", async () => {
  await accepted(await hs256({ ...author(), iat: nowSeconds() }));
});

upstream(
  authSpec("fails when auth header is sent empty"),
  "Authorization: Bearer with no token: PGRST301, Content-Length 100",
  async () => {
    const res = await get("upstream_authors_only", undefined, { authorization: "Bearer " });
    assert.equal(res.status, 401);
    assert.equal(res.text, pgrstBody("PGRST301", "Empty JWT is sent in Authorization header"));
    assert.equal(res.headers.get("content-length"), "100");
    assert.equal(
      res.headers.get("www-authenticate"),
      'Bearer error="invalid_token", error_description="Empty JWT is sent in Authorization header"',
    );
  },
);

upstream(
  authSpec("fails with an expired token"),
  "an expired token: 401 PGRST303 JWT expired",
  async () => {
    await refused(await hs256({ ...author(), exp: 1446678149 }), "PGRST303", "JWT expired");
  },
);

upstream(
  authSpec("hides tables from users with invalid JWT"),
  "two parts: PGRST301 Expected 3 parts in JWT; got 2",
  async () => {
    await refused(
      "ey9zdGdyZXN0X3Rlc3RfYXV0aG9yIiwiaWQiOiJqZG9lIn0.y4vZuu1dDdwAl0-S00MCRWRYMlJ5YAMSir6Es6WtWx0",
      "PGRST301",
      "Expected 3 parts in JWT; got 2",
    );
  },
);

upstream(
  authSpec("should fail when jwt contains no claims"),
  "a token with no claims runs as anon: 401",
  async () => {
    const res = await get("upstream_authors_only", await hs256({}));
    assert.equal(res.status, 401);
    assert.equal((res.json as { code: string }).code, "42501");
  },
);

upstream(
  authSpec("hides tables from users with JWT that contain no claims about role"),
  "a token without role runs as anon: 401",
  async () => {
    const res = await get("upstream_authors_only", await hs256({ id: "jdoe" }));
    assert.equal(res.status, 401);
  },
);

for (const claim of ["exp", "nbf", "iat"]) {
  upstream(
    authSpec(`fails when the ${claim} claim is not a number`),
    `${claim} not a number: PGRST303`,
    async () => {
      await refused(
        await hs256({ ...author(), [claim]: "invalid" }),
        "PGRST303",
        `The JWT '${claim}' claim must be a number`,
      );
    },
  );
}

upstream(
  authSpec("fails when the aud claim has a single value and it's not a string"),
  "aud an object: PGRST303",
  async () => {
    await refused(
      await hs256({ ...author(), aud: { invalid: "value" } }),
      "PGRST303",
      "The JWT 'aud' claim must be a string or an array of strings",
    );
  },
);

upstream(
  authSpec("fails when the aud claim is an array but it has non-string elements"),
  "aud an array with an object: PGRST303",
  async () => {
    await refused(
      await hs256({ ...author(), aud: [{ invalid: "value" }, "test"] }),
      "PGRST303",
      "The JWT 'aud' claim must be a string or an array of strings",
    );
  },
);

upstream(
  authSpec("allows 'Bearer' and 'bearer' as authentication schemes"),
  "Bearer and bearer both",
  async () => {
    const token = await hs256(author());
    for (const scheme of ["Bearer", "bearer"]) {
      const res = await get("upstream_authors_only", undefined, {
        authorization: `${scheme} ${token}`,
      });
      assert.equal(res.status, 200, scheme);
    }
  },
);

upstream(
  errorSpec("error on jwt encoded with wrong secret"),
  "another secret: PGRST301 with details",
  async () => {
    await refused(
      await hs256({}, { secret: "wrong secret wrong secret wrong secret wrong" }),
      "PGRST301",
      "No suitable key or wrong key type",
      "None of the keys was able to decode the JWT",
    );
  },
);

upstream(
  errorSpec("when role does not exist"),
  "a role Postgres doesn't have: 401 22023",
  async () => {
    const res = await get("upstream_authors_only", await hs256({ role: "not existing" }));
    assert.equal(res.status, 401);
    assert.equal(res.text, pgrstBody("22023", 'role "not existing" does not exist'));
    assert.equal(res.headers.get("www-authenticate"), "Bearer");
  },
);

upstream(
  errorSpec("it should return error if expired"),
  "exp 35 s ago (beyond the 30 s skew): JWT expired",
  async () => {
    await refused(await hs256({ ...author(), exp: nowSeconds() - 35 }), "PGRST303", "JWT expired");
  },
);

upstream(
  errorSpec("it should return error if used before it is valid"),
  "nbf 35 s ahead: JWT not yet valid",
  async () => {
    await refused(
      await hs256({ ...author(), nbf: nowSeconds() + 35 }),
      "PGRST303",
      "JWT not yet valid",
    );
  },
);

upstream(
  errorSpec("it should return error if issued at future"),
  "iat 35 s ahead: JWT issued at future",
  async () => {
    await refused(
      await hs256({ ...author(), iat: nowSeconds() + 35 }),
      "PGRST303",
      "JWT issued at future",
    );
  },
);

const skew = source("Auth/Jwt.hs", "checkForErrors: allowedSkewSeconds = 30");
upstream(skew, "exp 20 s ago, within the skew: accepted", async () => {
  await accepted(await hs256({ ...author(), exp: nowSeconds() - 20 }));
});
upstream(skew, "nbf 20 s ahead, within the skew: accepted", async () => {
  await accepted(await hs256({ ...author(), nbf: nowSeconds() + 20 }));
});
upstream(skew, "iat 20 s ahead, within the skew: accepted", async () => {
  await accepted(await hs256({ ...author(), iat: nowSeconds() + 20 }));
});
upstream(
  source("Auth/Jwt.hs", "checkForErrors: exp, nbf, iat, aud in turn"),
  "expired and not yet valid at once: exp is checked first",
  async () => {
    await refused(
      await hs256({ ...author(), exp: nowSeconds() - 100, nbf: nowSeconds() + 100 }),
      "PGRST303",
      "JWT expired",
    );
  },
);

upstream(
  errorSpec("when partial token is provided"),
  "header and payload only: PGRST301 got 2",
  async () => {
    await refused(
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.bm90IGFuIG9iamVjdA",
      "PGRST301",
      "Expected 3 parts in JWT; got 2",
    );
  },
);

upstream(
  errorSpec("when token is complete but random characters"),
  "three parts of noise: JWT cryptographic operation failed",
  async () => {
    await refused(
      "quifquirndsjagnrgniur.fonvoienqhhdj.iuqvnvhojah",
      "PGRST301",
      "JWT cryptographic operation failed",
    );
  },
);

upstream(
  errorSpec("when token with algorithm 'none' is used"),
  "alg none: Wrong or unsupported encoding algorithm",
  async () => {
    await refused(
      "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.e30.yOBhlOIqn56T-4NvyEXCjfi3UmyQZ-BzXtePMO2NgRI",
      "PGRST301",
      "Wrong or unsupported encoding algorithm",
      "JWT is unsecured but expected 'alg' was not 'none'",
    );
  },
);

upstream(
  errorSpec("works with Jwt error"),
  "a JWT error's Proxy-Status, Content-Length 89",
  async () => {
    const res = await get("upstream_authors_only", undefined, {
      authorization:
        "Bearer ey9zdGdyZXN0X3Rlc3RfYXV0aG9yIiwiaWQiOiJqZG9lIn0.y4vZuu1dDdwAl0-S00MCRWRYMlJ5YAMSir6Es6WtWx0",
    });
    assert.equal(res.headers.get("proxy-status"), "PostgREST; error=PGRST301");
    assert.equal(res.headers.get("content-length"), "89");
  },
);

upstream(
  source("Auth/Jwt.hs", "decodeClaims: ParsingClaimsFailed"),
  "a signed payload that is not an object: PGRST303 Parsing claims failed",
  async () => {
    await refused(await hs256('"x"'), "PGRST303", "Parsing claims failed");
  },
);

// Asymmetric keys and the key set (a rotation: the current key and the one it replaced).
const asymmetric = spec(
  "Auth/AsymmetricJwtSpec.hs",
  "secret provided as JWKSet: succeeds with jwt token signed with an asymmetric key",
);
const jose = (fn: string): Origin => ({
  repo: "tekul/jose-jwt (PostgREST's decoder)",
  file: "Jose/Jwt.hs",
  test: fn,
});
const keys = signingKeys.length >= 2;
if (keys) {
  upstream(asymmetric, "ES256 by the current signing key, its kid: accepted", async () => {
    await accepted(await es256(author(), signingKeys[0]));
  });
  upstream(
    jose("decode: the keys that fit the header's kid and alg"),
    "ES256 by the previous key (still in the set after a rotation): accepted",
    async () => {
      await accepted(await es256(author(), signingKeys[1]));
    },
  );
  upstream(
    jose("decode: each fitting key in turn"),
    "ES256 without kid, by the previous key: every EC key is tried, accepted",
    async () => {
      await accepted(await es256(author(), signingKeys[1], null));
    },
  );
  upstream(
    jose("decode: checkKeys [] (No suitable key was found)"),
    "a kid the set doesn't have: PGRST301, no suitable key",
    async () => {
      const stranger = await generateKeyPair("ES256");
      await refused(
        await es256(author(), stranger.privateKey, "a-kid-nobody-has"),
        "PGRST301",
        "No suitable key or wrong key type",
        "No suitable key was found to decode the JWT",
      );
    },
  );
  upstream(
    jose("decode: None of the keys was able to decode the JWT"),
    "the current kid, signed by another key: PGRST301, none of the keys",
    async () => {
      const stranger = await generateKeyPair("ES256");
      await refused(
        await es256(author(), stranger.privateKey, signingKeys[0].kid!),
        "PGRST301",
        "No suitable key or wrong key type",
        "None of the keys was able to decode the JWT",
      );
    },
  );
}
upstream(
  jose("decode: canDecodeJws (RS256 needs an RSA key)"),
  "RS256 when the set has no RSA key: PGRST301, no suitable key",
  async () => {
    const { privateKey } = await generateKeyPair("RS256");
    const token = await new SignJWT(author()).setProtectedHeader({ alg: "RS256", typ: "JWT" })
      .sign(privateKey);
    await refused(
      token,
      "PGRST301",
      "No suitable key or wrong key type",
      "No suitable key was found to decode the JWT",
    );
  },
);

// Supabase configures no jwt-aud: any audience passes (AudienceJwtSecretSpec's disabledSpec).
const noAud = (test: string) => spec("Auth/AudienceJwtSecretSpec.hs", `disabledSpec: ${test}`);
upstream(
  noAud("ignores the audience claim and suceeds"),
  "aud another project's: accepted by PostgREST",
  async () => {
    await accepted(await hs256({ ...author(), aud: "youraudience" }));
  },
);
upstream(
  noAud("ignores the audience claim and suceeds when it's empty"),
  "aud []: accepted",
  async () => {
    await accepted(await hs256({ ...author(), aud: [] }));
  },
);
upstream(
  noAud("ignores the audience claim and succeeds when it's null"),
  "aud null: accepted",
  async () => {
    await accepted(await hs256({ ...author(), aud: null }));
  },
);
upstream(
  source("Auth/Jwt.hs", "claim: a null claim counts as absent"),
  "exp null: no exp, accepted",
  async () => {
    await accepted(await hs256({ ...author(), exp: null }));
  },
);
