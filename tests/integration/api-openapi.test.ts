/**
 * The OpenAPI 3.1 document served at /api/v1/openapi.json: public, well-formed (every operation has
 * responses, every $ref resolves, every path parameter is declared, every schema compiles as JSON
 * Schema 2020-12), and in step with the code: every route handler under app/api/v1 is documented
 * with exactly its methods, and the profile document is the published mcf-profile schema itself.
 * (That real responses match these schemas is checked in api-endpoints.test.ts.)
 */
import fs from "node:fs";
import path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { describe, expect, it } from "vitest";
import { profileJsonSchema } from "@/lib/profiles/document";

type Json = Record<string, unknown>;
const METHODS = ["get", "put", "post", "delete", "patch", "head", "options", "trace"] as const;

async function served(): Promise<{ status: number; contentType: string | null; doc: Json }> {
  const { GET } = await import("@/app/api/v1/openapi.json/route");
  // no Authorization header: the description is public
  const response = GET();
  return { status: response.status, contentType: response.headers.get("content-type"), doc: (await response.json()) as Json };
}

/** Resolves a local `#/a/b` reference (RFC 6901 escapes included). */
function resolve(doc: Json, ref: string): unknown {
  expect(ref.startsWith("#/"), `${ref} is not a local reference`).toBe(true);
  let node: unknown = doc;
  for (const raw of ref.slice(2).split("/")) {
    const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    if (node === null || typeof node !== "object" || !(key in (node as Json))) return undefined;
    node = (node as Json)[key];
  }
  return node;
}

const deref = (doc: Json, node: unknown): Json => {
  const value = node as Json;
  return typeof value.$ref === "string" ? (resolve(doc, value.$ref) as Json) : value;
};

function allRefs(node: unknown, at = "#", out: { at: string; ref: string }[] = []): { at: string; ref: string }[] {
  if (Array.isArray(node)) node.forEach((item, i) => allRefs(item, `${at}/${i}`, out));
  else if (node && typeof node === "object") {
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string") out.push({ at, ref: value });
      else allRefs(value, `${at}/${key}`, out);
    }
  }
  return out;
}

