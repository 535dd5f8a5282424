import "server-only";
import { z } from "zod";
import { profileDocumentSchema, profileJsonSchema } from "@/lib/profiles/document";
import { PAGE_SIZES, sortableColumns } from "@/lib/db/profiles";
import {
  apiProfileSchema,
  errorBodySchema,
  exportRequestSchema,
  importConflictSchema,
  importPlanResponseSchema,
  importPlanSchema,
  importRequestSchema,
  importResultSchema,
  profileListItemSchema,
  profileListSchema,
  revisionComparisonSchema,
  revisionListSchema,
  testEventSchema,
  testRequestSchema,
  testResponseSchema,
  testResultSchema,
} from "@/lib/api/schemas";

/**
 * The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json. Component schemas are
 * generated from the zod schemas the handlers use (lib/api/schemas.ts); the profile document is the
 * published mcf-profile JSON Schema itself (profileJsonSchema), so there is one definition of it.
 */

type JsonSchema = Record<string, unknown>;
type Meta = { id: string; description?: string };

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const uri = (id: string) => `#/components/schemas/${id}`;

/** A component as OpenAPI wants it: no $schema, and no $id (a fragment is not a valid $id in 2020-12). */
function component(schema: JsonSchema): JsonSchema {
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return rest;
}

function componentSchemas(): Record<string, JsonSchema> {
  // requests are described as callers write them (defaults optional), responses as the server sends them
  const requests = z.registry<Meta>();
  requests.add(profileDocumentSchema, { id: "ProfileDocument" });
  requests.add(exportRequestSchema, { id: "ExportRequest", description: "POST /export" });
  requests.add(importRequestSchema, { id: "ImportRequest", description: "POST /import" });
  requests.add(testRequestSchema, { id: "TestRequest", description: "POST /profiles/{id}/test (optional body)" });

  const responses = z.registry<Meta>();
  responses.add(profileDocumentSchema, { id: "ProfileDocument" });
  responses.add(errorBodySchema, { id: "Error" });
  responses.add(apiProfileSchema, { id: "Profile" });
  responses.add(profileListItemSchema, { id: "ProfileListItem" });
  responses.add(profileListSchema, { id: "ProfileList" });
  responses.add(testResultSchema, { id: "TestResult" });
  responses.add(testResponseSchema, { id: "TestResponse" });
  responses.add(testEventSchema, { id: "TestEvent" });
  responses.add(revisionListSchema, { id: "RevisionList" });
  responses.add(revisionComparisonSchema, { id: "RevisionComparison" });
  responses.add(importPlanSchema, { id: "ImportPlan" });
  responses.add(importPlanResponseSchema, { id: "ImportPlanResponse" });
  responses.add(importConflictSchema, { id: "ImportConflict" });
  responses.add(importResultSchema, { id: "ImportResult" });

  const options = { uri, target: "draft-2020-12" as const };
  const generated = {
    ...(z.toJSONSchema(requests, { ...options, io: "input" }).schemas as Record<string, JsonSchema>),
    ...(z.toJSONSchema(responses, { ...options, io: "output" }).schemas as Record<string, JsonSchema>),
  };
  const out: Record<string, JsonSchema> = {};
  for (const [name, schema] of Object.entries(generated)) out[name] = component(schema);
  out.ProfileDocument = {
    ...component(profileJsonSchema() as JsonSchema),
    description:
      "The mcf-profile document, version 1 (also published at /api/schema/mcf-profile). In requests a secret is text (set it), null (keep the stored one on PUT) or absent; responses always give null.",
  };
  return out;
}

const errorResponse = (description: string) => ({ description, content: { "application/json": { schema: ref("Error") } } });

const responses = {
  InvalidInput: errorResponse(
    "invalid_input: the body, a query parameter or a header is wrong; `fields` maps JSON paths (`$.connection.port`) or parameter names to messages.",
  ),
  Unauthenticated: {
    ...errorResponse(
      "unauthenticated: the Bearer token is missing, malformed, unknown, revoked or expired, or its user is disabled.",
    ),
    headers: { "WWW-Authenticate": { schema: { type: "string" } } },
  },
  Forbidden: errorResponse("forbidden: the token's user can see this, but their role or share level does not allow it."),
  NotFound: errorResponse("not_found: it does not exist, or it is not shared with the token's user."),
  Conflict: errorResponse(
    "conflict (a name is taken) or version_conflict (someone saved in between: GET again, then retry with the new version).",
  ),
  TooLarge: errorResponse("too_large: the body is over the limit (1 MB for documents, 12 MB for imports; files at most 5 MB)."),
  Internal: errorResponse("internal: an unexpected failure; the message carries a reference for the server log."),
} as const;

const r = (name: keyof typeof responses) => ({ $ref: `#/components/responses/${name}` });

const parameters = {
  ProfileId: { name: "id", in: "path", required: true, schema: { type: "string" }, description: "The profile's id." },
  IfMatch: {
    name: "If-Match",
    in: "header",
    required: false,
    schema: { type: "string", examples: ['"3"'] },
    description:
      "The version the change is based on: the ETag (or `version`) of GET /profiles/{id}. Either this or ?version is required.",
  },
  Version: {
    name: "version",
    in: "query",
    required: false,
    schema: { type: "integer", minimum: 1 },
    description: "Alternative to If-Match.",
  },
} as const;

