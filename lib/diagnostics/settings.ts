/**
 * What a Test actually does with a profile: host, port, TLS mode, timeouts, certificate checks and
 * login mechanisms, after the JavaMail properties the console honours (lib/profiles/javamail.ts) are
 * applied. Also the "applied / ignored" report the result panel shows, so the admin sees which of
 * the pasted properties changed the test and why the others did not. Client-safe: no Node imports.
 */
import { analyzeProperty, type ConnectionContext } from "@/lib/profiles/javamail";
import { connectionContext, resolveConnection, type ProfileInput } from "@/lib/profiles/schema";
import type { PropertyReport } from "@/lib/diagnostics/types";

export type TlsVersion = "TLSv1" | "TLSv1.1" | "TLSv1.2" | "TLSv1.3";
const TLS_VERSIONS: readonly TlsVersion[] = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"];

export interface TlsPolicy {
  /**
   * "default": the chain must lead to a trusted CA. "all" (ssl.trust=*): any chain is accepted.
   * A host list (ssl.trust=a b): JavaMail's MailSSLSocketFactory accepts any chain from those hosts
   * and refuses every other host ("Server is not trusted").
   */
  trust: "default" | "all" | string[];
  /** ssl.checkserveridentity (Angus Mail 2.x default: true) */
  checkServerIdentity: boolean;
  minVersion: TlsVersion;
  maxVersion: TlsVersion;
}

export type LoginMechanism = "XOAUTH2" | "PLAIN" | "LOGIN";

export interface TestSettings {
  protocol: "imap" | "pop3";
  host: string;
  port: number;
  security: "tls" | "starttls" | "none";
  /** mail.<store>.connectiontimeout, when set to more than 0 */
  connectTimeoutMs?: number;
  /** mail.<store>.timeout: the wait for any one answer, when set to more than 0 */
  readTimeoutMs?: number;
  tls: TlsPolicy;
  /** auth.mechanisms, upper case, in order; undefined = JavaMail's default order */
  mechanisms?: string[];
  /** auth.<mechanism>.disable */
  disabled: Record<LoginMechanism, boolean>;
}

export interface PropertyFindingSummary {
  key: string;
  level: "error" | "warning" | "info";
  message: string;
}

export interface ResolvedSettings {
  /** undefined when the mail server URL or port do not parse (the profile check reports that) */
  settings?: TestSettings;
  properties: PropertyReport;
  findings: PropertyFindingSummary[];
}

const isTrue = (value: string) => value.trim().toLowerCase() === "true";
const formatMs = (ms: number) => `${ms.toLocaleString("en-US")} ms`;

/** The effect an honoured property has on this Test, or why it has none (then it is listed as ignored). */
function effectOf(suffix: string, value: string, ctx: ConnectionContext): { effect: string } | { reason: string } {
  const v = value.trim();
  switch (suffix) {
    case "port":
    case "socketFactory.port":
      return { effect: `Port ${v} (the connection's port)` };
    case "ssl.enable":
      return isTrue(v) ? { effect: "Implicit TLS from the first byte" } : { effect: "No implicit TLS" };
    case "socketFactory.class":
      return v === "javax.net.ssl.SSLSocketFactory"
        ? { effect: "Implicit TLS from the first byte (the legacy way of saying ssl.enable=true)" }
        : { reason: "A custom socket factory cannot run here; the console uses its own TLS settings" };
    case "socketFactory.fallback":
      return isTrue(v)
        ? {
            reason:
              "Not followed on purpose: the console never falls back to plain text when TLS fails (JavaMail would, silently)",
          }
        : { effect: "No fallback to a plain socket when TLS fails" };
    case "starttls.enable":
      if (ctx.security === "tls") return { reason: "No effect: the connection is already TLS from the start" };
      return isTrue(v) ? { effect: "STARTTLS before the login" } : { effect: "No STARTTLS" };
    case "starttls.required":
      if (ctx.security === "tls") return { reason: "No effect: the connection is already TLS from the start" };
      if (!isTrue(v) && ctx.security === "starttls")
        return { reason: "With Security STARTTLS the console always requires the upgrade and never continues in plain text" };
      return isTrue(v)
        ? { effect: "STARTTLS required: the test fails when the server does not offer it" }
        : { effect: "STARTTLS not required" };
    case "connectiontimeout":
      return Number(v) > 0
        ? { effect: `TCP connect timeout ${formatMs(Number(v))}` }
        : { reason: "0 means wait forever in JavaMail; the console keeps its own limit" };
    case "timeout":
      return Number(v) > 0
        ? { effect: `Read timeout ${formatMs(Number(v))}: the longest wait for the TLS handshake, the greeting and each answer` }
        : { reason: "0 means wait forever in JavaMail; the console keeps its own limit" };
    case "ssl.trust":
      return v === "*"
        ? { effect: "Certificate chain not checked: any certificate is accepted (dangerous)" }
        : {
            effect: `Certificate chain not checked for ${v.split(/\s+/).join(", ")}; any other host is refused, as JavaMail does`,
          };
    case "ssl.checkserveridentity":
      return isTrue(v)
        ? { effect: "The certificate must name the server (the default)" }
        : { effect: "Host name not checked against the certificate (dangerous)" };
    case "ssl.protocols": {
      const range = tlsRange(v);
      return range ? { effect: `TLS versions ${range.minVersion}–${range.maxVersion}` } : { reason: "No TLS version listed" };
    }
    case "auth.mechanisms":
      return {
        effect: `Login mechanisms tried in this order: ${v
          .toUpperCase()
          .split(/[\s,]+/)
          .filter(Boolean)
          .join(", ")}`,
      };
    case "auth.xoauth2.disable":
      if (ctx.authType === "basic")
        return isTrue(v)
          ? { effect: "XOAUTH2 not used (Basic authentication uses a password anyway)" }
          : { reason: "No effect with Basic authentication" };
      return isTrue(v) ? { effect: "XOAUTH2 disabled" } : { effect: "XOAUTH2 enabled" };
    case "auth.plain.disable":
      return isTrue(v) ? { effect: "AUTH PLAIN not used" } : { effect: "AUTH PLAIN allowed" };
    case "auth.login.disable":
      return isTrue(v)
        ? { effect: ctx.protocol === "pop3" ? "USER/PASS not used" : "AUTHENTICATE LOGIN not used" }
        : { effect: ctx.protocol === "pop3" ? "USER/PASS allowed" : "AUTHENTICATE LOGIN allowed" };
    case "auth.xoauth2.two.line.authentication.format":
      return isTrue(v)
        ? { effect: "AUTH XOAUTH2 in two steps (AUTH XOAUTH2, then the token), as Microsoft requires" }
        : { reason: "The console always sends AUTH XOAUTH2 in two steps: Microsoft refuses the one-line form" };
    default:
      return { reason: "Understood, but it does not change a connection test" };
  }
}