/** JSON pointers of every `content.<media type>.schema` in the document. */
function mediaSchemas(node: unknown, at = "#", out: string[] = []): string[] {
  if (!node || typeof node !== "object" || Array.isArray(node)) return out;
  const escape = (key: string) => key.replace(/~/g, "~0").replace(/\//g, "~1");
  for (const [key, value] of Object.entries(node)) {
    if (key === "content" && value && typeof value === "object") {
      for (const [type, media] of Object.entries(value))
        if ((media as Json).schema) out.push(`${at}/content/${escape(type)}/schema`);
    } else mediaSchemas(value, `${at}/${escape(key)}`, out);
  }
  return out;
}

function operations(doc: Json): { path: string; method: string; operation: Json; pathItem: Json }[] {
  const out: { path: string; method: string; operation: Json; pathItem: Json }[] = [];
  for (const [route, item] of Object.entries(doc.paths as Record<string, Json>)) {
    for (const method of METHODS)
      if (item[method]) out.push({ path: route, method, operation: item[method] as Json, pathItem: item });
  }
  return out;
}

describe("GET /api/v1/openapi.json", () => {
  it("is public JSON, OpenAPI 3.1 with bearer authentication", async () => {
    const { status, contentType, doc } = await served();
    expect(status).toBe(200);
    expect(contentType).toMatch(/^application\/json/);
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(doc.security).toEqual([{ bearerAuth: [] }]);
    expect((doc.components as Json).securitySchemes).toMatchObject({ bearerAuth: { type: "http", scheme: "bearer" } });
  });

  it("every $ref resolves", async () => {
    const { doc } = await served();
    const refs = allRefs(doc);
    expect(refs.length).toBeGreaterThan(50);
    const broken = refs.filter(({ ref }) => resolve(doc, ref) === undefined).map(({ at, ref }) => `${at} → ${ref}`);
    expect(broken).toEqual([]);
  });

  it("every operation has a unique id, a 2xx response, described responses, and (but the document itself) 401", async () => {
    const { doc } = await served();
    const ops = operations(doc);
    expect(ops.length).toBe(12);
    const ids = ops.map((o) => o.operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { path: route, method, operation } of ops) {
      const label = `${method.toUpperCase()} ${route}`;
      const responses = operation.responses as Record<string, unknown>;
      expect(Object.keys(responses).length, label).toBeGreaterThan(0);
      expect(
        Object.keys(responses).some((code) => /^2\d\d$/.test(code)),
        label,
      ).toBe(true);
      for (const [code, response] of Object.entries(responses)) {
        expect(code, label).toMatch(/^[1-5]\d\d$/);
        expect(deref(doc, response).description, `${label} ${code}`).toEqual(expect.any(String));
      }
      if (route === "/openapi.json") expect(operation.security).toEqual([]);
      else {
        expect(operation.security, label).toBeUndefined();
        expect(responses, label).toHaveProperty("401");
      }
    }
  });

  it("every path parameter is declared, and every declared one is in the path", async () => {
    const { doc } = await served();
    for (const { path: route, method, operation, pathItem } of operations(doc)) {
      const declared = [...((pathItem.parameters as unknown[]) ?? []), ...((operation.parameters as unknown[]) ?? [])].map((p) =>
        deref(doc, p),
      );
      const inPath = declared.filter((p) => p.in === "path");
      const template = [...route.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      expect(inPath.map((p) => p.name).sort(), `${method} ${route}`).toEqual([...template].sort());
      for (const p of inPath) expect(p.required, `${method} ${route} ${String(p.name)}`).toBe(true);
      for (const p of declared) expect(["path", "query", "header", "cookie"]).toContain(p.in);
    }
  });

  it("every schema compiles as JSON Schema 2020-12", async () => {
    const { doc } = await served();
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    ajv.addSchema(doc, "openapi.json");
    const schemas = (doc.components as { schemas: Record<string, Json> }).schemas;
    expect(Object.keys(schemas)).toEqual(
      expect.arrayContaining([
        "Error",
        "Profile",
        "ProfileDocument",
        "ProfileList",
        "TestResult",
        "TestEvent",
        "ImportPlan",
        "ImportResult",
      ]),
    );
    for (const name of Object.keys(schemas))
      expect(ajv.getSchema(`openapi.json#/components/schemas/${name}`), name).toBeTypeOf("function");
    // and every request and response body's schema, where it stands
    const bodies = mediaSchemas(doc);
    expect(bodies.length).toBeGreaterThan(25);
    for (const pointer of bodies) expect(ajv.getSchema(`openapi.json${pointer}`), pointer).toBeTypeOf("function");
    const error = ajv.getSchema("openapi.json#/components/schemas/Error")!;
    expect(error({ error: { code: "not_found", message: "x" } })).toBe(true);
    expect(error({ error: { code: "teapot", message: "x" } })).toBe(false);
  });

  it("the profile document is the published mcf-profile JSON Schema", async () => {
    const { doc } = await served();
    const { $schema: _s, $id: _i, ...published } = profileJsonSchema() as Json;
    const { description: _d, ...component } = (doc.components as { schemas: Record<string, Json> }).schemas.ProfileDocument!;
    expect(component).toEqual(published);
  });

  it("documents exactly the route handlers under app/api/v1, with exactly their methods", async () => {
    const { doc } = await served();
    const root = path.resolve(__dirname, "../../app/api/v1");
    const inCode: string[] = [];
    const walk = async (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) await walk(full);
        else if (entry.name === "route.ts") {
          const loaded = (await import(full)) as Record<string, unknown>;
          const route = `/${path.relative(root, dir).split(path.sep).join("/")}`.replace(/\[([^\]]+)\]/g, "{$1}");
          for (const method of METHODS) if (typeof loaded[method.toUpperCase()] === "function") inCode.push(`${method} ${route}`);
        }
      }
    };
    await walk(root);
    const documented = operations(doc).map((o) => `${o.method} ${o.path}`);
    expect(documented.sort()).toEqual(inCode.sort());
  });
});
