import "server-only";
/**
 * Plain words for what went wrong on the mail side: DNS, TCP, TLS, and the server's own answers
 * (IMAP NO/BAD/BYE with their response codes, POP3 -ERR variants, the XOAUTH2 error challenge),
 * each as the step's detail (one sentence: what happened), cause (why, in the admin's terms) and
 * fix (what to change). Server texts are quoted but never trusted to be free of secrets: the ledger
 * redacts every outcome before it leaves the Test.
 */
import type {
  CertificateVerdict,
  DnsOutcome,
  TcpOutcome,
  TlsDetails,
  TlsOutcome,
  TlsProblem,
} from "@/lib/diagnostics/connection";
import type { StepOutcome } from "@/lib/diagnostics/steps";
import type { ImapSessionError } from "@/lib/mail/imap-session";
import type { Pop3Error } from "@/lib/mail/pop3-client";
import type { Xoauth2ErrorChallenge } from "@/lib/mail/sasl";
import { quotedLine } from "@/lib/mail/server-text";
import { blockedAddressRefusal, testTargetRefusal } from "@/lib/net/outbound-guard";

export interface MailContext {
  protocol: "imap" | "pop3";
  host: string;
  port: number;
  security: "tls" | "starttls" | "none";
  authType: "basic" | "oauth2";
  user: string;
  clientId?: string;
  /** outlook.office365.com and the other Exchange Online hosts */
  exchangeOnline: boolean;
  /** the profile's property prefix, e.g. mail.imaps */
  propertyPrefix: string;
}

