import "server-only";
/**
 * The IMAP part of the Test, on the connection the orchestrator opened: greeting and capabilities,
 * STARTTLS, authentication, EXAMINE INBOX and LOGOUT through ImapSession (imapflow). imapflow runs
 * the whole login sequence inside one connect(); the step boundaries come from ImapSession's
 * progress events and from the credentials callback, which imapflow reaches only once the greeting,
 * STARTTLS and ID are done, and which waits for the token step running in parallel.
 */
import type net from "node:net";
import type { ImapTransport, ImapTransportSocket } from "imapflow";
import { startTls, type TlsOutcome } from "@/lib/diagnostics/connection";
import { explainImap, explainTls, seconds, tlsData, tlsSuccess } from "@/lib/diagnostics/explain";
import { DEFAULT_TIMEOUTS, NoCredentials, type Credentials, type ProbeContext } from "@/lib/diagnostics/probe-context";
import type { StepOutcome } from "@/lib/diagnostics/steps";
import type { StepId } from "@/lib/diagnostics/types";
import { ImapSession, ImapSessionError, type ImapAuth } from "@/lib/mail/imap-session";
import { quotedLine } from "@/lib/mail/server-text";
import { GreetingGate } from "@/lib/diagnostics/transcript";

type Secured = Extract<TlsOutcome, { ok: true }>;

/** An untagged OK, PREAUTH or BYE (RFC 9051 section 7.1): anything else is some other service. */
const isImapGreeting = (line: string) => /^\* (OK|PREAUTH|BYE)\b/i.test(line);

/** "* OK [CAPABILITY …] Dovecot ready." → "Dovecot ready." */
function greetingText(line: string): string {
  return (
    line
      .replace(/^\*\s+(OK|PREAUTH|BYE)\s+/i, "")
      .replace(/^\[[^\]]*\]\s*/, "")
      .trim() || line
  );
}

function parseId(line: string): string | undefined {
  const body = /^\* ID \((.*)\)\s*$/i.exec(line)?.[1];
  if (!body) return undefined;
  const values = [...body.matchAll(/"((?:[^"\\]|\\.)*)"|NIL/gi)].map((m) => m[1] ?? "");
  const pairs = new Map<string, string>();
  for (let i = 0; i + 1 < values.length; i += 2) pairs.set(values[i]!.toLowerCase(), values[i + 1]!);
  return [pairs.get("name"), pairs.get("version")].filter(Boolean).join(" ") || undefined;
}

/** Basic login as JavaMail would choose it: auth.mechanisms in order, minus disabled ones, then the LOGIN command. */
function passwordLogin(
  credentials: Extract<Credentials, { kind: "password" }>,
  capabilities: string[],
  ctx: ProbeContext,
): ImapAuth {
  const { mechanisms, disabled } = ctx.settings;
  const order = (mechanisms ?? ["PLAIN", "LOGIN"]).filter(
    (m): m is "PLAIN" | "LOGIN" => (m === "PLAIN" || m === "LOGIN") && !disabled[m],
  );
  const offered = order.find((m) => capabilities.includes(`AUTH=${m}`));
  return { user: credentials.user, pass: credentials.password, loginMethod: offered ? `AUTH=${offered}` : "LOGIN" };
}

