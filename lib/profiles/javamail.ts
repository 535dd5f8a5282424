/**
 * The JavaMail (Jakarta/Angus Mail) properties an admin may paste into "Additional properties":
 * what each means, its type, whether this console honours it, and how it relates to the connection
 * settings. Client-safe: the form shows the same analysis inline that the server enforces.
 * Source: docs/MICROSOFT.md#javamail-properties.
 */
import type { Protocol, Security } from "@/lib/profiles/mail-server-url";

export type PropertyType = "boolean" | "ms" | "int" | "text" | "mechanisms" | "protocols" | "object";

export interface PropertySpec {
  suffix: string;
  type: PropertyType;
  meaning: string;
  /** protocols for which JavaMail defines the key */
  protocols: readonly Protocol[];
  /** false: understood but not used by the console (told to the admin) */
  honoured: boolean;
  ignoredBecause?: string;
}

const both: readonly Protocol[] = ["imap", "pop3"];

export const propertyCatalog: readonly PropertySpec[] = [
  { suffix: "port", type: "int", meaning: "Port used when the URL names none", protocols: both, honoured: true },
  {
    suffix: "host",
    type: "text",
    meaning: "Mail server host",
    protocols: both,
    honoured: false,
    ignoredBecause: "the Mail server URL field sets the host",
  },
  {
    suffix: "user",
    type: "text",
    meaning: "Default user name",
    protocols: both,
    honoured: false,
    ignoredBecause: "the Username field sets the user",
  },
  {
    suffix: "ssl.enable",
    type: "boolean",
    meaning: "Implicit TLS from the first byte (ports 993/995)",
    protocols: both,
    honoured: true,
  },
  {
    suffix: "starttls.enable",
    type: "boolean",
    meaning: "Upgrade a plain connection with STARTTLS/STLS when offered",
    protocols: both,
    honoured: true,
  },
  {
    suffix: "starttls.required",
    type: "boolean",
    meaning: "Fail when STARTTLS/STLS is not available",
    protocols: both,
    honoured: true,
  },
  {
    suffix: "socketFactory.class",
    type: "text",
    meaning: "Socket factory; javax.net.ssl.SSLSocketFactory means implicit TLS",
    protocols: both,
    honoured: true,
  },
  {
    suffix: "socketFactory.fallback",
    type: "boolean",
    meaning: "Fall back to a plain socket when the factory fails (JavaMail default: true)",
    protocols: both,
    honoured: true,
  },
  { suffix: "socketFactory.port", type: "int", meaning: "Port used with the socket factory", protocols: both, honoured: true },
  {
    suffix: "socketFactory",
    type: "object",
    meaning: "A SocketFactory instance (Java objects only)",
    protocols: both,
    honoured: false,
    ignoredBecause: "it takes a Java object, which cannot be given as text",
  },
  {
    suffix: "ssl.socketFactory",
    type: "object",
    meaning: "An SSLSocketFactory instance (Java objects only)",
    protocols: both,
    honoured: false,
    ignoredBecause: "it takes a Java object, which cannot be given as text",
  },
  {
    suffix: "connectiontimeout",
    type: "ms",
    meaning: "TCP connect timeout in milliseconds (JavaMail default: infinite)",
    protocols: both,
    honoured: true,
  },
  {
    suffix: "timeout",
    type: "ms",
    meaning: "Socket read timeout in milliseconds (JavaMail default: infinite)",
    protocols: both,
    honoured: true,
  },
  {
    suffix: "writetimeout",
    type: "ms",
    meaning: "Socket write timeout in milliseconds",
    protocols: both,
    honoured: false,
    ignoredBecause: "the console bounds every step with its own timeout",
  },
  {
    suffix: "ssl.trust",
    type: "text",
    meaning: '"*" trusts every server certificate; otherwise a list of hosts to trust',
    protocols: both,
    honoured: true,
  },
  {
    suffix: "ssl.checkserveridentity",
    type: "boolean",
    meaning: "Check that the certificate names the server (RFC 6125)",
    protocols: both,
    honoured: true,
  },
  {
    suffix: "ssl.protocols",
    type: "protocols",
    meaning: "Allowed TLS versions, e.g. TLSv1.2 TLSv1.3",
    protocols: both,
    honoured: true,
  },
  {
    suffix: "ssl.ciphersuites",
    type: "text",
    meaning: "Allowed cipher suites (Java names)",
    protocols: both,
    honoured: false,
    ignoredBecause: "Java cipher-suite names do not map onto Node's; the defaults are used",
  },
  {
    suffix: "auth.mechanisms",
    type: "mechanisms",
    meaning: "Authentication mechanisms to try, in order (e.g. XOAUTH2)",
    protocols: both,
    honoured: true,
  },
  { suffix: "auth.xoauth2.disable", type: "boolean", meaning: "Disable XOAUTH2", protocols: both, honoured: true },
  { suffix: "auth.plain.disable", type: "boolean", meaning: "Disable AUTH PLAIN", protocols: both, honoured: true },
  { suffix: "auth.login.disable", type: "boolean", meaning: "Disable LOGIN (POP3: USER/PASS)", protocols: both, honoured: true },
  {
    suffix: "auth.ntlm.disable",
    type: "boolean",
    meaning: "Disable NTLM",
    protocols: both,
    honoured: false,
    ignoredBecause: "the console never uses NTLM",
  },
  {
    suffix: "auth.xoauth2.two.line.authentication.format",
    type: "boolean",
    meaning: "Send AUTH XOAUTH2 in two steps (needed by Microsoft POP3)",
    protocols: ["pop3"],
    honoured: true,
  },
  {
    suffix: "sasl.enable",
    type: "boolean",
    meaning: "Pick the mechanism through Java SASL",
    protocols: ["imap"],
    honoured: false,
    ignoredBecause: "the console chooses the mechanism from the authentication type",
  },
  {
    suffix: "sasl.mechanisms",
    type: "mechanisms",
    meaning: "SASL mechanisms to try",
    protocols: ["imap"],
    honoured: false,
    ignoredBecause: "the console chooses the mechanism from the authentication type",
  },
  {
    suffix: "partialfetch",
    type: "boolean",
    meaning: "Fetch message bodies in chunks",
    protocols: ["imap"],
    honoured: false,
    ignoredBecause: "the Test does not download messages",
  },
  {
    suffix: "fetchsize",
    type: "int",
    meaning: "Chunk size for partial fetch, in bytes",
    protocols: ["imap"],
    honoured: false,
    ignoredBecause: "the Test does not download messages",
  },
];

