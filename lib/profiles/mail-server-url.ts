/**
 * Parsing of the "Mail server URL" field: a host, host:port, [IPv6]:port, or an imap://, imaps://,
 * pop3:// or pop3s:// URL. Client-safe (runs in the form and on the server).
 */
export type Protocol = "imap" | "pop3";
export type Security = "tls" | "starttls" | "none";
export type MailScheme = "imap" | "imaps" | "pop3" | "pop3s";

export interface MailServerAddress {
  /** ASCII (punycode) host name or IP address, lower case; IPv6 without brackets */
  host: string;
  port?: number;
  scheme?: MailScheme;
}

export type ParseResult = { ok: true; value: MailServerAddress } | { ok: false; message: string };

const schemes: readonly MailScheme[] = ["imap", "imaps", "pop3", "pop3s"];

export function defaultPort(protocol: Protocol, security: Security): number {
  if (protocol === "imap") return security === "tls" ? 993 : 143;
  return security === "tls" ? 995 : 110;
}

export function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}

/**
 * WHATWG URL parsing as "http://" gives the same host normalisation (IDN to punycode, lower case) in
 * browsers and Node. It also rewrites oddities such as "0x7f.1" into an IPv4 address: a pure-ASCII
 * host that does not survive unchanged is refused rather than silently replaced.
 */
function toAsciiHost(raw: string): string | undefined {
  if (raw.length === 0 || raw.length > 253 || /[\s/?#@\\%]/.test(raw)) return undefined;
  let hostname: string;
  try {
    hostname = new URL(`http://${raw}`).hostname;
  } catch {
    return undefined;
  }
  const withoutDot = hostname.replace(/\.$/, "");
  const isAscii = !/[^\x21-\x7e]/.test(raw);
  if (isAscii && withoutDot !== raw.toLowerCase().replace(/\.$/, "")) return undefined;
  if (!/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(withoutDot) || withoutDot.split(".").some((l) => l.length > 63)) return undefined;
  return withoutDot;
}

export function parseMailServerUrl(input: string): ParseResult {
  const text = input.trim();
  if (!text) return { ok: false, message: "Enter the mail server, e.g. outlook.office365.com" };
  let rest = text;
  let scheme: MailScheme | undefined;
  const schemeMatch = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(.*)$/.exec(text);
  if (schemeMatch) {
    const name = schemeMatch[1]!.toLowerCase();
    if (!schemes.includes(name as MailScheme)) {
      return {
        ok: false,
        message: `"${name}://" is not a mail URL: use imap://, imaps://, pop3:// or pop3s://, or just the host name`,
      };
    }
    scheme = name as MailScheme;
    rest = schemeMatch[2]!.replace(/\/$/, "");
  } else if (/^[A-Za-z][A-Za-z0-9+.-]*:\//.test(text)) {
    return { ok: false, message: "Write the URL as imaps://host (two slashes), or just the host name" };
  }
  if (rest.includes("@")) return { ok: false, message: "Put the user name under Authentication, not in the server URL" };
  if (/[/?#]/.test(rest)) return { ok: false, message: "A mail server URL has no path or query: use imaps://host:port" };

  let hostPart: string;
  let portText: string | undefined;
  const v6 = /^\[([^\]]+)\](?::(.*))?$/.exec(rest);
  if (v6) {
    hostPart = `[${v6[1]}]`;
    portText = v6[2];
  } else if ((rest.match(/:/g) ?? []).length > 1) {
    return { ok: false, message: "Put an IPv6 address in brackets, e.g. [2001:db8::1]:993" };
  } else {
    const colon = rest.indexOf(":");
    hostPart = colon === -1 ? rest : rest.slice(0, colon);
    portText = colon === -1 ? undefined : rest.slice(colon + 1);
  }

  let port: number | undefined;
  if (portText !== undefined) {
    port = parsePort(portText);
    if (port === undefined) return { ok: false, message: `"${portText}" is not a port: use a number from 1 to 65535` };
  }

  let host: string | undefined;
  if (hostPart.startsWith("[")) {
    try {
      host = new URL(`http://${hostPart}`).hostname.slice(1, -1);
    } catch {
      host = undefined;
    }
  } else {
    host = toAsciiHost(hostPart);
  }
  if (!host) return { ok: false, message: `"${hostPart}" is not a valid host name or IP address` };
  return { ok: true, value: { host, port, scheme } };
}

const protocolName: Record<Protocol, string> = { imap: "IMAP", pop3: "POP3" };
const securityName: Record<Security, string> = { tls: "TLS", starttls: "STARTTLS", none: "None" };

/** A URL scheme or port that contradicts the other connection fields is an error, never a silent override. */
export function findMailServerContradiction(
  address: MailServerAddress,
  settings: { protocol: Protocol; security: Security; port?: number },
): string | undefined {
  const { scheme } = address;
  if (scheme) {
    const schemeProtocol: Protocol = scheme.startsWith("imap") ? "imap" : "pop3";
    if (schemeProtocol !== settings.protocol) {
      return `The URL starts with ${scheme}://, which is ${protocolName[schemeProtocol]}, but Protocol is ${protocolName[settings.protocol]}.`;
    }
    const implicitTls = scheme.endsWith("s");
    if (implicitTls && settings.security !== "tls") {
      return `${scheme}:// means implicit TLS, but Security is ${securityName[settings.security]}: choose TLS, or write ${schemeProtocol}://.`;
    }
    if (!implicitTls && settings.security === "tls") {
      return `${scheme}:// is the plain/STARTTLS form, but Security is TLS: write ${scheme}s://, or choose STARTTLS.`;
    }
  }
  if (address.port !== undefined && settings.port !== undefined && address.port !== settings.port) {
    return `The URL names port ${address.port}, but Port is ${settings.port}: make them agree, or leave one out.`;
  }
  return undefined;
}