export const seconds = (ms: number) => (ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`);
const where = (ctx: Pick<MailContext, "host" | "port">) => `${ctx.host}:${ctx.port}`;
const protocolName = (ctx: Pick<MailContext, "protocol">) => (ctx.protocol === "imap" ? "IMAP" : "POP3");
const fail = (detail: string, cause: string, fix: string, data?: StepOutcome["data"]): StepOutcome => ({
  status: "fail",
  detail,
  cause,
  fix,
  ...(data ? { data } : {}),
});

const standardPorts = (ctx: Pick<MailContext, "protocol">) =>
  ctx.protocol === "imap" ? "IMAP: 993 with Security TLS, 143 with STARTTLS" : "POP3: 995 with Security TLS, 110 with STARTTLS";

// ---- DNS and TCP -------------------------------------------------------------------------------

export function explainDns(outcome: Extract<DnsOutcome, { ok: false }>, host: string, timeoutMs: number): StepOutcome {
  switch (outcome.code) {
    case "MCF_BLOCKED_ADDRESS": {
      const refusal = blockedAddressRefusal(
        host,
        outcome.blocked ?? [host],
        "correct the host (Exchange Online: outlook.office365.com)",
      );
      return fail(refusal.detail, refusal.cause, refusal.fix, { blocked: outcome.blocked ?? [] });
    }
    case "MCF_HOST_NOT_ALLOWED":
      return fail(
        `${host} is not among the hosts this console may test.`,
        testTargetRefusal(host) ?? "The operator restricted Tests to a list of hosts.",
        "Ask the operator to add the host to MCF_TEST_ALLOWED_HOSTS, or correct the Mail server URL.",
      );
    case "MCF_TIMEOUT":
      return fail(
        `No DNS answer for ${host} within ${seconds(timeoutMs)}.`,
        "The DNS server did not answer in time.",
        "Try again; if it repeats, check this server's DNS resolver and network.",
      );
    case "EAI_AGAIN":
      return fail(
        `The DNS lookup of ${host} failed temporarily (EAI_AGAIN).`,
        "The DNS server did not answer, or this server cannot reach its DNS server.",
        "Try again; if it repeats, check this server's DNS settings and outbound network.",
      );
    case "ENOTFOUND":
    case "EAI_NONAME":
    case "EAI_NODATA":
    case "EAI_FAIL":
      return fail(
        `The host name ${host} was not found (${outcome.code}).`,
        `${host} does not exist in DNS: a typo in the mail server name, or a name only an internal DNS knows.`,
        "Check the Mail server field (Exchange Online: outlook.office365.com).",
      );
    default:
      return fail(
        `The DNS lookup of ${host} failed (${outcome.code}).`,
        "The name could not be resolved.",
        "Check the Mail server field and this server's DNS settings.",
      );
  }
}

export function explainTcp(outcome: Extract<TcpOutcome, { ok: false }>, ctx: MailContext, timeoutMs: number): StepOutcome {
  const tried = outcome.attempts.map((a) => `${a.address}${a.code ? ` (${a.code})` : ""}`);
  const data = { tried };
  switch (outcome.code) {
    case "ECONNREFUSED":
      return fail(
        `Connection refused by ${where(ctx)}.`,
        `Nothing accepts connections on port ${ctx.port} of ${ctx.host} (connection refused): a wrong port, a stopped service, or a firewall that rejects the connection.`,
        `Check the port (${standardPorts(ctx)}) and that the mail service is running.`,
        data,
      );
    case "MCF_TIMEOUT":
    case "ETIMEDOUT":
      return fail(
        `No TCP connection to ${where(ctx)} within ${seconds(timeoutMs)}.`,
        "The server did not answer the connection attempt: a firewall drops it silently, or the host is down or unreachable.",
        `Check the host and port, and that this server may open outbound connections to port ${ctx.port}. ${ctx.propertyPrefix}.connectiontimeout sets this limit.`,
        data,
      );
    case "EHOSTUNREACH":
    case "ENETUNREACH":
    case "EADDRNOTAVAIL":
      return fail(
        `No network route to ${where(ctx)} (${outcome.code}).`,
        "This server has no route to the mail server's address.",
        "Check this server's network, proxy and firewall settings.",
        data,
      );
    default:
      return fail(
        `The TCP connection to ${where(ctx)} failed (${outcome.code}).`,
        "The connection could not be opened.",
        "Check the host, the port and the network in between.",
        data,
      );
  }
}

// ---- TLS ---------------------------------------------------------------------------------------

export function tlsData(
  details: TlsDetails | undefined,
  verdict: CertificateVerdict | undefined,
): NonNullable<StepOutcome["data"]> {
  const data: NonNullable<StepOutcome["data"]> = {};
  if (details) {
    data.protocol = details.protocol;
    data.cipher = details.cipher;
    const cert = details.certificate;
    if (cert) {
      data.subject = cert.subject;
      data.issuer = cert.issuer;
      data.validFrom = cert.validFrom;
      data.validTo = cert.validTo;
      if (cert.altNames) data.altNames = cert.altNames;
      data.fingerprint256 = cert.fingerprint256;
    }
  }
  if (verdict) {
    data.verification = verdict.problem
      ? `refused: ${verdict.problem}`
      : verdict.relaxed.length
        ? "accepted with relaxed checks"
        : "verified";
    if (verdict.chainError) data.chainError = verdict.chainError;
    if (verdict.hostError) data.hostError = verdict.hostError;
  }
  return data;
}

const shortDate = (iso: string | undefined) => (iso ? iso.slice(0, 10) : "?");
const cn = (dn: string | undefined) => /(?:^|, )CN=([^,]+)/.exec(dn ?? "")?.[1] ?? dn ?? "?";

export function tlsSuccess(details: TlsDetails, verdict: CertificateVerdict, ctx: MailContext): StepOutcome {
  const cert = details.certificate;
  const certText = cert
    ? `certificate ${cn(cert.subject)}, issued by ${cn(cert.issuer)}, valid until ${shortDate(cert.validTo)}`
    : "no certificate details";
  const data = tlsData(details, verdict);
  if (verdict.relaxed.length) {
    return {
      status: "warn",
      detail: `${details.protocol} (${details.cipher}), ${certText}: accepted, but ${verdict.relaxed.join("; ")}.`,
      cause:
        "A property switches off part of the certificate check, so a server in the middle could read the credentials sent over this connection.",
      fix: `Remove ${ctx.propertyPrefix}.ssl.trust and ${ctx.propertyPrefix}.ssl.checkserveridentity=false, and trust the server's CA instead (Trusted CA certificates).`,
      data,
    };
  }
  return { status: "ok", detail: `${details.protocol} (${details.cipher}), ${certText}: verified.`, data };
}

