/** The OpenAPI 3.1 document of this endpoint, generated from the zod schemas. */
import { z } from "zod";
import {
  DetailsBodySchema,
  DetailsQuerySchema,
  DetailsResponseSchema,
  ErrorSchema,
} from "./schemas.ts";

type JsonSchema = Record<string, unknown>;

const DETAILS_BODY = "JobInterviewDetailsRequest";

function queryParameters(): JsonSchema[] {
  const schema = z.toJSONSchema(DetailsQuerySchema, { io: "input" }) as {
    properties: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(schema.properties).map(([name, s]) => ({
    schema: s,
    required: schema.required?.includes(name) ?? false,
    name,
    in: "query",
  }));
}

const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
});

const RESPONSES = {
  "200": {
    description: "The interview result and transcript.",
    content: {
      "application/json": {
        schema: { $ref: "#/components/schemas/JobInterviewDetailsResponse" },
      },
    },
  },
  "401": errorResponse("Missing, expired or invalid access token."),
  "404": errorResponse("No interview result exists for the given interview_result_id."),
  "405": errorResponse("A method other than GET, POST and OPTIONS (HEAD included)."),
  "422": errorResponse("Validation error."),
  "500": errorResponse("Server error."),
};

/** The schemas with an `id` in zod's global registry, and the request body, as components. */
function componentSchemas(): Record<string, JsonSchema> {
  // These schemas carry an `id` in zod's global registry; emitted as components.
  void DetailsResponseSchema, ErrorSchema;
  const registry = z.toJSONSchema(z.globalRegistry, {
    io: "output",
    uri: (id: string) => `#/components/schemas/${id}`,
  }) as unknown as { schemas: Record<string, JsonSchema> };
  // The request body as clients send it (defaults optional), not as parsed.
  registry.schemas[DETAILS_BODY] = z.toJSONSchema(DetailsBodySchema, { io: "input" }) as JsonSchema;
  delete registry.schemas[DETAILS_BODY].$schema;
  return registry.schemas;
}

function getOperation(): JsonSchema {
  return {
    tags: ["Results"],
    summary: "Get interview result details with transcript",
    description:
      "Returns an interview result with its full transcript and AI assessment. Optionally attaches signed recording URLs.",
    security: [{ bearerAuth: [] }],
    parameters: queryParameters(),
    responses: RESPONSES,
    operationId: "get_interview_result_details",
  };
}

function postOperation(): JsonSchema {
  return {
    tags: ["Results"],
    summary: "Get interview result details with transcript (JSON body)",
    description:
      "The same as GET, with the inputs in a JSON body (get_signed_recordings a boolean), as JobMojito's cookbook calls it. Body fields win over query parameters.",
    security: [{ bearerAuth: [] }],
    requestBody: {
      required: true,
      content: {
        "application/json": { schema: { $ref: `#/components/schemas/${DETAILS_BODY}` } },
      },
    },
    responses: RESPONSES,
    operationId: "get_interview_result_details_by_post",
  };
}

export function buildOpenApi(serverUrl = "https://cool.jobmojito.com/functions/v1"): JsonSchema {
  return {
    openapi: "3.1.0",
    info: {
      title: "JobMojito API",
      version: "1.0.0",
      description:
        "Public API for JobMojito, served by Supabase Edge Functions. Authenticate with a Supabase JWT access token via the Authorization header.",
    },
    servers: [{ url: serverUrl, description: "Production" }],
    components: {
      securitySchemes: {
        bearerAuth: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: "Supabase JWT — `Authorization: Bearer <token>`.",
        },
      },
      schemas: componentSchemas(),
    },
    paths: { "/job-interview-details": { get: getOperation(), post: postOperation() } },
  };
}
