/**
 * The original product's flat property style, so admins can paste what they already have:
 *
 *   Protocol=IMAP
 *   MailserverURL=outlook.office365.com
 *   MailServer Port=993
 *   mail.imap.ssl.enable=true
 *   Authentication Type=OAUTH2
 *   Username=support@contoso.com
 *   Token URL=https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token
 *   grant_type=client_credentials
 *   client_id=…
 *   scope=https://outlook.office365.com/.default
 *   client_secret=…
 *
 * Key spelling is liberal (case, spaces, underscores, dashes and dots are ignored: "Mail Server URL",
 * "MailserverURL" and "mailserver_url" are the same key); `mail.*` keys are JavaMail properties and
 * kept exactly. Missing settings are inferred where the original product would have implied them
 * (protocol and security from the port, the OAuth method from the request properties), and each
 * inference is reported as a note. Lines that mean nothing here are errors, never dropped silently.
 * The result is an mcf-profile document checked by the same schema as a JSON import.
 * Client-safe: the import dialog runs it in the browser as the admin pastes.
 */
import {
  profileDocumentSchema,
  PROFILE_FORMAT,
  PROFILE_FORMAT_VERSION,
  type ProfileDocument,
  type SecretValue,
} from "@/lib/profiles/document";
import { CLIENT_ASSERTION_TYPE, DEFAULT_SCOPE, DEFAULT_TOKEN_URL } from "@/lib/profiles/oauth-defaults";
import { parseMailServerUrl, parsePort } from "@/lib/profiles/mail-server-url";
import { nameSchema } from "@/lib/profiles/schema";
import { secretFieldOfRequestProperty } from "@/lib/profiles/secret-fields";
import { capErrors, FORBIDDEN_KEYS, IMPORT_LIMITS, type ImportError } from "@/lib/transfer/import-error";
import { jsonPath } from "@/lib/transfer/json-path";

export interface FlatPropertiesOptions {
  /** the profile's name when the text has no Name= line (a name given here wins over the line) */
  name?: string;
}

export type FlatPropertiesResult =
  { ok: true; document: ProfileDocument; notes: string[] } | { ok: false; errors: ImportError[] };

type Setting =
  | "name"
  | "description"
  | "protocol"
  | "mailServerUrl"
  | "port"
  | "security"
  | "useSsl"
  | "authType"
  | "authMethod"
  | "method"
  | "clientAuthentication"
  | "username"
  | "password"
  | "tokenUrl"
  | "tenantId";

const REQUEST_PROPERTIES = [
  "grant_type",
  "client_id",
  "scope",
  "client_secret",
  "client_assertion_type",
  "client_assertion",
] as const;
type RequestProperty = (typeof REQUEST_PROPERTIES)[number];