const globalCatalog: Record<string, Omit<PropertySpec, "suffix" | "protocols">> = {
  "mail.debug": {
    type: "boolean",
    meaning: "Print the protocol to the console",
    honoured: false,
    ignoredBecause: "the Test always keeps a redacted transcript",
  },
  "mail.store.protocol": {
    type: "text",
    meaning: "Default store protocol",
    honoured: false,
    ignoredBecause: "the Protocol field decides",
  },
};

export type PropertyStatus = "honoured" | "ignored" | "unknown";
export type FindingLevel = "error" | "warning" | "info";

export interface PropertyFinding {
  level: FindingLevel;
  message: string;
}

export interface PropertyAnalysis {
  key: string;
  value: string;
  status: PropertyStatus;
  spec?: { type: PropertyType; meaning: string };
  /** why an understood key is not used */
  note?: string;
  findings: PropertyFinding[];
}

export interface ConnectionContext {
  protocol: Protocol;
  security: Security;
  /** the store name JavaMail would use: the URL's scheme, or the protocol */
  storeName: string;
  port: number;
  authType: "basic" | "oauth2";
}

const booleanPattern = /^(true|false)$/i;
const TLS_VERSIONS = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"];
const MAX_MS = 3_600_000;

function typeFinding(type: PropertyType, value: string): PropertyFinding | undefined {
  if (type === "boolean" && !booleanPattern.test(value)) return { level: "error", message: "Expects true or false" };
  if ((type === "ms" || type === "int") && !/^\d{1,10}$/.test(value)) {
    return { level: "error", message: type === "ms" ? "Expects a whole number of milliseconds" : "Expects a whole number" };
  }
  if (type === "ms" && Number(value) > MAX_MS) return { level: "error", message: "At most 3600000 ms (one hour)" };
  if (type === "protocols") {
    const unknown = value.split(/[\s,]+/).filter((v) => v && !TLS_VERSIONS.includes(v));
    if (unknown.length)
      return { level: "error", message: `Unknown TLS version ${unknown.join(", ")}: use ${TLS_VERSIONS.join(", ")}` };
  }
  return undefined;
}