/** ssl.protocols as the min–max range Node can enforce (a gap such as "TLSv1 TLSv1.3" becomes its hull). */
function tlsRange(value: string): { minVersion: TlsVersion; maxVersion: TlsVersion } | undefined {
  const listed = value.split(/[\s,]+/).filter((v): v is TlsVersion => (TLS_VERSIONS as readonly string[]).includes(v));
  if (!listed.length) return undefined;
  const indexes = listed.map((v) => TLS_VERSIONS.indexOf(v));
  return { minVersion: TLS_VERSIONS[Math.min(...indexes)]!, maxVersion: TLS_VERSIONS[Math.max(...indexes)]! };
}

export function resolveTestSettings(profile: ProfileInput): ResolvedSettings {
  const properties: PropertyReport = { applied: [], ignored: [] };
  const findings: PropertyFindingSummary[] = [];
  const ctx = connectionContext(profile);
  const resolved = resolveConnection(profile.connection);
  const honoured = new Map<string, string>();

  for (const row of profile.connection.additionalProperties) {
    const key = row.key.trim();
    if (!key) continue;
    const value = row.value.trim();
    if (!ctx) {
      properties.ignored.push({ key, reason: "Not evaluated: the mail server or port is not valid" });
      continue;
    }
    const analysis = analyzeProperty(key, value, ctx);
    for (const finding of analysis.findings) findings.push({ key, level: finding.level, message: finding.message });
    if (analysis.status !== "honoured") {
      properties.ignored.push({ key, reason: analysis.note?.replace(/^Not used: /, "") ?? "Not used by this console" });
      continue;
    }
    if (analysis.findings.some((f) => f.level === "error")) {
      properties.ignored.push({ key, reason: analysis.findings.find((f) => f.level === "error")!.message });
      continue;
    }
    const suffix = key.replace(/^mail\.[a-z0-9]+\./, "");
    const outcome = effectOf(suffix, value, ctx);
    if ("effect" in outcome) {
      properties.applied.push({ key, value, effect: outcome.effect });
      honoured.set(suffix, value);
    } else properties.ignored.push({ key, reason: outcome.reason });
  }

  if (!ctx || !resolved) return { properties, findings };

  const positive = (suffix: string) => {
    const value = honoured.get(suffix);
    return value !== undefined && Number(value) > 0 ? Number(value) : undefined;
  };
  const trustValue = honoured.get("ssl.trust")?.trim();
  const range = honoured.has("ssl.protocols") ? tlsRange(honoured.get("ssl.protocols")!) : undefined;
  const mechanisms = honoured
    .get("auth.mechanisms")
    ?.toUpperCase()
    .split(/[\s,]+/)
    .filter(Boolean);
  const disabled = (suffix: string) => honoured.has(suffix) && isTrue(honoured.get(suffix)!);

  return {
    properties,
    findings,
    settings: {
      protocol: profile.connection.protocol,
      host: resolved.address.host,
      port: resolved.port,
      security: profile.connection.security,
      connectTimeoutMs: positive("connectiontimeout"),
      readTimeoutMs: positive("timeout"),
      tls: {
        trust: !trustValue ? "default" : trustValue === "*" ? "all" : trustValue.split(/\s+/).map((h) => h.toLowerCase()),
        checkServerIdentity: !(honoured.has("ssl.checkserveridentity") && !isTrue(honoured.get("ssl.checkserveridentity")!)),
        // RFC 8996 retired TLS 1.0/1.1; only an explicit ssl.protocols brings them back.
        minVersion: range?.minVersion ?? "TLSv1.2",
        maxVersion: range?.maxVersion ?? "TLSv1.3",
      },
      ...(mechanisms?.length ? { mechanisms } : {}),
      disabled: {
        XOAUTH2: disabled("auth.xoauth2.disable"),
        PLAIN: disabled("auth.plain.disable"),
        LOGIN: disabled("auth.login.disable"),
      },
    },
  };
}