/** Canonical key (lower case, no spaces, underscores, dashes or dots) → what it sets. */
const ALIASES: Record<string, Setting | { request: RequestProperty }> = {
  name: "name",
  profilename: "name",
  profile: "name",
  connectionname: "name",
  description: "description",
  protocol: "protocol",
  mailprotocol: "protocol",
  storeprotocol: "protocol",
  mailserverurl: "mailServerUrl",
  mailserver: "mailServerUrl",
  mailserverhost: "mailServerUrl",
  mailserveraddress: "mailServerUrl",
  mailhost: "mailServerUrl",
  host: "mailServerUrl",
  hostname: "mailServerUrl",
  server: "mailServerUrl",
  serverurl: "mailServerUrl",
  serveraddress: "mailServerUrl",
  url: "mailServerUrl",
  mailserverport: "port",
  port: "port",
  serverport: "port",
  mailport: "port",
  security: "security",
  connectionsecurity: "security",
  encryption: "security",
  usessl: "useSsl",
  ssl: "useSsl",
  enablessl: "useSsl",
  sslenabled: "useSsl",
  authenticationtype: "authType",
  authtype: "authType",
  authentication: "authType",
  authenticationmode: "authType",
  // "Authentication Method" means the type (Basic/OAuth2) in some screens and the OAuth method in
  // others: the value decides.
  authenticationmethod: "authMethod",
  authmethod: "authMethod",
  method: "method",
  oauthmethod: "method",
  oauth2method: "method",
  credentialtype: "method",
  clientauthentication: "clientAuthentication",
  clientauthenticationmethod: "clientAuthentication",
  username: "username",
  user: "username",
  userid: "username",
  login: "username",
  mailbox: "username",
  mailboxaddress: "username",
  email: "username",
  emailaddress: "username",
  password: "password",
  pass: "password",
  passwd: "password",
  userpassword: "password",
  tokenurl: "tokenUrl",
  tokenendpoint: "tokenUrl",
  tokenendpointurl: "tokenUrl",
  oauthtokenurl: "tokenUrl",
  oauth2tokenurl: "tokenUrl",
  accesstokenurl: "tokenUrl",
  tenantid: "tenantId",
  tenant: "tenantId",
  directoryid: "tenantId",
  directorytenantid: "tenantId",
  granttype: { request: "grant_type" },
  clientid: { request: "client_id" },
  applicationid: { request: "client_id" },
  applicationclientid: { request: "client_id" },
  appid: { request: "client_id" },
  scope: { request: "scope" },
  scopes: { request: "scope" },
  clientsecret: { request: "client_secret" },
  clientsecretvalue: { request: "client_secret" },
  clientassertiontype: { request: "client_assertion_type" },
  clientassertion: { request: "client_assertion" },
};

/** Own entries only: "toString" or "Constructor" must not find Object.prototype's members. */
function lookup<T>(table: Record<string, T>, key: string | number): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

export const canonicalKey = (key: string) => key.toLowerCase().replace(/[\s_.\-]/g, "");
const canonicalValue = (value: string) => value.toLowerCase().replace(/[\s_.\-/]/g, "");

interface Line {
  /** 1-based number of the line the entry starts on */
  number: number;
  key: string;
  value: string;
}

/** `\` at the end of a line continues it (odd number of backslashes), as in Java .properties files. */
function logicalLines(text: string): { number: number; text: string }[] {
  const physical = text.split(/\r\n|\r|\n/);
  const out: { number: number; text: string }[] = [];
  let current: { number: number; text: string } | undefined;
  physical.forEach((raw, index) => {
    const piece = current ? raw.replace(/^[ \t\f]+/, "") : raw;
    const trailing = /\\+$/.exec(piece)?.[0].length ?? 0;
    const continues = trailing % 2 === 1;
    const body = continues ? piece.slice(0, -1) : piece;
    if (current) current.text += body;
    else current = { number: index + 1, text: body };
    if (!continues) {
      out.push(current);
      current = undefined;
    }
  });
  if (current) out.push(current);
  return out;
}

function unescape(text: string): string {
  return text.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, escaped: string) => {
    if (escaped.length === 5) return String.fromCharCode(parseInt(escaped.slice(1), 16));
    return ({ t: "\t", n: "\n", r: "\r", f: "\f" } as Record<string, string>)[escaped] ?? escaped;
  });
}

/** Trims trailing blanks except one escaped as "\\ " (Java's way to keep a value's final space). */
function trimEnd(text: string): string {
  const trimmed = text.replace(/\s+$/, "");
  const backslashes = /\\+$/.exec(trimmed)?.[0].length ?? 0;
  return backslashes % 2 === 1 && trimmed.length < text.length ? text.slice(0, trimmed.length + 1) : trimmed;
}

/** Splits at the first unescaped "=" or ":" (keys such as "MailServer Port" contain spaces, so whitespace is no separator). */
function splitLine(text: string): { key: string; value: string } | undefined {
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "\\") {
      i++;
      continue;
    }
    if (ch === "=" || ch === ":") {
      const key = unescape(text.slice(0, i).trim());
      // trailing blanks are paste debris; a value that really ends in a space writes it as "\ "
      const value = unescape(trimEnd(text.slice(i + 1).trimStart()));
      return key ? { key, value } : undefined;
    }
  }
  return undefined;
}