const TRUST_FIX =
  "If this is your own server, paste its CA certificate (or the self-signed certificate itself) under Connection > Trusted CA certificates; for the CLI, pass --ca-file; for every profile, set NODE_EXTRA_CA_CERTS. If a proxy inspects TLS, trust the proxy's CA. Public mail services such as Exchange Online never need this.";

export function explainTls(
  outcome: Extract<TlsOutcome, { ok: false }>,
  ctx: MailContext,
  timeoutMs: number,
  during: "implicit" | "starttls",
): StepOutcome {
  const data = tlsData(outcome.details, outcome.verdict);
  const cert = outcome.details?.certificate;
  const names = cert?.altNames ?? (cert ? `CN=${cn(cert.subject)}` : "another name");
  const problem: TlsProblem = outcome.problem;
  switch (problem) {
    case "expired":
      return fail(
        `The server's certificate expired on ${shortDate(cert?.validTo)}.`,
        `${ctx.host} presented a certificate (${cn(cert?.subject)}, issued by ${cn(cert?.issuer)}) that expired on ${cert?.validTo ?? "an earlier date"}${outcome.verdict?.hostError ? `; it also does not name ${ctx.host}` : ""}.`,
        "The mail server's administrator must renew the certificate. Check this server's clock too: a wrong date makes valid certificates look expired. Do not switch off the check with ssl.trust.",
        data,
      );
    case "not_yet_valid":
      return fail(
        `The server's certificate is valid only from ${shortDate(cert?.validFrom)}.`,
        `${ctx.host} presented a certificate that is not valid yet: the server's or this machine's clock is wrong, or the certificate was issued with a future date.`,
        "Check this server's clock and time zone (NTP); otherwise the mail server's administrator must fix the certificate.",
        data,
      );
    case "self_signed":
      return fail(
        `The server presented a self-signed certificate (${cn(cert?.subject)}).`,
        `${ctx.host}'s certificate is signed by itself, and this console does not trust it (DEPTH_ZERO_SELF_SIGNED_CERT).`,
        TRUST_FIX,
        data,
      );
    case "untrusted":
      return fail(
        `The server's certificate is not issued by a trusted certificate authority (${outcome.code ?? "untrusted"}).`,
        `${ctx.host} presented a certificate (${cn(cert?.subject)}) issued by "${cn(cert?.issuer)}", which is not a certificate authority this console trusts (system store, NODE_EXTRA_CA_CERTS, the profile's Trusted CA certificates).`,
        TRUST_FIX,
        data,
      );
    case "wrong_host":
      return fail(
        `The certificate is for ${names}, not for ${ctx.host}.`,
        `${ctx.host} presented a valid certificate for another name (${outcome.verdict?.hostError ?? "host name mismatch"}): the profile uses an alias or IP address the certificate does not list, or the connection reached another server.`,
        `Use the host name the certificate names in the Mail server field (Exchange Online: outlook.office365.com), or ask the server's administrator for a certificate that includes ${ctx.host}.`,
        data,
      );
    case "host_not_trusted":
      return fail(
        `${ctx.host} is not in ${ctx.propertyPrefix}.ssl.trust.`,
        `${ctx.propertyPrefix}.ssl.trust lists only some hosts; JavaMail then refuses every other server ("Server is not trusted: ${ctx.host}"), and so does this test.`,
        `Add ${ctx.host} to ${ctx.propertyPrefix}.ssl.trust, or better remove the property and trust the server's CA instead.`,
        data,
      );
    case "not_tls":
      return fail(
        `The server did not answer with TLS (${outcome.code}).`,
        during === "implicit"
          ? `Port ${ctx.port} does not speak TLS from the first byte: it probably expects plain text and STARTTLS.`
          : "After agreeing to STARTTLS the server did not start a TLS handshake.",
        during === "implicit"
          ? `Use Security TLS with the implicit-TLS port, or Security STARTTLS on this port (${standardPorts(ctx)}).`
          : "Check the port and the server's TLS configuration.",
        data,
      );
    case "protocol_version":
      return fail(
        `No TLS version in common with the server (${outcome.code}).`,
        "The server and this console share no TLS version: the server offers only old versions (TLS 1.0/1.1), or ssl.protocols allows none the server offers.",
        `Mail servers should offer TLS 1.2 or later (RFC 8997). Check ${ctx.propertyPrefix}.ssl.protocols; the server's administrator may need to enable TLS 1.2.`,
        data,
      );
    case "closed":
      return fail(
        "The server closed the connection during the TLS handshake.",
        `${where(ctx)} accepted the connection but closed it before TLS was established: a port that is not a TLS service, a server that refuses this client, or a firewall in between.`,
        `Check the port and Security setting (${standardPorts(ctx)}).`,
        data,
      );
    case "timeout":
      return fail(
        `No TLS handshake within ${seconds(timeoutMs)}.`,
        during === "implicit"
          ? `${where(ctx)} accepted the connection but did not answer the TLS handshake: the port probably expects plain text (servers wait silently for the client to speak), or the connection is filtered.`
          : "The server agreed to STARTTLS but did not complete the TLS handshake in time.",
        `Check the port and Security setting (${standardPorts(ctx)}). ${ctx.propertyPrefix}.timeout sets this limit.`,
        data,
      );
    case "cancelled":
      return fail("Cancelled during the TLS handshake.", "The test was stopped.", "Run the test again.", data);
    default:
      return fail(
        `The TLS handshake failed (${outcome.code ?? problem}).`,
        `${where(ctx)} and this console could not agree on TLS (${outcome.code ?? problem}): no common cipher, or the server refused the handshake.`,
        `Check the server's TLS configuration and ${ctx.propertyPrefix}.ssl.protocols.`,
        data,
      );
  }
}