const isTrue = (v: string) => v.toLowerCase() === "true";

/** Rules that compare an honoured key with the connection and authentication settings. */
function relationFindings(suffix: string, value: string, ctx: ConnectionContext): PropertyFinding[] {
  const out: PropertyFinding[] = [];
  const sec = ctx.security === "tls" ? "TLS" : ctx.security === "starttls" ? "STARTTLS" : "None";
  switch (suffix) {
    case "port":
    case "socketFactory.port":
      if (Number(value) !== ctx.port)
        out.push({ level: "error", message: `Says port ${value}, but the connection uses port ${ctx.port}` });
      break;
    case "ssl.enable":
      if (isTrue(value) && ctx.security !== "tls")
        out.push({ level: "error", message: `true means implicit TLS, but Security is ${sec}` });
      if (!isTrue(value) && ctx.security === "tls")
        out.push({ level: "error", message: "false contradicts Security TLS (implicit TLS)" });
      break;
    case "socketFactory.class":
      if (value === "javax.net.ssl.SSLSocketFactory") {
        if (ctx.security !== "tls")
          out.push({ level: "error", message: `SSLSocketFactory means implicit TLS, but Security is ${sec}` });
      } else {
        out.push({ level: "warning", message: "Custom socket factories cannot run here; the console uses its own TLS settings" });
      }
      break;
    case "socketFactory.fallback":
      if (isTrue(value)) {
        out.push({
          level: "warning",
          message: "Dangerous: JavaMail would silently fall back to plain text when TLS fails. The console never does.",
        });
      }
      break;
    case "starttls.enable":
      if (isTrue(value) && ctx.security === "none")
        out.push({ level: "error", message: "STARTTLS is enabled, but Security is None: choose STARTTLS" });
      if (!isTrue(value) && ctx.security === "starttls")
        out.push({ level: "error", message: "false contradicts Security STARTTLS" });
      if (isTrue(value) && ctx.security === "tls")
        out.push({ level: "info", message: "No effect: the connection is already TLS from the start" });
      break;
    case "starttls.required":
      if (isTrue(value) && ctx.security === "none")
        out.push({ level: "error", message: "STARTTLS is required, but Security is None: choose STARTTLS" });
      if (!isTrue(value) && ctx.security === "starttls") {
        out.push({
          level: "warning",
          message: "With Security STARTTLS the console always requires the upgrade and never continues in plain text",
        });
      }
      if (isTrue(value) && ctx.security === "tls")
        out.push({ level: "info", message: "No effect: the connection is already TLS from the start" });
      break;
    case "ssl.trust":
      if (value.trim() === "*")
        out.push({
          level: "warning",
          message: "Dangerous: trusts any server certificate, so anyone in the path can read the password or token",
        });
      break;
    case "ssl.checkserveridentity":
      if (!isTrue(value)) out.push({ level: "warning", message: "Dangerous: accepts a certificate issued for another host" });
      break;
    case "ssl.protocols": {
      const old = value.split(/[\s,]+/).filter((v) => v === "TLSv1" || v === "TLSv1.1");
      if (old.length)
        out.push({
          level: "warning",
          message: `${old.join(", ")} are obsolete (RFC 8996); mail servers expect TLS 1.2 or later`,
        });
      break;
    }
    case "auth.mechanisms": {
      const mechanisms = value
        .toUpperCase()
        .split(/[\s,]+/)
        .filter(Boolean);
      if (ctx.authType === "oauth2" && !mechanisms.includes("XOAUTH2")) {
        out.push({ level: "error", message: "OAUTH2 authentication needs XOAUTH2 in this list" });
      }
      if (ctx.authType === "basic" && !mechanisms.some((m) => m === "PLAIN" || m === "LOGIN")) {
        out.push({ level: "error", message: "Basic authentication needs PLAIN or LOGIN in this list" });
      }
      break;
    }
    case "auth.xoauth2.disable":
      if (isTrue(value) && ctx.authType === "oauth2")
        out.push({ level: "error", message: "Disables XOAUTH2, which OAUTH2 authentication needs" });
      break;
    case "auth.xoauth2.two.line.authentication.format":
      if (!isTrue(value) && ctx.authType === "oauth2") {
        out.push({ level: "info", message: "The console always uses the two-step AUTH XOAUTH2 that Microsoft requires" });
      }
      break;
    case "connectiontimeout":
    case "timeout":
      if (Number(value) === 0)
        out.push({ level: "info", message: "0 means wait forever in JavaMail; the console keeps its own limit" });
      break;
  }
  return out;
}