export function readFlatLines(text: string): { lines: Line[]; errors: ImportError[] } {
  const lines: Line[] = [];
  const errors: ImportError[] = [];
  for (const { number, text: raw } of logicalLines(text.replace(/^\uFEFF/, ""))) {
    const trimmed = trimEnd(raw.trimStart());
    if (!trimmed || trimmed.startsWith("#") || trimmed.startsWith("!")) continue;
    const pair = splitLine(trimmed);
    if (!pair) {
      errors.push({ path: `line ${number}`, code: "unknown_line", message: "Not a key=value line" });
      continue;
    }
    lines.push({ number, ...pair });
  }
  return { lines, errors };
}

const PROTOCOL_VALUES: Record<string, { protocol: "imap" | "pop3"; tls?: boolean }> = {
  imap: { protocol: "imap" },
  imap4: { protocol: "imap" },
  imaps: { protocol: "imap", tls: true },
  pop3: { protocol: "pop3" },
  pop: { protocol: "pop3" },
  pop3s: { protocol: "pop3", tls: true },
  pops: { protocol: "pop3", tls: true },
};

const SECURITY_VALUES: Record<string, "tls" | "starttls" | "none"> = {
  tls: "tls",
  ssl: "tls",
  ssltls: "tls",
  implicittls: "tls",
  implicit: "tls",
  starttls: "starttls",
  stls: "starttls",
  explicittls: "starttls",
  none: "none",
  plain: "none",
  plaintext: "none",
  unencrypted: "none",
};

const AUTH_TYPE_VALUES: Record<string, "basic" | "oauth2"> = {
  oauth2: "oauth2",
  oauth20: "oauth2",
  oauth: "oauth2",
  xoauth2: "oauth2",
  modernauth: "oauth2",
  modernauthentication: "oauth2",
  basic: "basic",
  basicauth: "basic",
  basicauthentication: "basic",
  password: "basic",
  plain: "basic",
  login: "basic",
};

const METHOD_VALUES: Record<string, "client_secret" | "client_certificate" | "client_assertion"> = {
  clientsecret: "client_secret",
  secret: "client_secret",
  method1: "client_secret",
  clientcertificate: "client_certificate",
  certificate: "client_certificate",
  cert: "client_certificate",
  clientassertion: "client_assertion",
  assertion: "client_assertion",
  jwt: "client_assertion",
  // the original guide's Method 2 pastes a signed assertion
  method2: "client_assertion",
};

const BOOLEAN_VALUES: Record<string, boolean> = {
  true: true,
  yes: true,
  on: true,
  "1": true,
  false: false,
  no: false,
  off: false,
  "0": false,
};

const TLS_PORTS: Record<number, "imap" | "pop3"> = { 993: "imap", 995: "pop3" };
const PLAIN_PORTS: Record<number, "imap" | "pop3"> = { 143: "imap", 110: "pop3" };

/** Where each document field came from, to point errors at the admin's own line. */
type LineMap = Map<string, Line>;

