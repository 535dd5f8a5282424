/**
 * The connection profile as the form edits it: one zod schema, used by the form (zodResolver) and
 * re-run by the server action, so the browser and the server enforce exactly the same rules.
 * The mcf-profile document (lib/profiles/document.ts) maps onto this shape and reuses these rules.
 * Client-safe: no Node imports.
 */
import { z } from "zod";
import { analyzeProperty, type ConnectionContext } from "@/lib/profiles/javamail";
import {
  defaultPort,
  findMailServerContradiction,
  parseMailServerUrl,
  parsePort,
  type MailServerAddress,
} from "@/lib/profiles/mail-server-url";
import { CLIENT_ASSERTION_TYPE, TENANT_PLACEHOLDERS, resolveTokenUrl } from "@/lib/profiles/oauth-defaults";
import { secretFields, type SecretField } from "@/lib/profiles/secret-fields";

export const LIMITS = {
  name: 100,
  description: 1000,
  mailServerUrl: 300,
  username: 320,
  password: 1024,
  tokenUrl: 2048,
  tenantId: 256,
  propertyKey: 200,
  propertyValue: 4096,
  clientAssertion: 16_384,
  pem: 65_536,
  additionalProperties: 200,
  requestProperties: 50,
} as const;

// Control characters other than tab are never valid in a one-line field (CR/LF would let a value
// inject a second line into a protocol command or a properties file).
const controlChars = /[\x00-\x1f\x7f]/;
const controlCharsExceptLineBreaks = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;

export const singleLine = (max: number) =>
  z
    .string()
    .max(max, `At most ${max.toLocaleString("en-US")} characters`)
    .refine((v) => !controlChars.test(v), "Line breaks and control characters are not allowed here");

export const multiLine = (max: number) =>
  z
    .string()
    .max(max, `At most ${max.toLocaleString("en-US")} characters`)
    .refine((v) => !controlCharsExceptLineBreaks.test(v), "Control characters are not allowed here");

export const protocolSchema = z.enum(["imap", "pop3"]);
export const securitySchema = z.enum(["tls", "starttls", "none"]);
export const authTypeSchema = z.enum(["basic", "oauth2"]);
export const oauthMethodSchema = z.enum(["client_secret", "client_certificate", "client_assertion"]);
export const clientAuthenticationSchema = z.enum(["client_secret_post", "client_secret_basic"]);
export const assertionAlgorithmSchema = z.enum(["PS256", "RS256"]);

const propertyRowSchema = z.object({ key: z.string(), value: z.string() });

export const nameSchema = singleLine(LIMITS.name).refine((v) => v.trim().length > 0, "Enter a name");

export const profileSchema = z
  .object({
    name: nameSchema,
    description: multiLine(LIMITS.description),
    connection: z.object({
      protocol: protocolSchema,
      mailServerUrl: singleLine(LIMITS.mailServerUrl),
      port: z.string().max(10, "Enter a number from 1 to 65535"),
      security: securitySchema,
      additionalProperties: z
        .array(propertyRowSchema)
        .max(LIMITS.additionalProperties, `At most ${LIMITS.additionalProperties} additional properties`),
      trustedCaPem: multiLine(LIMITS.pem),
    }),
    authentication: z.object({
      type: authTypeSchema,
      username: singleLine(LIMITS.username),
      password: singleLine(LIMITS.password),
      tokenUrl: singleLine(LIMITS.tokenUrl),
      tenantId: singleLine(LIMITS.tenantId),
      method: oauthMethodSchema,
      clientAuthentication: clientAuthenticationSchema,
      requestProperties: z
        .array(propertyRowSchema)
        .max(LIMITS.requestProperties, `At most ${LIMITS.requestProperties} request properties`),
      certificate: z.object({
        /** a certificate stored in the console, or key material pasted into this profile */
        source: z.enum(["stored", "pem"]),
        certificateId: z.string().max(64),
        certificatePem: multiLine(LIMITS.pem),
        privateKeyPem: multiLine(LIMITS.pem),
        privateKeyPassphrase: singleLine(LIMITS.password),
      }),
      assertion: z.object({
        algorithm: assertionAlgorithmSchema,
        lifetimeSeconds: z.string().max(10),
      }),
    }),
    /**
     * `stored`: which secrets the saved profile already holds (the server overwrites this with the
     * truth before validating); `clear`: secrets the admin asked to remove.
     */
    secrets: z.object({
      stored: z.object(Object.fromEntries(secretFields.map((f) => [f, z.boolean()])) as Record<SecretField, z.ZodBoolean>),
      clear: z.array(z.enum(secretFields)).max(secretFields.length),
    }),
  })
  .superRefine((input, ctx) => applyProfileRules(input, (path, message) => ctx.addIssue({ code: "custom", path, message })));