// ---- authentication advice ---------------------------------------------------------------------

/** What an Exchange admin must have done for app-only IMAP/POP (docs/MICROSOFT.md#exchange-online-setup), as one fix text. */
export function exchangeChecklist(ctx: MailContext): string {
  const protocol = ctx.protocol === "imap" ? "IMAP" : "POP";
  return [
    `Check the Exchange Online set-up for ${ctx.user} (the Exchange setup assistant below has the PowerShell):`,
    `1) New-ServicePrincipal -AppId ${ctx.clientId || "<client id>"} -ObjectId <object id> was run with the Object ID of the ENTERPRISE APPLICATION (Entra admin center > Enterprise applications), not the one on the App registration page;`,
    `2) Add-MailboxPermission -Identity ${ctx.user} -User <service principal> -AccessRights FullAccess was run for THIS mailbox;`,
    `3) ${protocol} is enabled on the mailbox: Set-CASMailbox -Identity ${ctx.user} -${protocol === "IMAP" ? "ImapEnabled" : "PopEnabled"} $true;`,
    `4) the Username is the mailbox's primary address;`,
    `5) changes take up to an hour to reach every server: wait and test again.`,
    `Also check the Token claims step: without the ${protocol}.AccessAsApp role (application permission with admin consent) Exchange refuses every token.`,
  ].join(" ");
}

