import "server-only";
/**
 * The POP3 part of the Test, on the connection the orchestrator opened: greeting and CAPA, STLS,
 * authentication (two-step AUTH XOAUTH2 as Microsoft requires; USER/PASS or AUTH PLAIN for Basic),
 * STAT and QUIT, through our own Pop3Client.
 */
import type net from "node:net";
import { startTls, type TlsOutcome } from "@/lib/diagnostics/connection";
import { explainPop3, explainTls, seconds, tlsData, tlsSuccess } from "@/lib/diagnostics/explain";
import { DEFAULT_TIMEOUTS, NoCredentials, type ProbeContext } from "@/lib/diagnostics/probe-context";
import type { StepOutcome } from "@/lib/diagnostics/steps";
import type { StepId } from "@/lib/diagnostics/types";
import { Pop3Client, Pop3Error } from "@/lib/mail/pop3-client";
import { quotedLine } from "@/lib/mail/server-text";
import { GreetingGate } from "@/lib/diagnostics/transcript";

/** "SASL PLAIN XOAUTH2" → ["PLAIN", "XOAUTH2"] */
function saslMechanisms(capabilities: string[]): string[] {
  const line = capabilities.find((c) => /^SASL\b/i.test(c));
  return line
    ? line
        .split(/\s+/)
        .slice(1)
        .map((m) => m.toUpperCase())
    : [];
}

function formatSize(octets: number): string {
  if (octets < 1024) return `${octets} bytes`;
  if (octets < 1024 * 1024) return `${(octets / 1024).toFixed(1)} KB`;
  return `${(octets / 1024 / 1024).toFixed(1)} MB`;
}