export type ProfileInput = z.infer<typeof profileSchema>;
export type Report = (path: (string | number)[], message: string) => void;

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const guidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const domainPattern = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const propertyKeyPattern = /^[^\s=:#!]+$/;

/** A secret is available when typed now, or stored and not being cleared. */
export function secretAvailable(input: ProfileInput, field: SecretField, typed: string): boolean {
  if (typed.length > 0) return true;
  return input.secrets.stored[field] && !input.secrets.clear.includes(field);
}

export interface ResolvedConnection {
  address: MailServerAddress;
  port: number;
}

/** Host and effective port, or undefined when the fields do not parse (their errors are reported by the rules). */
export function resolveConnection(connection: ProfileInput["connection"]): ResolvedConnection | undefined {
  const parsed = parseMailServerUrl(connection.mailServerUrl);
  if (!parsed.ok) return undefined;
  const typedPort = connection.port.trim() === "" ? undefined : parsePort(connection.port.trim());
  if (connection.port.trim() !== "" && typedPort === undefined) return undefined;
  const port = typedPort ?? parsed.value.port ?? defaultPort(connection.protocol, connection.security);
  return { address: parsed.value, port };
}

export function connectionContext(input: ProfileInput): ConnectionContext | undefined {
  const resolved = resolveConnection(input.connection);
  if (!resolved) return undefined;
  return {
    protocol: input.connection.protocol,
    security: input.connection.security,
    storeName: resolved.address.scheme ?? input.connection.protocol,
    port: resolved.port,
    authType: input.authentication.type,
  };
}

function checkRows(
  rows: { key: string; value: string }[],
  path: (string | number)[],
  report: Report,
  maxValue: (key: string) => number,
) {
  const seen = new Map<string, number>();
  rows.forEach((row, index) => {
    const key = row.key.trim();
    if (!key) report([...path, index, "key"], "Enter a key, or remove this row");
    else if (key.length > LIMITS.propertyKey) report([...path, index, "key"], `At most ${LIMITS.propertyKey} characters`);
    else if (!propertyKeyPattern.test(key) || controlChars.test(key)) {
      report([...path, index, "key"], "A key has no spaces, '=', ':' or control characters");
    } else if (seen.has(key)) report([...path, index, "key"], `Duplicate key: "${key}" is already in row ${seen.get(key)! + 1}`);
    else seen.set(key, index);
    const max = maxValue(key);
    if (row.value.length > max) report([...path, index, "value"], `At most ${max.toLocaleString("en-US")} characters`);
    else if (controlChars.test(row.value))
      report([...path, index, "value"], "Line breaks and control characters are not allowed here");
  });
}

const pemBlock = (label: string) => new RegExp(`-----BEGIN ${label}-----[\\s\\S]+?-----END ${label}-----`);

/** Cross-field rules, shared by the form schema and the document schema. */
export function applyProfileRules(input: ProfileInput, report: Report) {
  const { connection, authentication: auth } = input;

  // Connection
  const parsed = parseMailServerUrl(connection.mailServerUrl);
  const portText = connection.port.trim();
  const typedPort = portText === "" ? undefined : parsePort(portText);
  if (portText !== "" && typedPort === undefined) report(["connection", "port"], "Enter a whole number from 1 to 65535");
  if (!parsed.ok) report(["connection", "mailServerUrl"], parsed.message);
  else {
    const contradiction = findMailServerContradiction(parsed.value, { ...connection, port: typedPort });
    if (contradiction) report(["connection", "mailServerUrl"], contradiction);
  }
  if (connection.security === "none" && auth.type === "oauth2") {
    report(
      ["connection", "security"],
      "None (plain text) is allowed only with Basic authentication: an OAuth2 token must travel over TLS",
    );
  }

  checkRows(connection.additionalProperties, ["connection", "additionalProperties"], report, () => LIMITS.propertyValue);
  const context = connectionContext(input);
  if (context) {
    connection.additionalProperties.forEach((row, index) => {
      if (!row.key.trim()) return;
      const error = analyzeProperty(row.key.trim(), row.value.trim(), context).findings.find((f) => f.level === "error");
      if (error) report(["connection", "additionalProperties", index, "value"], error.message);
    });
  }
  if (connection.trustedCaPem.trim() && !pemBlock("CERTIFICATE").test(connection.trustedCaPem)) {
    report(["connection", "trustedCaPem"], "Paste one or more PEM certificates (-----BEGIN CERTIFICATE----- …)");
  }

  // Authentication
  if (auth.type === "basic") {
    if (!auth.username.trim()) report(["authentication", "username"], "Enter the user name");
    if (!secretAvailable(input, "password", auth.password)) report(["authentication", "password"], "Enter the password");
    return;
  }

  if (!auth.username.trim()) report(["authentication", "username"], "Enter the mailbox address, e.g. support@contoso.com");
  else if (!emailPattern.test(auth.username.trim())) {
    report(["authentication", "username"], "Enter the mailbox as an email address, e.g. support@contoso.com");
  }

  const tenantId = auth.tenantId.trim();
  if (tenantId && !guidPattern.test(tenantId) && !domainPattern.test(tenantId)) {
    report(
      ["authentication", "tenantId"],
      "Enter the Directory (tenant) ID as a GUID, or a verified domain such as contoso.onmicrosoft.com",
    );
  }
  const tokenUrl = auth.tokenUrl.trim();
  if (!tokenUrl)
    report(
      ["authentication", "tokenUrl"],
      "Enter the token URL, e.g. https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token",
    );
  else {
    const hasPlaceholder = TENANT_PLACEHOLDERS.some((p) => tokenUrl.includes(p));
    if (hasPlaceholder && !tenantId)
      report(["authentication", "tenantId"], "The token URL contains TENANT_ID: enter the Directory (tenant) ID");
    const tokenUrlError = checkTokenUrl(resolveTokenUrl(tokenUrl, tenantId || "tenant"));
    if (tokenUrlError) report(["authentication", "tokenUrl"], tokenUrlError);
  }

  const rows = auth.requestProperties;
  const path = ["authentication", "requestProperties"];
  checkRows(rows, path, report, (key) => (key === "client_assertion" ? LIMITS.clientAssertion : LIMITS.propertyValue));
  const indexOf = (key: string) => rows.findIndex((r) => r.key.trim() === key);
  const requireRow = (key: string, message: string, accept?: (value: string) => string | undefined) => {
    const index = indexOf(key);
    if (index === -1) report([...path], `Add the ${key} row: ${message}`);
    else if (!rows[index]!.value.trim()) report([...path, index, "value"], message);
    else if (accept) {
      const problem = accept(rows[index]!.value.trim());
      if (problem) report([...path, index, "value"], problem);
    }
  };
  requireRow("grant_type", "Enter client_credentials", (v) =>
    v === "client_credentials" ? undefined : "The console uses the client-credentials grant: enter client_credentials",
  );
  requireRow("client_id", "Enter the Application (client) ID");
  requireRow("scope", "Enter the scope, e.g. https://outlook.office365.com/.default");

  const secretRow = (key: "client_secret" | "client_assertion", message: string) => {
    const index = indexOf(key);
    if (index === -1) report([...path], `Add the ${key} row: ${message}`);
    else if (!secretAvailable(input, key, rows[index]!.value)) report([...path, index, "value"], message);
  };
  const forbidRow = (key: string, message: string) => {
    const index = indexOf(key);
    if (index !== -1) report([...path, index, "key"], message);
  };
  if (auth.method === "client_secret") {
    secretRow("client_secret", "Enter the client secret's Value (not its Secret ID)");
    forbidRow("client_assertion", "Client secret (Method 1) sends no client_assertion: remove this row or change the method");
    forbidRow(
      "client_assertion_type",
      "Client secret (Method 1) sends no client_assertion_type: remove this row or change the method",
    );
  } else {
    requireRow("client_assertion_type", `Enter ${CLIENT_ASSERTION_TYPE}`, (v) =>
      v === CLIENT_ASSERTION_TYPE ? undefined : `Must be ${CLIENT_ASSERTION_TYPE}`,
    );
    forbidRow("client_secret", "Method 2 authenticates with a certificate: remove the client_secret row or choose Client secret");
    if (auth.method === "client_assertion") {
      secretRow("client_assertion", "Paste the signed client assertion (a JWT)");
    } else {
      forbidRow("client_assertion", "The console signs a fresh assertion for every request: remove this row");
    }
  }
  if (auth.method === "client_certificate") {
    const cert = auth.certificate;
    if (cert.source === "stored") {
      if (!cert.certificateId)
        report(["authentication", "certificate", "certificateId"], "Choose a certificate, or generate one under Certificates");
    } else if (!cert.certificatePem.trim())
      report(["authentication", "certificate", "certificatePem"], "Paste the certificate (PEM)");
    else if (!pemBlock("CERTIFICATE").test(cert.certificatePem)) {
      report(["authentication", "certificate", "certificatePem"], "Paste a PEM certificate (-----BEGIN CERTIFICATE----- …)");
    }
    if (cert.source === "stored") {
      // the stored certificate carries its own key
    } else if (!secretAvailable(input, "private_key", cert.privateKeyPem)) {
      report(["authentication", "certificate", "privateKeyPem"], "Paste the certificate's private key (PEM)");
    } else if (cert.privateKeyPem && !pemBlock("(?:RSA |ENCRYPTED )?PRIVATE KEY").test(cert.privateKeyPem)) {
      report(["authentication", "certificate", "privateKeyPem"], "Paste a PEM private key (-----BEGIN PRIVATE KEY----- …)");
    }
    const lifetime = auth.assertion.lifetimeSeconds.trim();
    if (lifetime && !(/^\d+$/.test(lifetime) && Number(lifetime) >= 60 && Number(lifetime) <= 600)) {
      report(["authentication", "assertion", "lifetimeSeconds"], "Enter a lifetime from 60 to 600 seconds");
    }
  }
}

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** The token URL must be https; plain http only to this machine, for testing. */
export function checkTokenUrl(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "Enter a full URL, e.g. https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token";
  }
  if (parsed.protocol === "http:" && !LOCAL_HOSTS.has(parsed.hostname)) {
    return "The token URL must use https:// (plain http is allowed only for localhost)";
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return "The token URL must use https://";
  if (parsed.username || parsed.password) return "Do not put credentials in the token URL";
  if (parsed.hash) return "A token URL has no #fragment";
  return undefined;
}
