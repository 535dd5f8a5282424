/**
 * The mcf-profile document, version 1 (docs/PROFILE-FORMAT.md): the public contract of the CLI,
 * export/import and the REST API. Its zod schema checks the shape strictly and then runs the same
 * rules as the form (lib/profiles/schema.ts), with error paths expressed in document terms.
 * Client-safe: no Node imports.
 */
import { z } from "zod";
import {
  LIMITS,
  applyProfileRules,
  assertionAlgorithmSchema,
  clientAuthenticationSchema,
  oauthMethodSchema,
  protocolSchema,
  securitySchema,
  type ProfileInput,
} from "@/lib/profiles/schema";
import { DEFAULT_TOKEN_URL, requestPropertiesFor, type PropertyRow } from "@/lib/profiles/oauth-defaults";
import {
  noStoredSecrets,
  secretFieldOfRequestProperty,
  secretRequestProperties,
  type SecretField,
} from "@/lib/profiles/secret-fields";

export const PROFILE_FORMAT = "mcf-profile";
export const PROFILE_FORMAT_VERSION = 1;

/** A secret in a document: the value, null ("supply on import"), or encrypted with a passphrase. */
export const secretValueSchema = z.union([
  z.string(),
  z.null(),
  z.strictObject({ encrypted: z.string().regex(/^v1:/, 'Encrypted secrets start with "v1:"') }),
]);
export type SecretValue = z.infer<typeof secretValueSchema>;

const propertyMap = (max: number) =>
  z.record(z.string(), z.string()).refine((m) => Object.keys(m).length <= max, `At most ${max} properties`);

const connectionSchema = z.strictObject({
  protocol: protocolSchema,
  mailServerUrl: z.string().max(LIMITS.mailServerUrl),
  port: z.number().int().optional(),
  security: securitySchema,
  additionalProperties: propertyMap(LIMITS.additionalProperties).optional(),
  trustedCaPem: z.string().max(LIMITS.pem).nullable().optional(),
});

const basicAuthSchema = z.strictObject({
  type: z.literal("basic"),
  username: z.string().max(LIMITS.username),
  password: secretValueSchema.optional(),
});

const certificateSchema = z.union([
  z.strictObject({ ref: z.string().min(1).max(200) }),
  z.strictObject({
    certificatePem: z.string().max(LIMITS.pem),
    privateKeyPem: secretValueSchema,
    privateKeyPassphrase: secretValueSchema.optional(),
  }),
]);

const oauthSchema = z.strictObject({
  type: z.literal("oauth2"),
  username: z.string().max(LIMITS.username),
  tokenUrl: z.string().max(LIMITS.tokenUrl),
  tenantId: z.string().max(LIMITS.tenantId).nullable().optional(),
  method: oauthMethodSchema,
  clientAuthentication: clientAuthenticationSchema.optional(),
  requestProperties: z
    .record(z.string(), secretValueSchema)
    .refine((m) => Object.keys(m).length <= LIMITS.requestProperties, `At most ${LIMITS.requestProperties} properties`),
  certificate: certificateSchema.optional(),
  assertion: z
    .strictObject({ algorithm: assertionAlgorithmSchema.optional(), lifetimeSeconds: z.number().int().optional() })
    .optional(),
});

const documentShape = z.strictObject({
  $schema: z.string().optional(),
  format: z.literal(PROFILE_FORMAT, { error: `"format" must be "${PROFILE_FORMAT}"` }),
  version: z.literal(PROFILE_FORMAT_VERSION, {
    error: `"version" must be ${PROFILE_FORMAT_VERSION}: this console reads version 1`,
  }),
  name: z.string().max(LIMITS.name),
  description: z.string().max(LIMITS.description).optional(),
  connection: connectionSchema,
  authentication: z.discriminatedUnion("type", [basicAuthSchema, oauthSchema]),
});

export type ProfileDocument = z.infer<typeof documentShape>;

/** Secrets as found in a document, by field; absent = not mentioned. */
export type DocumentSecrets = Partial<Record<SecretField, SecretValue>>;

export function documentSecrets(doc: ProfileDocument): DocumentSecrets {
  const out: DocumentSecrets = {};
  const auth = doc.authentication;
  if (auth.type === "basic") {
    if (auth.password !== undefined) out.password = auth.password;
    return out;
  }
  for (const [key, field] of Object.entries(secretRequestProperties)) {
    if (field && key in auth.requestProperties) out[field] = auth.requestProperties[key];
  }
  if (auth.certificate && "privateKeyPem" in auth.certificate) {
    out.private_key = auth.certificate.privateKeyPem;
    if (auth.certificate.privateKeyPassphrase !== undefined) out.private_key_passphrase = auth.certificate.privateKeyPassphrase;
  }
  return out;
}

const plain = (value: SecretValue | undefined) => (typeof value === "string" ? value : "");
const rowsOf = (map: Record<string, SecretValue> | undefined): PropertyRow[] =>
  Object.entries(map ?? {}).map(([key, value]) => ({ key, value: plain(value) }));

/**
 * Document → form input. Clear-text secrets become typed values; null or encrypted ones become empty
 * (the caller decides whether a stored or decrypted value stands behind them).
 */