export function parseFlatProperties(text: string, options: FlatPropertiesOptions = {}): FlatPropertiesResult {
  const { lines, errors } = readFlatLines(text);
  const notes: string[] = [];
  const settings = new Map<Setting, Line>();
  const request = new Map<RequestProperty, Line>();
  const javaMail = new Map<string, Line>();
  const sources: LineMap = new Map();

  const duplicate = (line: Line, first: Line) =>
    errors.push({
      path: `line ${line.number}`,
      code: "invalid",
      message: `${line.key}: already set on line ${first.number}; keep one of them`,
    });

  for (const line of lines) {
    if (FORBIDDEN_KEYS.has(line.key)) {
      errors.push({ path: `line ${line.number}`, code: "forbidden_key", message: `"${line.key}" is not allowed as a key` });
      continue;
    }
    if (/^mail\./i.test(line.key)) {
      const first = javaMail.get(line.key);
      if (first) duplicate(line, first);
      else javaMail.set(line.key, line);
      continue;
    }
    const target = lookup(ALIASES, canonicalKey(line.key));
    if (!target) {
      errors.push({
        path: `line ${line.number}`,
        code: "unknown_line",
        message: `Unknown setting "${line.key}": expected Protocol, Mail Server URL, Port, Security, Authentication Type, Username, Password, Token URL, Tenant ID, request properties (grant_type, client_id, scope, client_secret, client_assertion_type, client_assertion) or mail.* JavaMail properties`,
      });
      continue;
    }
    if (typeof target === "string") {
      const first = settings.get(target);
      if (first) duplicate(line, first);
      else settings.set(target, line);
    } else {
      const first = request.get(target.request);
      if (first) duplicate(line, first);
      else request.set(target.request, line);
    }
  }

  const value = (setting: Setting) => settings.get(setting)?.value ?? "";
  const lineError = (line: Line, message: string) =>
    errors.push({ path: `line ${line.number}`, code: "invalid", message: `${line.key}: ${message}` });

  // Name
  const name = options.name?.trim() || value("name");
  if (options.name?.trim() && settings.has("name") && value("name") !== options.name.trim()) {
    notes.push(
      `Named "${options.name.trim()}" as given, instead of "${value("name")}" from line ${settings.get("name")!.number}`,
    );
  }
  if (!name) errors.push({ path: "$.name", code: "invalid", message: "Add a Name= line, or enter a name for the profile" });
  else if (settings.has("name") && !options.name?.trim()) sources.set("name", settings.get("name")!);

  // Mail server URL (may carry a scheme and a port)
  const urlLine = settings.get("mailServerUrl");
  const address = urlLine ? parseMailServerUrl(urlLine.value) : undefined;
  if (!urlLine)
    errors.push({
      path: "$.connection.mailServerUrl",
      code: "invalid",
      message: "Add a Mail Server URL= line, e.g. MailserverURL=outlook.office365.com",
    });
  else sources.set("connection.mailServerUrl", urlLine);

  // Port
  const portLine = settings.get("port");
  let port: number | undefined;
  if (portLine) {
    port = parsePort(portLine.value);
    if (port === undefined) lineError(portLine, "enter a whole number from 1 to 65535");
    sources.set("connection.port", portLine);
  }
  const effectivePort = port ?? (address?.ok ? address.value.port : undefined);

  // Protocol
  let protocol: "imap" | "pop3" | undefined;
  let protocolImpliesTls = false;
  const protocolLine = settings.get("protocol");
  if (protocolLine) {
    const known = lookup(PROTOCOL_VALUES, canonicalValue(protocolLine.value));
    if (!known) lineError(protocolLine, "expected IMAP or POP3");
    else {
      protocol = known.protocol;
      protocolImpliesTls = known.tls === true;
    }
    sources.set("connection.protocol", protocolLine);
  } else {
    const scheme = address?.ok ? address.value.scheme : undefined;
    const fromJavaMail = [...javaMail.keys()].map((k) => /^mail\.(imaps?|pop3s?)\./i.exec(k)?.[1]?.toLowerCase()).find(Boolean);
    const guessed =
      (scheme && (scheme.startsWith("imap") ? "imap" : "pop3")) ||
      (effectivePort !== undefined && (TLS_PORTS[effectivePort] ?? PLAIN_PORTS[effectivePort])) ||
      (fromJavaMail && (fromJavaMail.startsWith("imap") ? "imap" : "pop3")) ||
      undefined;
    if (guessed) {
      protocol = guessed;
      notes.push(`Protocol ${guessed.toUpperCase()} inferred (no Protocol= line)`);
    } else errors.push({ path: "$.connection.protocol", code: "invalid", message: "Add a Protocol= line: IMAP or POP3" });
  }

  // Security: stated > JavaMail TLS keys > URL scheme > port
  let security: "tls" | "starttls" | "none" | undefined;
  const securityLine = settings.get("security");
  const useSslLine = settings.get("useSsl");
  const javaMailTrue = (suffix: string) =>
    [...javaMail.entries()].some(
      ([k, l]) => new RegExp(`^mail\\.(imaps?|pop3s?)\\.${suffix.replace(/\./g, "\\.")}$`).test(k) && /^true$/i.test(l.value),
    );
  const javaMailSocketFactory = [...javaMail.entries()].some(
    ([k, l]) => /^mail\.(imaps?|pop3s?)\.socketFactory\.class$/.test(k) && l.value === "javax.net.ssl.SSLSocketFactory",
  );
  if (securityLine) {
    security = lookup(SECURITY_VALUES, canonicalValue(securityLine.value));
    if (!security) lineError(securityLine, "expected TLS, STARTTLS or None");
    sources.set("connection.security", securityLine);
  } else if (useSslLine) {
    const flag = lookup(BOOLEAN_VALUES, useSslLine.value.trim().toLowerCase());
    if (flag === undefined) lineError(useSslLine, "expected true or false");
    // "SSL off" in the original product still upgraded with STARTTLS; plain text must be stated
    else security = flag ? "tls" : "starttls";
    sources.set("connection.security", useSslLine);
  } else {
    const scheme = address?.ok ? address.value.scheme : undefined;
    let reason: string;
    if (javaMailTrue("ssl.enable") || javaMailSocketFactory) [security, reason] = ["tls", "from the JavaMail SSL properties"];
    else if (javaMailTrue("starttls.enable") || javaMailTrue("starttls.required"))
      [security, reason] = ["starttls", "from the JavaMail STARTTLS properties"];
    else if (protocolImpliesTls) [security, reason] = ["tls", `from Protocol=${protocolLine?.value}`];
    else if (scheme) [security, reason] = scheme.endsWith("s") ? ["tls", `from ${scheme}://`] : ["starttls", `from ${scheme}://`];
    else if (effectivePort !== undefined && TLS_PORTS[effectivePort]) [security, reason] = ["tls", `from port ${effectivePort}`];
    else if (effectivePort !== undefined && PLAIN_PORTS[effectivePort])
      [security, reason] = ["starttls", `from port ${effectivePort}`];
    else [security, reason] = ["tls", "by default"];
    notes.push(`Security ${security === "tls" ? "TLS" : "STARTTLS"} ${reason} (no Security= line)`);
  }

  // Authentication type and OAuth method
  const present = (key: RequestProperty) => request.has(key);
  let authType: "basic" | "oauth2" | undefined;
  let method: "client_secret" | "client_certificate" | "client_assertion" | undefined;
  const typeLine = settings.get("authType");
  const methodLine = settings.get("method");
  const ambiguousLine = settings.get("authMethod");
  if (typeLine) {
    authType = lookup(AUTH_TYPE_VALUES, canonicalValue(typeLine.value));
    if (!authType) lineError(typeLine, "expected OAUTH2 or BASIC");
  }
  if (methodLine) {
    method = lookup(METHOD_VALUES, canonicalValue(methodLine.value));
    if (!method) lineError(methodLine, "expected client_secret, client_certificate or client_assertion");
  }
  if (ambiguousLine) {
    const v = canonicalValue(ambiguousLine.value);
    const asType = lookup(AUTH_TYPE_VALUES, v);
    const asMethod = lookup(METHOD_VALUES, v);
    if (asType && !typeLine) authType = asType;
    else if (asMethod && !methodLine) method = asMethod;
    else lineError(ambiguousLine, "expected OAUTH2 or BASIC, or an OAuth method such as client_secret");
  }
  if (!authType && !typeLine) {
    const oauthHints = settings.has("tokenUrl") || settings.has("tenantId") || request.size > 0 || method !== undefined;
    if (oauthHints) authType = "oauth2";
    else if (settings.has("password")) authType = "basic";
    if (authType)
      notes.push(`Authentication ${authType === "oauth2" ? "OAUTH2" : "BASIC"} inferred (no Authentication Type= line)`);
    else
      errors.push({
        path: "$.authentication.type",
        code: "invalid",
        message: "Add an Authentication Type= line: OAUTH2 or BASIC",
      });
  }

  if (authType === "oauth2" && !method) {
    if (present("client_assertion") || (present("client_assertion_type") && !present("client_secret")))
      method = "client_assertion";
    else method = "client_secret";
    notes.push(
      method === "client_assertion"
        ? "Method: pasted client assertion (client_assertion_type/client_assertion lines)"
        : `Method: client secret${present("client_secret") ? " (client_secret line)" : ""}`,
    );
  }
  if (authType === "oauth2" && method === "client_certificate") {
    errors.push({
      path: `line ${(methodLine ?? ambiguousLine)!.number}`,
      code: "invalid",
      message:
        "A client certificate cannot be pasted as key=value lines: import with the pasted assertion or the client secret, or choose the certificate in the form",
    });
  }
  // The original screens show every field, so a blank one of the other authentication type is
  // just an empty box; a filled one is a contradiction worth asking about.
  const ignoreBlank = (line: Line) =>
    notes.push(
      `Line ${line.number} (${line.key}) is blank and not used with ${authType === "basic" ? "BASIC" : "OAUTH2"} authentication`,
    );
  if (authType === "basic") {
    for (const [key, line] of request) {
      if (line.value === "") {
        request.delete(key);
        ignoreBlank(line);
      } else lineError(line, `${key} is an OAuth2 request property, but Authentication Type is BASIC`);
    }
    for (const setting of ["tokenUrl", "tenantId"] as const) {
      const line = settings.get(setting);
      if (line?.value === "") ignoreBlank(line);
      else if (line) lineError(line, "only used with OAUTH2 authentication");
    }
  }
  const passwordLine = settings.get("password");
  if (authType === "oauth2" && passwordLine?.value === "") ignoreBlank(passwordLine);
  else if (authType === "oauth2" && passwordLine) lineError(passwordLine, "a password is only used with BASIC authentication");

  const secret = (line: Line | undefined): SecretValue => (line && line.value !== "" ? line.value : null);
  const usernameLine = settings.get("username");
  if (usernameLine) sources.set("authentication.username", usernameLine);

  // unknown and malformed lines were found in two passes: report them in file order
  errors.sort((a, b) => lineNumber(a.path) - lineNumber(b.path));
  if (errors.length > 0 || !protocol || !security || !authType || !urlLine) return { ok: false, errors: capErrors(errors) };

  const additionalProperties: Record<string, string> = {};
  for (const [key, line] of javaMail) {
    additionalProperties[key] = line.value;
    sources.set(`connection.additionalProperties.${key}`, line);
  }
  const description = value("description");
  if (settings.has("description")) sources.set("description", settings.get("description")!);
  const connection: ProfileDocument["connection"] = {
    protocol,
    mailServerUrl: urlLine.value,
    ...(port !== undefined ? { port } : {}),
    security,
    additionalProperties,
    trustedCaPem: null,
  };
  const base = {
    format: PROFILE_FORMAT,
    version: PROFILE_FORMAT_VERSION,
    name,
    ...(description ? { description } : {}),
    connection,
  } as const;

  let document: ProfileDocument;
  if (authType === "basic") {
    if (passwordLine) sources.set("authentication.password", passwordLine);
    document = {
      ...base,
      authentication: { type: "basic", username: usernameLine?.value ?? "", password: secret(passwordLine) },
    };
  } else {
    const requestProperties: Record<string, SecretValue> = {};
    const put = (key: RequestProperty, fallback?: string, note?: string) => {
      const line = request.get(key);
      if (line) {
        requestProperties[key] = secretFieldOfRequestProperty(key) ? secret(line) : line.value;
        sources.set(`authentication.requestProperties.${key}`, line);
      } else if (fallback !== undefined) {
        requestProperties[key] = fallback;
        if (note) notes.push(note);
      }
    };
    put(
      "grant_type",
      "client_credentials",
      "grant_type=client_credentials added (the console uses the client-credentials grant)",
    );
    put("client_id");
    put("scope", DEFAULT_SCOPE, `scope=${DEFAULT_SCOPE} added (no scope line)`);
    if (method === "client_secret") put("client_secret", undefined);
    else put("client_assertion_type", CLIENT_ASSERTION_TYPE, "client_assertion_type added");
    if (method === "client_secret" && !request.has("client_secret")) requestProperties.client_secret = null;
    if (method === "client_assertion") {
      put("client_assertion");
      if (!request.has("client_assertion")) requestProperties.client_assertion = null;
    }
    // keys of the other method stay, so the schema names the contradiction on the admin's line
    for (const key of REQUEST_PROPERTIES) if (!(key in requestProperties)) put(key);

    const tokenLine = settings.get("tokenUrl");
    if (tokenLine) sources.set("authentication.tokenUrl", tokenLine);
    else notes.push(`Token URL ${DEFAULT_TOKEN_URL} assumed (no Token URL= line)`);
    const tenantLine = settings.get("tenantId");
    if (tenantLine) sources.set("authentication.tenantId", tenantLine);
    const clientAuthLine = settings.get("clientAuthentication");
    let clientAuthentication: "client_secret_post" | "client_secret_basic" | undefined;
    if (clientAuthLine) {
      const v = canonicalValue(clientAuthLine.value);
      clientAuthentication =
        v === "clientsecretbasic" || v === "basic"
          ? "client_secret_basic"
          : v === "clientsecretpost" || v === "post"
            ? "client_secret_post"
            : undefined;
      if (!clientAuthentication)
        return {
          ok: false,
          errors: [
            {
              path: `line ${clientAuthLine.number}`,
              code: "invalid",
              message: `${clientAuthLine.key}: expected client_secret_post or client_secret_basic`,
            },
          ],
        };
    }
    document = {
      ...base,
      authentication: {
        type: "oauth2",
        username: usernameLine?.value ?? "",
        tokenUrl: tokenLine?.value ?? DEFAULT_TOKEN_URL,
        tenantId: tenantLine?.value || null,
        method: method!,
        ...(clientAuthentication && clientAuthentication !== "client_secret_post" ? { clientAuthentication } : {}),
        requestProperties,
      },
    };
  }

  const checked = profileDocumentSchema.safeParse(document);
  const schemaErrors: ImportError[] = [];
  const nameCheck = nameSchema.safeParse(name);
  if (!nameCheck.success) schemaErrors.push(toLineError(["name"], nameCheck.error.issues[0]!.message, sources));
  if (!checked.success)
    schemaErrors.push(...checked.error.issues.map((issue) => toLineError(issue.path, issue.message, sources)));
  if (!checked.success || schemaErrors.length > 0) return { ok: false, errors: capErrors(schemaErrors) };
  return { ok: true, document: checked.data, notes };
}