export const storeNamesFor = (protocol: Protocol): readonly string[] =>
  protocol === "imap" ? ["imap", "imaps"] : ["pop3", "pop3s"];

export function analyzeProperty(key: string, value: string, ctx: ConnectionContext): PropertyAnalysis {
  const base = { key, value, findings: [] as PropertyFinding[] };
  const global = globalCatalog[key];
  if (global) {
    const typeIssue = typeFinding(global.type, value);
    return {
      ...base,
      status: "ignored",
      spec: { type: global.type, meaning: global.meaning },
      note: global.ignoredBecause,
      findings: typeIssue ? [typeIssue] : [],
    };
  }
  const match = /^mail\.([a-z0-9]+)\.(.+)$/.exec(key);
  if (!match) return { ...base, status: "unknown", note: "Not used by this console" };
  const [, store, suffix] = match as unknown as [string, string, string];
  const spec = propertyCatalog.find((s) => s.suffix === suffix);
  const knownStores = ["imap", "imaps", "pop3", "pop3s", "smtp", "smtps", "nntp"];
  if (!spec || !knownStores.includes(store)) return { ...base, status: "unknown", note: "Not used by this console" };

  const storeProtocol: Protocol | undefined = store.startsWith("imap") ? "imap" : store.startsWith("pop3") ? "pop3" : undefined;
  const shownSpec = { type: spec.type, meaning: spec.meaning };
  const typeIssue = typeFinding(spec.type, value);
  const findings = typeIssue ? [typeIssue] : [];
  if (storeProtocol !== ctx.protocol) {
    return {
      ...base,
      status: "ignored",
      spec: shownSpec,
      findings,
      note: `Ignored: this is a${ctx.protocol === "imap" ? "n IMAP" : " POP3"} profile`,
    };
  }
  if (!spec.protocols.includes(ctx.protocol)) {
    return {
      ...base,
      status: "ignored",
      spec: shownSpec,
      findings,
      note: `Ignored: JavaMail has no such key for ${ctx.protocol.toUpperCase()}`,
    };
  }
  if (store !== ctx.storeName) {
    return {
      ...base,
      status: "ignored",
      spec: shownSpec,
      findings,
      note: `Ignored: this profile uses the ${ctx.storeName} store${ctx.storeName.endsWith("s") ? ` (${ctx.storeName}:// URL)` : ""}, which reads mail.${ctx.storeName}.* keys`,
    };
  }
  if (!spec.honoured) return { ...base, status: "ignored", spec: shownSpec, findings, note: `Not used: ${spec.ignoredBecause}` };
  if (typeIssue) return { ...base, status: "honoured", spec: shownSpec, findings };
  return { ...base, status: "honoured", spec: shownSpec, findings: relationFindings(suffix, value, ctx) };
}

/** Honoured keys for a profile, by suffix (e.g. "ssl.trust"), for the code that applies them. */
export function honouredProperties(properties: Record<string, string>, ctx: ConnectionContext): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(properties)) {
    if (analyzeProperty(key, value, ctx).status === "honoured") out.set(key.replace(/^mail\.[a-z0-9]+\./, ""), value);
  }
  return out;
}