function describeChallenge(challenge: Xoauth2ErrorChallenge | undefined): string {
  if (!challenge) return "";
  const parts = [
    challenge.status && `status ${challenge.status}`,
    challenge.schemes && `schemes ${challenge.schemes}`,
    challenge.scope && `scope ${challenge.scope}`,
  ].filter(Boolean);
  return parts.length ? ` The server's XOAUTH2 error: ${parts.join(", ")}.` : "";
}

function challengeData(challenge: Xoauth2ErrorChallenge | undefined): NonNullable<StepOutcome["data"]> {
  return challenge ? { xoauth2Error: challenge.json } : {};
}

function oauthRefused(
  ctx: MailContext,
  serverText: string,
  challenge: Xoauth2ErrorChallenge | undefined,
  data: NonNullable<StepOutcome["data"]>,
): StepOutcome {
  return fail(
    `The server refused the token for ${ctx.user} (${serverText}).`,
    `The token was issued, but the mail server would not let the app open ${ctx.user}.${describeChallenge(challenge)} With Exchange Online this means the app has no access to this mailbox yet, or the token lacks the ${ctx.protocol === "imap" ? "IMAP" : "POP"}.AccessAsApp role.`,
    exchangeChecklist(ctx),
    { ...data, ...challengeData(challenge) },
  );
}

function passwordRefused(ctx: MailContext, serverText: string, data: NonNullable<StepOutcome["data"]>): StepOutcome {
  if (ctx.exchangeOnline) {
    return fail(
      `Exchange Online refused the password login for ${ctx.user} (${serverText}).`,
      "Microsoft has retired Basic authentication (user name and password) for IMAP and POP in Exchange Online: the login is refused even with the right password.",
      "Switch the profile to OAuth2 (client secret or certificate) and grant the app access to the mailbox (Exchange setup assistant).",
      data,
    );
  }
  return fail(
    `The server refused the user name or password for ${ctx.user} (${serverText}).`,
    "The user name or password is wrong, the account is locked or disabled, or password logins are not allowed for it.",
    "Check the Username and Password (re-type the password: a blank field keeps the stored one).",
    data,
  );
}

const notConnectedFix = (ctx: MailContext) =>
  ctx.authType === "oauth2"
    ? exchangeChecklist(ctx)
    : "Exchange Online answers this also to a wrong password, and it has retired Basic authentication for IMAP: switch the profile to OAuth2.";

// ---- not a mail server --------------------------------------------------------------------------

/** What the first line of another service suggests it is, to name it in the cause. */
function otherService(line: string, ctx: Pick<MailContext, "protocol">): string | undefined {
  if (/^SSH-\d/.test(line)) return "an SSH server";
  if (/^HTTP\/\d/i.test(line)) return "a web server";
  if (/^220[ -]/.test(line)) return "an SMTP or FTP server";
  if (ctx.protocol === "imap" && /^(\+OK|-ERR)\b/i.test(line)) return "a POP3 server";
  if (ctx.protocol === "pop3" && /^\* (OK|PREAUTH|BYE)\b/i.test(line)) return "an IMAP server";
  if (/^\\x16\\x03/.test(line)) return "a TLS server";
  return undefined;
}

/**
 * The greeting step when something else answered. Only the first line is quoted, printable and
 * bounded (quotedLine): the port may belong to any internal service, and the result must not
 * become a way to read that service's answers.
 */