const lineNumber = (path: string) => (path.startsWith("line ") ? Number(path.slice(5)) : Number.MAX_SAFE_INTEGER);

/** The line to add when a required value is missing altogether. */
const FLAT_KEY_FOR: Record<string, string> = {
  name: "Name",
  "connection.mailServerUrl": "MailserverURL",
  "authentication.username": "Username",
  "authentication.password": "Password",
  "authentication.tokenUrl": "Token URL",
  "authentication.tenantId": "Tenant ID",
};

/** A schema error on the line the value came from, or on the document path when no line set it. */
function toLineError(path: readonly PropertyKey[], message: string, sources: LineMap): ImportError {
  const segments = path.map(String);
  for (let length = segments.length; length > 0; length--) {
    const line = sources.get(segments.slice(0, length).join("."));
    if (line) return { path: `line ${line.number}`, code: "invalid", message: `${line.key}: ${message}` };
  }
  // the document schema speaks of form rows; pasted text has lines
  const missingRow = /^Add the (\w+) row: (.*)$/.exec(message);
  if (missingRow) return { path: jsonPath(path), code: "invalid", message: `Add a ${missingRow[1]}= line: ${missingRow[2]}` };
  const flatKey = lookup(FLAT_KEY_FOR, segments.join("."));
  return { path: jsonPath(path), code: "invalid", message: flatKey ? `${message} (add a ${flatKey}= line)` : message };
}

/** Whether pasted text looks like key=value lines rather than JSON (the import dialog picks the parser). */
export function looksLikeFlatProperties(text: string): boolean {
  const start = text.replace(/^\uFEFF/, "").trimStart();
  return start.length > 0 && start.length <= IMPORT_LIMITS.maxBytes && !start.startsWith("{") && !start.startsWith("[");
}