const p = (name: keyof typeof parameters) => ({ $ref: `#/components/parameters/${name}` });

const json = (schema: JsonSchema) => ({ "application/json": { schema } });
const etag = {
  ETag: { description: 'The profile\'s version, quoted ("3"): send it back in If-Match.', schema: { type: "string" } },
};

function paths() {
  const profile = { description: "The profile (document without secrets).", headers: etag, content: json(ref("Profile")) };
  return {
    "/profiles": {
      get: {
        operationId: "listProfiles",
        summary: "List the profiles the token's user can see",
        description: "Needs: any role; each item carries the caller's `level` on it.",
        tags: ["Profiles"],
        parameters: [
          {
            name: "search",
            in: "query",
            schema: { type: "string", maxLength: 200 },
            description: "Matches name, host and username.",
          },
          { name: "sort", in: "query", schema: { type: "string", enum: [...sortableColumns], default: "name" } },
          { name: "direction", in: "query", schema: { type: "string", enum: ["asc", "desc"], default: "asc" } },
          { name: "page", in: "query", schema: { type: "integer", minimum: 1, default: 1 } },
          { name: "pageSize", in: "query", schema: { type: "integer", enum: [...PAGE_SIZES], default: 25 } },
        ],
        responses: {
          "200": { description: "One page of profiles.", content: json(ref("ProfileList")) },
          "400": r("InvalidInput"),
          "401": r("Unauthenticated"),
          "500": r("Internal"),
        },
      },
      post: {
        operationId: "createProfile",
        summary: "Create a profile from an mcf-profile document",
        description:
          "Needs: Editor role or above. Secrets in clear text are stored encrypted; encrypted envelopes are refused here (use POST /import).",
        tags: ["Profiles"],
        requestBody: { required: true, content: json(ref("ProfileDocument")) },
        responses: {
          "201": {
            ...profile,
            description: "Created.",
            headers: { ...etag, Location: { schema: { type: "string" }, description: "/api/v1/profiles/{id}" } },
          },
          "400": r("InvalidInput"),
          "401": r("Unauthenticated"),
          "403": r("Forbidden"),
          "409": r("Conflict"),
          "413": r("TooLarge"),
          "500": r("Internal"),
        },
      },
    },
    "/profiles/{id}": {
      parameters: [p("ProfileId")],
      get: {
        operationId: "getProfile",
        summary: "Read a profile: the document with every secret null, which secrets are stored, version and level",
        description: "Needs: Use on the profile.",
        tags: ["Profiles"],
        responses: { "200": profile, "401": r("Unauthenticated"), "404": r("NotFound"), "500": r("Internal") },
      },
      put: {
        operationId: "updateProfile",
        summary: "Replace a profile's configuration (a new revision)",
        description:
          "Needs: Edit on the profile. A secret left out or null keeps the stored value; a string replaces it. Requires If-Match or ?version.",
        tags: ["Profiles"],
        parameters: [p("IfMatch"), p("Version")],
        requestBody: { required: true, content: json(ref("ProfileDocument")) },
        responses: {
          "200": profile,
          "400": r("InvalidInput"),
          "401": r("Unauthenticated"),
          "403": r("Forbidden"),
          "404": r("NotFound"),
          "409": r("Conflict"),
          "413": r("TooLarge"),
          "500": r("Internal"),
        },
      },
      delete: {
        operationId: "deleteProfile",
        summary: "Delete a profile",
        description: "Needs: Manage on the profile.",
        tags: ["Profiles"],
        responses: {
          "204": { description: "Deleted." },
          "401": r("Unauthenticated"),
          "403": r("Forbidden"),
          "404": r("NotFound"),
          "500": r("Internal"),
        },
      },
    },
    "/profiles/{id}/test": {
      parameters: [p("ProfileId")],
      post: {
        operationId: "testProfile",
        summary: "Run the staged connection test on the saved profile",
        description:
          "Needs: Use on the profile. Returns one JSON result when done (a failing test is still 200 with `result.ok: false`), or, with `Accept: application/x-ndjson`, streams one TestEvent per line. The result is recorded on the profile and audited.",
        tags: ["Test"],
        requestBody: { required: false, content: json(ref("TestRequest")) },
        responses: {
          "200": {
            description: "The test ran.",
            content: {
              "application/json": { schema: ref("TestResponse") },
              "application/x-ndjson": { schema: ref("TestEvent"), description: "One TestEvent per line." },
            },
          },
          "400": r("InvalidInput"),
          "401": r("Unauthenticated"),
          "404": r("NotFound"),
          "413": r("TooLarge"),
          "500": r("Internal"),
        },
      },
    },
    "/profiles/{id}/revisions": {
      parameters: [p("ProfileId")],
      get: {
        operationId: "listRevisions",
        summary: "The profile's saved versions, newest first",
        description: "Needs: Use on the profile.",
        tags: ["Revisions"],
        responses: {
          "200": { description: "Revisions.", content: json(ref("RevisionList")) },
          "401": r("Unauthenticated"),
          "404": r("NotFound"),
          "500": r("Internal"),
        },
      },
    },
    "/profiles/{id}/revisions/compare": {
      parameters: [p("ProfileId")],
      get: {
        operationId: "compareRevisions",
        summary: "Two revisions side by side; secrets only as stored / changed / unchanged",
        description: "Needs: Use on the profile.",
        tags: ["Revisions"],
        parameters: [
          { name: "from", in: "query", required: true, schema: { type: "integer", minimum: 1 } },
          { name: "to", in: "query", required: true, schema: { type: "integer", minimum: 1 } },
        ],
        responses: {
          "200": { description: "Field by field.", content: json(ref("RevisionComparison")) },
          "400": r("InvalidInput"),
          "401": r("Unauthenticated"),
          "404": r("NotFound"),
          "500": r("Internal"),
        },
      },
    },
    "/profiles/{id}/revisions/{n}/restore": {
      parameters: [
        p("ProfileId"),
        {
          name: "n",
          in: "path",
          required: true,
          schema: { type: "integer", minimum: 1 },
          description: "The revision number to restore.",
        },
      ],
      post: {
        operationId: "restoreRevision",
        summary: "Restore an old revision as a new one (history is never rewritten)",
        description:
          "Needs: Edit on the profile. Requires If-Match or ?version (the profile's current version). The current secrets stay.",
        tags: ["Revisions"],
        parameters: [p("IfMatch"), p("Version")],
        responses: {
          "200": profile,
          "400": r("InvalidInput"),
          "401": r("Unauthenticated"),
          "403": r("Forbidden"),
          "404": r("NotFound"),
          "409": r("Conflict"),
          "500": r("Internal"),
        },
      },
    },
    "/export": {
      post: {
        operationId: "exportProfiles",
        summary: "Export profiles as an mcf-profile file",
        description:
          "Needs: Use on every profile (Manage with includeSecrets). The body of the response is the file itself: one document for one profile, else an array. Secrets are null, or encrypted with the passphrase when includeSecrets is true; never in clear.",
        tags: ["Transfer"],
        requestBody: { required: false, content: json(ref("ExportRequest")) },
        responses: {
          "200": {
            description: "The file (Content-Disposition names it).",
            content: json({ oneOf: [ref("ProfileDocument"), { type: "array", items: ref("ProfileDocument") }] }),
          },
          "400": r("InvalidInput"),
          "401": r("Unauthenticated"),
          "403": r("Forbidden"),
          "404": r("NotFound"),
          "413": r("TooLarge"),
          "500": r("Internal"),
        },
      },
    },
    "/import": {
      post: {
        operationId: "importProfiles",
        summary: "Import an mcf-profile file (all or nothing)",
        description:
          "Needs: Editor role or above (Edit on a profile it replaces). Without `decisions`, clashing names answer 409 with the plan; `dryRun: true` returns the plan only.",
        tags: ["Transfer"],
        requestBody: { required: true, content: json(ref("ImportRequest")) },
        responses: {
          "200": {
            description: "The plan (dryRun), or the import when nothing new was created.",
            content: json({ oneOf: [ref("ImportPlanResponse"), ref("ImportResult")] }),
          },
          "201": { description: "Imported.", content: json(ref("ImportResult")) },
          "400": r("InvalidInput"),
          "401": r("Unauthenticated"),
          "403": r("Forbidden"),
          "404": r("NotFound"),
          "409": {
            description: "Names clash (decide per document), or a profile changed while importing.",
            content: json(ref("ImportConflict")),
          },
          "413": r("TooLarge"),
          "500": r("Internal"),
        },
      },
    },
    "/openapi.json": {
      get: {
        operationId: "getOpenApi",
        summary: "This document",
        tags: ["Meta"],
        security: [],
        responses: { "200": { description: "OpenAPI 3.1.", content: json({ type: "object" }) } },
      },
    },
  };
}

export function openApiDocument() {
  return {
    openapi: "3.1.0",
    info: {
      title: "MCF Console API",
      version: "1.0.0",
      description:
        "Automation for MCF Console: profiles as mcf-profile documents, connection tests, history, export and import. " +
        "Authenticate with a personal API token (Account → API tokens) as `Authorization: Bearer mcf_…`; it acts with its creator's current role and shares. " +
        "Errors are `{ error: { code, message, fields? } }`. No response ever contains a stored secret.",
    },
    servers: [{ url: "/api/v1" }],
    security: [{ bearerAuth: [] }],
    tags: [{ name: "Profiles" }, { name: "Test" }, { name: "Revisions" }, { name: "Transfer" }, { name: "Meta" }],
    paths: paths(),
    components: {
      securitySchemes: {
        bearerAuth: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "mcf_ followed by 43 base64url characters",
          description: "A personal API token.",
        },
      },
      parameters,
      responses,
      schemas: componentSchemas(),
    },
  };
}