function notAMailServer(
  ctx: MailContext,
  firstLine: string | undefined,
  reason: string,
  data: NonNullable<StepOutcome["data"]>,
): StepOutcome {
  const quoted = firstLine === undefined ? undefined : quotedLine(firstLine);
  const why = reason.replace(/^The server /, "it ").replace(/\.$/, "");
  const seen =
    quoted === undefined
      ? why.charAt(0).toLowerCase() + why.slice(1)
      : quoted
        ? `its first line starts with "${quoted}"`
        : "its first line is empty";
  const service = quoted ? otherService(quoted, ctx) : undefined;
  const { serverResponse: _whole, ...rest } = data;
  return fail(
    `The server at ${where(ctx)} did not answer like ${ctx.protocol === "imap" ? "an IMAP" : "a POP3"} server (${seen}): check the host and port.`,
    `${service ? `It looks like ${service}. ` : ""}${where(ctx)} answered, but not like ${ctx.protocol === "imap" ? "an IMAP" : "a POP3"} server: the port belongs to another service${service ? "" : ` (${ctx.protocol === "imap" ? "POP3" : "IMAP"}, SMTP, SSH, a web server)`} or expects TLS. Only the first line of its answer is kept.`,
    `Check the host, the port and the Security setting (${standardPorts(ctx)}).`,
    { ...rest, ...(quoted ? { firstLine: quoted } : {}) },
  );
}

// ---- IMAP --------------------------------------------------------------------------------------

/** An ImapSession failure, for the step it happened in. */
export function explainImap(error: ImapSessionError, ctx: MailContext, step: string, readTimeoutMs: number): StepOutcome {
  // Server words are quoted bounded and printable (quotedLine) wherever they reach the result.
  const raw = error.serverLine ?? (error.serverStatus ? `${error.serverStatus} ${error.serverText ?? ""}`.trim() : undefined);
  const line = raw === undefined ? undefined : quotedLine(raw);
  const serverWords = error.serverText === undefined ? undefined : quotedLine(error.serverText);
  const data: NonNullable<StepOutcome["data"]> = {
    ...(line ? { serverResponse: line } : {}),
    ...(error.serverResponseCode ? { responseCode: error.serverResponseCode } : {}),
    ...(error.nodeCode ? { code: error.nodeCode } : {}),
  };
  const serverText = line ?? error.message;
  switch (error.code) {
    case "not_connected":
      return fail(
        `Logged in, but the mailbox cannot be opened (${serverWords ?? "BAD User is authenticated but not connected."}).`,
        `The server accepted the login but will not open ${ctx.user}: "User is authenticated but not connected" is how Exchange Online says the authenticated identity has no access to this mailbox${ctx.authType === "basic" ? " (or the password was wrong)" : ""}.`,
        notConnectedFix(ctx),
        data,
      );
    case "auth_failed": {
      if (error.serverResponseCode === "UNAVAILABLE") {
        return fail(
          `The server could not log in right now (${serverText}).`,
          "The server reports a temporary problem ([UNAVAILABLE]).",
          "Try again later.",
          data,
        );
      }
      if (error.serverResponseCode === "PRIVACYREQUIRED") {
        return fail(
          `The server refuses a login over an unencrypted connection (${serverText}).`,
          "The server requires TLS before any login ([PRIVACYREQUIRED]).",
          `Choose Security STARTTLS (port 143) or TLS (port 993).`,
          data,
        );
      }
      if (error.serverResponseCode === "AUTHORIZATIONFAILED") {
        return fail(
          `The server authenticated the identity but it may not open ${ctx.user} (${serverText}).`,
          "The credentials are valid, but they do not grant access to this mailbox ([AUTHORIZATIONFAILED]).",
          ctx.authType === "oauth2" ? exchangeChecklist(ctx) : "Check that this user may open the mailbox named in Username.",
          data,
        );
      }
      return ctx.authType === "oauth2"
        ? oauthRefused(ctx, serverText, error.challenge, data)
        : passwordRefused(ctx, serverText, data);
    }
    case "login_disabled":
      return fail(
        "The server does not accept a password before TLS (LOGINDISABLED).",
        "The server offers LOGINDISABLED on this unencrypted connection: it accepts passwords only over TLS.",
        "Choose Security STARTTLS (port 143) or TLS (port 993).",
        data,
      );
    case "mechanism_unavailable":
      return fail(
        "No login mechanism in common with the server.",
        "The server offers none of the mechanisms this profile may use (auth.mechanisms and the auth.*.disable properties).",
        `Allow a mechanism the server offers (see the capabilities under the greeting step) in ${ctx.propertyPrefix}.auth.mechanisms.`,
        data,
      );
    case "timeout":
      return fail(
        step === "greeting"
          ? `The server sent no greeting within ${seconds(readTimeoutMs)}.`
          : `No answer from the server within ${seconds(readTimeoutMs)}.`,
        step === "greeting"
          ? `${where(ctx)} accepted the connection but stayed silent${ctx.security === "tls" ? "" : ": a port that expects implicit TLS waits for the client's TLS handshake"}.`
          : `${where(ctx)} stopped answering during the ${step} step.`,
        step === "greeting"
          ? `Check the port and Security setting (${standardPorts(ctx)}). ${ctx.propertyPrefix}.timeout sets this limit.`
          : `Try again; if it repeats, the server or a firewall in between is holding the connection. ${ctx.propertyPrefix}.timeout sets this limit.`,
        data,
      );
    case "closed":
      return fail(
        step === "greeting"
          ? "The server closed the connection before its greeting."
          : `The server closed the connection during the ${step} step.`,
        step === "greeting"
          ? `${where(ctx)} accepted the connection and closed it at once: the server refuses this client (IP block, connection limit) or the port is not an ${protocolName(ctx)} service.`
          : `The server ended the session${serverWords ? ` (${serverWords})` : ""}.`,
        step === "greeting"
          ? `Check the port (${standardPorts(ctx)}) and whether the server accepts connections from this machine.`
          : "Try again; the server's log has the reason.",
        data,
      );
    case "protocol":
      if (step === "greeting") return notAMailServer(ctx, raw, error.message, data);
      return fail(
        `The server's answer could not be understood (${serverText}).`,
        "The server sent something that is not valid IMAP.",
        "Check that the host and port are an IMAP server.",
        data,
      );
    case "tls":
      return fail(
        `TLS failed: ${error.message}.`,
        "The TLS upgrade did not complete.",
        "Check the Security setting and the server's certificate.",
        data,
      );
    case "mailbox_failed":
      return fail(
        `INBOX cannot be opened (${serverText}).`,
        `The login worked, but the server refused EXAMINE INBOX.`,
        ctx.authType === "oauth2" ? exchangeChecklist(ctx) : "Check that the user's mailbox exists and is not locked.",
        data,
      );
    case "starttls_unavailable":
      return fail(
        "The server does not offer STARTTLS.",
        "Security is STARTTLS, but the server did not offer the upgrade (no STARTTLS capability, or it refused the command); the console never continues in plain text.",
        `Use Security TLS on the implicit-TLS port (${standardPorts(ctx)}).`,
        data,
      );
    case "aborted":
      return fail("Cancelled.", "The test was stopped.", "Run the test again.", data);
    default:
      return fail(
        `The ${protocolName(ctx)} session failed (${error.code}).`,
        error.message,
        "Run the test again; if it repeats, the transcript shows the last exchange.",
        data,
      );
  }
}