export function documentToInput(doc: ProfileDocument): ProfileInput {
  const auth = doc.authentication;
  const oauth = auth.type === "oauth2" ? auth : undefined;
  const certificate = oauth?.certificate;
  const pasted = certificate && "privateKeyPem" in certificate ? certificate : undefined;
  return {
    name: doc.name,
    description: doc.description ?? "",
    connection: {
      protocol: doc.connection.protocol,
      mailServerUrl: doc.connection.mailServerUrl,
      port: doc.connection.port === undefined ? "" : String(doc.connection.port),
      security: doc.connection.security,
      additionalProperties: rowsOf(doc.connection.additionalProperties),
      trustedCaPem: doc.connection.trustedCaPem ?? "",
    },
    authentication: {
      type: auth.type,
      username: auth.username,
      password: auth.type === "basic" ? plain(auth.password) : "",
      tokenUrl: oauth?.tokenUrl ?? DEFAULT_TOKEN_URL,
      tenantId: oauth?.tenantId ?? "",
      method: oauth?.method ?? "client_secret",
      clientAuthentication: oauth?.clientAuthentication ?? "client_secret_post",
      requestProperties: oauth ? rowsOf(oauth.requestProperties) : requestPropertiesFor("client_secret"),
      certificate: {
        source: pasted ? "pem" : "stored",
        certificateId: certificate && "ref" in certificate ? certificate.ref : "",
        certificatePem: pasted?.certificatePem ?? "",
        privateKeyPem: plain(pasted?.privateKeyPem),
        privateKeyPassphrase: plain(pasted?.privateKeyPassphrase),
      },
      assertion: {
        algorithm: oauth?.assertion?.algorithm ?? "PS256",
        lifetimeSeconds: oauth?.assertion?.lifetimeSeconds === undefined ? "" : String(oauth.assertion.lifetimeSeconds),
      },
    },
    secrets: { stored: { ...noStoredSecrets }, clear: [] },
  };
}

const nonEmpty = (text: string) => (text.trim() === "" ? undefined : text.trim());

/**
 * Form input → document. `secrets` gives what to write for each secret (a value, null, or an
 * encrypted envelope); a secret not given is written as null, so the stored configuration never
 * contains one.
 */
export function inputToDocument(input: ProfileInput, secrets: DocumentSecrets = {}): ProfileDocument {
  const { connection, authentication: auth } = input;
  const secret = (field: SecretField): SecretValue => secrets[field] ?? null;
  const base = {
    format: PROFILE_FORMAT,
    version: PROFILE_FORMAT_VERSION,
    name: input.name.trim(),
    ...(input.description.trim() ? { description: input.description.trim() } : {}),
    connection: {
      protocol: connection.protocol,
      mailServerUrl: connection.mailServerUrl.trim(),
      ...(connection.port.trim() ? { port: Number(connection.port.trim()) } : {}),
      security: connection.security,
      additionalProperties: Object.fromEntries(connection.additionalProperties.map((r) => [r.key.trim(), r.value.trim()])),
      trustedCaPem: nonEmpty(connection.trustedCaPem) ?? null,
    },
  } as const;
  if (auth.type === "basic") {
    return { ...base, authentication: { type: "basic", username: auth.username.trim(), password: secret("password") } };
  }
  const requestProperties: Record<string, SecretValue> = {};
  for (const row of auth.requestProperties) {
    const field = secretFieldOfRequestProperty(row.key.trim());
    requestProperties[row.key.trim()] = field ? secret(field) : row.value.trim();
  }
  const lifetime = nonEmpty(auth.assertion.lifetimeSeconds);
  return {
    ...base,
    authentication: {
      type: "oauth2",
      username: auth.username.trim(),
      tokenUrl: auth.tokenUrl.trim(),
      tenantId: nonEmpty(auth.tenantId) ?? null,
      method: auth.method,
      ...(auth.clientAuthentication !== "client_secret_post" ? { clientAuthentication: auth.clientAuthentication } : {}),
      requestProperties,
      ...(auth.method === "client_certificate"
        ? {
            certificate:
              auth.certificate.source === "stored"
                ? { ref: auth.certificate.certificateId }
                : {
                    certificatePem: auth.certificate.certificatePem.trim(),
                    privateKeyPem: secret("private_key"),
                    privateKeyPassphrase: secret("private_key_passphrase"),
                  },
            assertion: { algorithm: auth.assertion.algorithm, ...(lifetime ? { lifetimeSeconds: Number(lifetime) } : {}) },
          }
        : {}),
    },
  };
}

/**
 * Maps a form-input error path to the document path it came from, e.g.
 * connection.additionalProperties.3.value → connection.additionalProperties["mail.imap.ssl.enable"].
 */
function toDocumentPath(path: (string | number)[], input: ProfileInput): (string | number)[] {
  const [section, field, index] = path;
  if ((field === "additionalProperties" || field === "requestProperties") && typeof index === "number") {
    const rows =
      field === "additionalProperties" ? input.connection.additionalProperties : input.authentication.requestProperties;
    return [section as string, field, rows[index]?.key ?? index];
  }
  if (section === "connection" && field === "port") return ["connection", "port"];
  if (section === "authentication" && field === "assertion") return ["authentication", "assertion", "lifetimeSeconds"];
  return path;
}

/**
 * The document schema: strict shape first, then the shared profile rules. Secrets given as null or
 * encrypted count as present here (import asks for missing ones before a test; decryption is the
 * importer's job).
 */
export const profileDocumentSchema = documentShape.superRefine((doc, ctx) => {
  const input = documentToInput(doc);
  const secrets = documentSecrets(doc);
  for (const [field, value] of Object.entries(secrets) as [SecretField, SecretValue][]) {
    if (value !== null && typeof value !== "string") input.secrets.stored[field] = true;
    if (value === null) input.secrets.stored[field] = true;
  }
  applyProfileRules(input, (path, message) => ctx.addIssue({ code: "custom", path: toDocumentPath(path, input), message }));
});

/** JSON Schema of the document, published at /api/schema/mcf-profile and public/mcf-profile.schema.json. */
export function profileJsonSchema() {
  return {
    ...z.toJSONSchema(documentShape, { io: "input", target: "draft-2020-12" }),
    $id: "mcf-profile.schema.json",
    title: "MCF Console connection profile (mcf-profile, version 1)",
  };
}