export async function probePop3(ctx: ProbeContext): Promise<void> {
  const { ledger, settings, mail, readTimeoutMs: read } = ctx;
  const oauth = mail.authType === "oauth2";
  let current: StepId | null = null;
  let secured: Extract<TlsOutcome, { ok: true }> | undefined;
  let tlsFailure: StepOutcome | undefined;

  const begin = (step: StepId, budgetMs: number) => {
    current = step;
    ctx.begin(step, budgetMs);
  };
  const finish = (step: StepId, outcome: StepOutcome) => {
    ctx.end(step);
    ledger.finish(step, outcome);
    if (current === step) current = null;
  };
  const xoauth2Missing = (caps: string[], afterStls: boolean): StepOutcome | undefined => {
    if (!oauth || saslMechanisms(caps).includes("XOAUTH2")) return undefined;
    return {
      status: "fail",
      detail: `The server does not offer XOAUTH2${afterStls ? " after STLS" : ""}.`,
      cause: `The server's CAPA answer has no "SASL … XOAUTH2" (${caps.join("; ") || "no capabilities"}), so an OAuth2 token cannot be used for the login.`,
      fix: "Check the mail server: Exchange Online (outlook.office365.com) offers XOAUTH2 on port 995. If this server only takes passwords, use Basic authentication.",
      data: { capabilities: caps },
    };
  };

  let client: Pop3Client | undefined;
  const gate = new GreetingGate(ctx.transcript, "pop3", (line) => /^(\+OK|-ERR)\b/i.test(line));
  const capa = async (): Promise<string[]> => {
    try {
      return await client!.capa();
    } catch (error) {
      // RFC 2449 is optional: a server without CAPA answers -ERR and stays usable.
      if (error instanceof Pop3Error && error.code === "rejected") return [];
      throw error;
    }
  };

  try {
    begin("greeting", 2 * read);
    client = await Pop3Client.connect({
      host: settings.host,
      port: settings.port,
      secure: ctx.secure,
      socket: ctx.socket,
      startTls: async (plain: net.Socket) => {
        const { done } = startTls(plain, ctx.tlsTarget(read));
        const outcome = await done;
        if (outcome.ok) {
          secured = outcome;
          ctx.transcript.note(
            `STLS: ${outcome.details.protocol} ${outcome.details.cipher}, certificate ${outcome.details.certificate?.subject ?? "?"}`,
            "tls",
          );
          return outcome.socket;
        }
        ctx.transcript.note(`STLS: TLS failed (${outcome.problem}${outcome.code ? `, ${outcome.code}` : ""})`, "tls");
        tlsFailure = explainTls(outcome, mail, read, "starttls");
        throw Object.assign(new Error("The TLS handshake after STLS failed"), { code: outcome.code });
      },
      connectTimeoutMs: read + 1_000,
      commandTimeoutMs: read,
      deadlineMs: ctx.remainingMs() + 5_000,
      signal: ctx.signal,
      transcript: (direction, line) => gate.add(direction, line),
    });
    let caps = await capa();
    const greeting = quotedLine(client.greeting);
    const greetingData = { greeting, capabilities: caps };
    if (settings.security === "starttls") {
      if (caps.length && !caps.some((c) => c.toUpperCase() === "STLS")) {
        finish("greeting", { status: "ok", detail: `${greeting} (no STLS offered).`, data: greetingData });
        finish("starttls", {
          status: "fail",
          detail: "The server does not offer STLS.",
          cause: "Security is STARTTLS, but the server's CAPA answer has no STLS; the console never continues in plain text.",
          fix: "Use Security TLS on port 995.",
          data: { capabilities: caps },
        });
        await client.quit();
        return;
      }
      finish("greeting", { status: "ok", detail: `${greeting} (STLS offered).`, data: greetingData });
      begin("starttls", 3 * read);
      await client.stls();
      caps = await capa();
      const missing = xoauth2Missing(caps, true);
      const tls = secured ? tlsSuccess(secured.details, secured.verdict, mail) : undefined;
      if (missing) {
        finish("starttls", {
          ...missing,
          data: { ...missing.data, ...(secured ? tlsData(secured.details, secured.verdict) : {}) },
        });
        await client.quit();
        return;
      }
      finish(
        "starttls",
        tls?.status === "warn"
          ? { ...tls, data: { ...tls.data, capabilities: caps } }
          : { status: "ok", detail: `Upgraded to ${tls?.detail ?? "TLS."}`, data: { ...(tls?.data ?? {}), capabilities: caps } },
      );
    } else {
      const missing = xoauth2Missing(caps, false);
      if (missing) {
        finish("greeting", { ...missing, data: { ...missing.data, greeting } });
        await client.quit();
        return;
      }
      const offers = oauth
        ? "XOAUTH2 offered"
        : `login: ${[caps.some((c) => /^USER$/i.test(c)) ? "USER/PASS" : "", ...saslMechanisms(caps)].filter(Boolean).join(" ") || "USER/PASS"}`;
      finish("greeting", { status: "ok", detail: `${greeting} (${offers}).`, data: greetingData });
    }

    let credentials;
    try {
      credentials = await ctx.credentials(caps);
    } catch (error) {
      if (error instanceof NoCredentials) {
        client.close();
        return;
      }
      throw error;
    }
    begin("authenticate", 2 * read);
    let mechanism: string;
    if (credentials.kind === "token") {
      mechanism = "AUTH XOAUTH2 (two-step)";
      await client.authXoauth2(credentials.user, credentials.accessToken);
    } else {
      // JavaMail's POP3 order: LOGIN (= USER/PASS) before PLAIN, unless auth.mechanisms says otherwise.
      const order = (settings.mechanisms ?? ["LOGIN", "PLAIN"]).filter(
        (m): m is "LOGIN" | "PLAIN" => (m === "LOGIN" || m === "PLAIN") && !settings.disabled[m],
      );
      const sasl = saslMechanisms(caps);
      const usable = order.find((m) =>
        m === "PLAIN" ? sasl.includes("PLAIN") : !caps.length || caps.some((c) => /^USER$/i.test(c)),
      );
      if (!usable && settings.security === "none" && caps.some((c) => c.toUpperCase() === "STLS")) {
        // Dovecot and others list USER and SASL PLAIN only once the connection is encrypted.
        finish("authenticate", {
          status: "fail",
          detail: "The server offers no password login before TLS.",
          cause: `On this unencrypted connection the server lists no USER and no SASL PLAIN, but it offers STLS (${caps.join("; ")}): it accepts passwords only over TLS. The password was not sent.`,
          fix: "Choose Security STARTTLS (port 110) or TLS (port 995).",
          data: { capabilities: caps },
        });
        await client.quit();
        return;
      }
      if (!usable) {
        finish("authenticate", {
          status: "fail",
          detail: "No login mechanism in common with the server.",
          cause: `The server offers ${caps.join("; ") || "nothing"}, and the profile allows ${order.join(", ") || "no password mechanism"} (auth.mechanisms, auth.*.disable).`,
          fix: `Allow USER/PASS (LOGIN) or PLAIN in ${mail.propertyPrefix}.auth.mechanisms.`,
        });
        await client.quit();
        return;
      }
      mechanism = usable === "PLAIN" ? "AUTH PLAIN" : "USER/PASS";
      if (usable === "PLAIN") await client.authPlain(credentials.user, credentials.password);
      else await client.userPass(credentials.user, credentials.password);
    }
    finish("authenticate", { status: "ok", detail: `Logged in to ${mail.user} with ${mechanism}.`, data: { mechanism } });

    begin("mailbox", 2 * read);
    const stat = await client.stat();
    finish("mailbox", {
      status: "ok",
      detail: `The mailbox holds ${stat.messages.toLocaleString("en-US")} message${stat.messages === 1 ? "" : "s"}, ${formatSize(stat.octets)}.`,
      data: { messages: stat.messages, octets: stat.octets },
    });

    const quitBudget = Math.min(DEFAULT_TIMEOUTS.logoutMs, read);
    begin("logout", quitBudget + 1_000);
    const acknowledged = await client.quit();
    finish(
      "logout",
      acknowledged
        ? { status: "ok", detail: "QUIT acknowledged." }
        : {
            status: "warn",
            detail: `The server did not acknowledge QUIT within ${seconds(quitBudget)}; the connection was closed.`,
            cause: "The session ended without the server's +OK; this test deletes nothing, so nothing is lost.",
            fix: "Nothing to do unless this repeats.",
          },
    );
  } catch (error) {
    const step: StepId = (current as StepId | null) ?? "greeting";
    if (!ledger.isDone(step)) {
      if (tlsFailure && step === "starttls") finish(step, tlsFailure);
      else if (error instanceof Pop3Error && error.code !== "aborted") finish(step, explainPop3(error, mail, step, read));
      else if (!(error instanceof Pop3Error)) {
        finish(step, {
          status: "fail",
          detail: "The POP3 session failed unexpectedly.",
          cause: "An unexpected error ended the session.",
          fix: "Run the test again; the transcript shows the last exchange.",
        });
      }
    }
  } finally {
    client?.close();
  }
}