// ---- POP3 --------------------------------------------------------------------------------------

export function explainPop3(error: Pop3Error, ctx: MailContext, step: string, readTimeoutMs: number): StepOutcome {
  const text = quotedLine(error.serverText ?? "");
  const response = text ? `-ERR ${text}` : error.message;
  const data: NonNullable<StepOutcome["data"]> = {
    ...(text ? { serverResponse: response } : {}),
    ...(error.responseCode ? { responseCode: error.responseCode } : {}),
    ...(error.nodeCode ? { code: error.nodeCode } : {}),
    ...(error.command ? { command: error.command } : {}),
  };
  const code = (error.responseCode ?? "").toUpperCase();
  if (error.code === "auth_failed" || (error.code === "rejected" && step === "authenticate")) {
    if (code === "SYS/TEMP")
      return fail(
        `The server could not log in right now (${response}).`,
        "The server reports a temporary problem ([SYS/TEMP]).",
        "Try again later.",
        data,
      );
    if (code === "IN-USE") {
      return fail(
        `The mailbox is in use (${response}).`,
        "Another POP3 session holds the mailbox lock ([IN-USE]): POP3 allows one session per mailbox.",
        "Close the other client (or wait for its session to end) and test again.",
        data,
      );
    }
    if (code === "LOGIN-DELAY")
      return fail(
        `The server asks to wait before the next login (${response}).`,
        "The account may log in only every so often ([LOGIN-DELAY]).",
        "Wait and test again.",
        data,
      );
    if (/plaintext|non-secure|SSL\/TLS required|requires? (SSL|TLS)/i.test(text)) {
      return fail(
        `The server refuses a password over an unencrypted connection (${response}).`,
        "The server accepts logins only over TLS.",
        "Choose Security STARTTLS (port 110) or TLS (port 995).",
        data,
      );
    }
    return ctx.authType === "oauth2" ? oauthRefused(ctx, response, error.challenge, data) : passwordRefused(ctx, response, data);
  }
  switch (error.code) {
    case "timeout":
      return fail(
        step === "greeting"
          ? `The server sent no greeting within ${seconds(readTimeoutMs)}.`
          : `No answer from the server within ${seconds(readTimeoutMs)}.`,
        step === "greeting"
          ? `${where(ctx)} accepted the connection but stayed silent${ctx.security === "tls" ? "" : ": a port that expects implicit TLS waits for the client's TLS handshake"}.`
          : `${where(ctx)} stopped answering${error.command ? ` to ${error.command}` : ""}.`,
        step === "greeting"
          ? `Check the port and Security setting (${standardPorts(ctx)}). ${ctx.propertyPrefix}.timeout sets this limit.`
          : `Try again; if it repeats, the server or a firewall in between is holding the connection. ${ctx.propertyPrefix}.timeout sets this limit.`,
        data,
      );
    case "closed":
      return fail(
        step === "greeting"
          ? "The server closed the connection before its greeting."
          : `The server closed the connection${error.command ? ` after ${error.command}` : ""}.`,
        step === "greeting"
          ? `${where(ctx)} accepted the connection and closed it at once: the server refuses this client (IP block, connection limit) or the port is not a POP3 service.`
          : "The server ended the session.",
        step === "greeting"
          ? `Check the port (${standardPorts(ctx)}) and whether the server accepts connections from this machine.`
          : "Try again; the server's log has the reason.",
        data,
      );
    case "protocol":
    case "line_too_long":
      if (step === "greeting") return notAMailServer(ctx, text || undefined, error.message, data);
      return fail(
        `The server's answer could not be understood (${error.message}).`,
        "The server sent something that is not valid POP3.",
        "Check that the host and port are a POP3 server.",
        data,
      );
    case "rejected":
      if (step === "greeting")
        return fail(
          `The server refused the session: ${response}.`,
          "The server's greeting was -ERR: it does not accept connections now.",
          "Try again later; the server's log has the reason.",
          data,
        );
      if (step === "mailbox")
        return fail(
          `STAT was refused (${response}).`,
          "The login worked, but the server would not report the mailbox size.",
          "Try again; the server's log has the reason.",
          data,
        );
      if (step === "starttls")
        return fail(
          `The server refused STLS (${response}).`,
          "Security is STARTTLS, but the server would not upgrade the connection; the console never continues in plain text.",
          `Use Security TLS on port 995.`,
          data,
        );
      return fail(
        `The server refused a command (${response}).`,
        error.message,
        "Check the transcript for the refused command.",
        data,
      );
    case "aborted":
      return fail("Cancelled.", "The test was stopped.", "Run the test again.", data);
    default:
      return fail(
        `The POP3 session failed (${error.code}).`,
        error.message,
        "Run the test again; if it repeats, the transcript shows the last exchange.",
        data,
      );
  }
}