export async function probeImap(ctx: ProbeContext): Promise<void> {
  const { ledger, settings, mail, readTimeoutMs: read } = ctx;
  const oauth = mail.authType === "oauth2";
  let current: StepId | null = null;
  let capabilities: string[] = [];
  /** the server's first line, escaped by ImapSession; quoted (bounded) wherever the result shows it */
  let greeting = "";
  let serverId: string | undefined;
  let socket: net.Socket = ctx.socket;
  let secured: Secured | undefined;

  const begin = (step: StepId, budgetMs: number) => {
    current = step;
    ctx.begin(step, budgetMs);
  };
  const finish = (step: StepId, outcome: StepOutcome) => {
    ctx.end(step);
    ledger.finish(step, outcome);
    if (current === step) current = null;
  };

  const greetingData = (caps: string[]) => ({
    greeting: quotedLine(greeting),
    capabilities: caps,
    ...(serverId ? { server: serverId } : {}),
  });
  /** XOAUTH2 must be offered on the connection the login runs over (after STARTTLS, where used). */
  const xoauth2Missing = (caps: string[], afterStarttls: boolean): StepOutcome | undefined => {
    if (!oauth || caps.includes("AUTH=XOAUTH2")) return undefined;
    return {
      status: "fail",
      detail: `The server does not offer XOAUTH2${afterStarttls ? " after STARTTLS" : ""}.`,
      cause: `AUTH=XOAUTH2 is not among the server's capabilities (${caps.join(" ") || "none"}), so an OAuth2 token cannot be used for the login.`,
      fix: "Check the mail server: Exchange Online (outlook.office365.com) offers XOAUTH2 on port 993 (IMAP) and 995 (POP3). If this server only takes passwords, use Basic authentication.",
      data: greetingData(caps),
    };
  };
  const greetingOutcome = (caps: string[]): StepOutcome => {
    const missing = settings.security === "starttls" ? undefined : xoauth2Missing(caps, false);
    if (missing) return missing;
    const offers =
      settings.security === "starttls"
        ? "STARTTLS offered"
        : oauth
          ? "XOAUTH2 offered"
          : `login: ${caps.filter((c) => c.startsWith("AUTH=")).join(" ") || "LOGIN"}`;
    return { status: "ok", detail: `${quotedLine(greetingText(greeting))} (${offers}).`, data: greetingData(caps) };
  };
  const starttlsOutcome = (caps: string[]): StepOutcome => {
    const missing = xoauth2Missing(caps, true);
    const tls = secured ? tlsSuccess(secured.details, secured.verdict, mail) : undefined;
    if (missing) return { ...missing, data: { ...missing.data, ...(secured ? tlsData(secured.details, secured.verdict) : {}) } };
    if (tls && tls.status === "warn") return { ...tls, data: { ...tls.data, capabilities: caps } };
    return { status: "ok", detail: `Upgraded to ${tls?.detail ?? "TLS."}`, data: { ...(tls?.data ?? {}), capabilities: caps } };
  };

  const transport: ImapTransport = {
    connect(_options, onConnect) {
      setImmediate(onConnect);
      return socket as unknown as ImapTransportSocket;
    },
    upgrade(plain, _options, onSecure) {
      const { tlsSocket, done } = startTls(plain as unknown as net.Socket, ctx.tlsTarget(read));
      socket = tlsSocket;
      void done.then((outcome) => {
        if (outcome.ok) {
          secured = outcome;
          ctx.transcript.note(
            `STARTTLS: ${outcome.details.protocol} ${outcome.details.cipher}, certificate ${outcome.details.certificate?.subject ?? "?"}`,
            "tls",
          );
          onSecure();
        } else {
          ctx.transcript.note(`STARTTLS: TLS failed (${outcome.problem}${outcome.code ? `, ${outcome.code}` : ""})`, "tls");
          finish("starttls", explainTls(outcome, mail, read, "starttls"));
        }
      });
      return tlsSocket as unknown as ImapTransportSocket;
    },
  };

  const provideCredentials = async (caps: string[]): Promise<ImapAuth> => {
    capabilities = caps;
    const preLogin: StepId = settings.security === "starttls" ? "starttls" : "greeting";
    const outcome = preLogin === "starttls" ? starttlsOutcome(caps) : greetingOutcome(caps);
    finish(preLogin, outcome);
    if (outcome.status === "fail") throw new NoCredentials(`the ${preLogin} step failed`);
    // imapflow's inactivity watchdog would end the idle connection while the token is fetched.
    const waiting = socket;
    waiting.setTimeout(0);
    const credentials = await ctx.credentials(caps);
    if (ledger.isDone("authenticate") || ctx.signal.aborted)
      throw new NoCredentials("the connection ended while the token was fetched");
    waiting.setTimeout(read);
    begin("authenticate", 2 * read);
    return credentials.kind === "token"
      ? { user: credentials.user, accessToken: credentials.accessToken }
      : passwordLogin(credentials, caps, ctx);
  };

  const handle = (error: unknown, fallback: StepId) => {
    const step = current ?? fallback;
    if (error instanceof ImapSessionError) {
      if (error.code === "no_credentials") return;
      if (error.code === "starttls_unavailable") {
        if (ledger.isRunning("greeting")) finish("greeting", greetingOutcome(capabilities));
        if (!ledger.isDone("starttls")) finish("starttls", explainImap(error, mail, "starttls", read));
        return;
      }
      if (ledger.isDone(step) || error.code === "aborted") return;
      if (current === null && step === "authenticate") {
        // Between the pre-login commands and the login: the connection ended while the token was fetched.
        finish(step, {
          status: "fail",
          detail: "The server ended the connection while the access token was being fetched.",
          cause: `${mail.host} closed the idle connection before the login (${error.message}); servers close connections that stay silent before a login.`,
          fix: "Test again; if the token step is slow, check the network to the token endpoint.",
        });
        return;
      }
      if (step === "greeting" && /^\* BYE\b/i.test(greeting)) {
        finish(step, {
          status: "fail",
          detail: `The server refused the session: ${quotedLine(greeting)}`,
          cause:
            "The server's greeting was BYE: it does not accept this connection now (overloaded, this client blocked, or the service is shutting down).",
          fix: "Try again later; the server's administrator or log has the reason.",
          data: { greeting: quotedLine(greeting) },
        });
        return;
      }
      finish(step, explainImap(error, mail, step, read));
      return;
    }
    if (!ledger.isDone(step))
      finish(step, {
        status: "fail",
        detail: "The IMAP session failed unexpectedly.",
        cause: "An unexpected error ended the session.",
        fix: "Run the test again; the transcript shows the last exchange.",
      });
  };

  let session: ImapSession | undefined;
  const gate = new GreetingGate(ctx.transcript, "imap", isImapGreeting);
  begin("greeting", 3 * read);
  try {
    session = await ImapSession.open({
      host: settings.host,
      port: settings.port,
      secure: ctx.secure,
      doSTARTTLS: settings.security === "starttls",
      transport,
      auth: provideCredentials,
      transcript: (direction, line) => {
        gate.add(direction, line);
        if (direction !== "S") return;
        const caps = /^\* CAPABILITY (.*)$/i.exec(line)?.[1] ?? /^\* OK \[CAPABILITY ([^\]]*)\]/i.exec(line)?.[1];
        if (caps) capabilities = caps.trim().split(/\s+/);
        serverId = parseId(line) ?? serverId;
      },
      onProgress: (progress) => {
        if (progress.type === "greeting") greeting = progress.line;
        else if (progress.type === "stage" && progress.stage === "starttls" && settings.security === "starttls") {
          if (ledger.isRunning("greeting")) finish("greeting", greetingOutcome(capabilities));
          begin("starttls", 4 * read);
        } else if (progress.type === "authenticated") {
          finish("authenticate", {
            status: "ok",
            detail: `Logged in to ${mail.user} with ${progress.mechanism?.replace(/^AUTH=/, "") ?? "the server's mechanism"}.`,
            data: { mechanism: progress.mechanism ?? "" },
          });
          // The post-login ID and NAMESPACE belong to the mailbox probe: Exchange Online reports a mailbox
          // it will not open ("authenticated but not connected") on the first command after the login.
          begin("mailbox", 4 * read);
        }
      },
      signal: ctx.signal,
      connectTimeoutMs: read,
      greetingTimeoutMs: read,
      commandTimeoutMs: read,
      deadlineMs: ctx.remainingMs() + 5_000,
    });
  } catch (error) {
    handle(error, "authenticate");
    return;
  }

  try {
    if (ledger.isRunning("authenticate")) finish("authenticate", { status: "ok", detail: `Logged in to ${mail.user}.` });
    if (!ledger.isDone("mailbox") && !ledger.isRunning("mailbox")) begin("mailbox", 4 * read);
    const box = await session.examineInbox({ skipList: true });
    finish("mailbox", {
      status: "ok",
      detail: `INBOX holds ${box.exists.toLocaleString("en-US")} message${box.exists === 1 ? "" : "s"} (UIDVALIDITY ${box.uidValidity}).`,
      data: { messages: box.exists, uidValidity: box.uidValidity },
    });
  } catch (error) {
    handle(error, "mailbox");
    session.close();
    return;
  }

  const logoutBudget = Math.min(DEFAULT_TIMEOUTS.logoutMs, read);
  begin("logout", logoutBudget + 1_000);
  const acknowledged = await session.logout();
  finish(
    "logout",
    acknowledged
      ? { status: "ok", detail: "Logged out." }
      : {
          status: "warn",
          detail: `The server did not acknowledge LOGOUT within ${seconds(logoutBudget)}; the connection was closed.`,
          cause: "The session ended without the server's goodbye; nothing was changed on the server.",
          fix: "Nothing to do unless this repeats.",
        },
  );
}
