import "server-only";
/**
 * The staged connection test: lint → DNS → TCP → TLS → greeting and capabilities →
 * STARTTLS → token → claims → authenticate → mailbox → logout, reported step by step.
 *
 * Two branches run at the same time after the profile check: the token branch (token request and
 * claims check) and the mail branch (DNS, TCP, TLS, greeting, STARTTLS). The mail branch opens ONE
 * connection, timing DNS, TCP and TLS itself, and hands that connection to the protocol client,
 * which reads the greeting and runs up to the login, then waits for the token branch on the open
 * connection. So the token's round trips overlap the connection's, and nothing is connected twice.
 *
 * Never throws. Every step has its own time budget, the whole test a total limit; on a timeout,
 * cancel or failure everything is closed. What leaves this module (events, result) is redacted.
 */
import { log } from "@/lib/log";
import { plainInitialResponse, xoauth2InitialResponse } from "@/lib/mail/sasl";
import { blockedAddressRefusal } from "@/lib/net/outbound-guard";
import { trustedCertificates } from "@/lib/net/trust";
import { isExchangeOnlineMailHost } from "@/lib/oauth/clouds";
import { connectionContext } from "@/lib/profiles/schema";
import { connectTcp, lookupHost, secureContextFor, startTls, type TlsTarget } from "@/lib/diagnostics/connection";
import { explainDns, explainTcp, explainTls, seconds, tlsSuccess, type MailContext } from "@/lib/diagnostics/explain";
import { probeImap } from "@/lib/diagnostics/imap-probe";
import { lintStep } from "@/lib/diagnostics/lint-step";
import { probePop3 } from "@/lib/diagnostics/pop3-probe";
import { DEFAULT_TIMEOUTS, NoCredentials, type Credentials, type ProbeContext } from "@/lib/diagnostics/probe-context";
import { Redactor } from "@/lib/diagnostics/redaction";
import { resolveTestSettings, type TestSettings } from "@/lib/diagnostics/settings";
import { StepLedger, type StepOutcome } from "@/lib/diagnostics/steps";
import { effectiveSecrets, resolvedTokenUrl, tokenRequestSettings } from "@/lib/diagnostics/subject";
import { claimsStep, runTokenStep } from "@/lib/diagnostics/token-step";
import { Transcript } from "@/lib/diagnostics/transcript";
import {
  STEP_TITLES,
  type RunTestOptions,
  type StepId,
  type TestEvent,
  type TestResult,
  type TestSubject,
} from "@/lib/diagnostics/types";

export type { RunTestOptions, TestSubject } from "@/lib/diagnostics/types";

export const DEFAULT_TOTAL_TIMEOUT_MS = 30_000;

type StopReason = "cancelled" | "limit";

export interface RunTestInternals {
  /** Overrides a step's default time budget (tests, and callers that know their network). */
  stepTimeoutMs?: Partial<Record<StepId, number>>;
}

export async function runConnectionTest(
  subject: TestSubject,
  options: RunTestOptions & RunTestInternals = {},
): Promise<TestResult> {
  const started = performance.now();
  const startedAt = (options.now ?? (() => new Date()))();
  const elapsed = () => performance.now() - started;
  const redactor = new Redactor();
  const emit = (event: TestEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // A failing listener (a closed stream) must not stop the test.
    }
  };
  const ledger = new StepLedger(emit, redactor, elapsed);
  const transcript = new Transcript(redactor, () => Math.round(elapsed()));
  const protocol = subject.profile.connection.protocol === "pop3" ? "pop3" : "imap";
  const finalize = (run: Run | undefined): TestResult => {
    const steps = ledger.all((step) => notRunReason(step, ledger, run));
    const ms = Math.round(elapsed());
    const ok = !steps.some((s) => s.status === "fail");
    const result: TestResult = redactor.value({
      ok,
      summary: summarize(steps, ok, ms, protocol, run),
      startedAt: startedAt.toISOString(),
      ms,
      protocol,
      steps,
      properties: run?.properties ?? { applied: [], ignored: [] },
      transcript: transcript.toArray(),
    });
    emit({ type: "done", result });
    return result;
  };

  let run: Run | undefined;
  try {
    run = new Run(subject, options, ledger, transcript, redactor, elapsed);
    await run.execute();
    return finalize(run);
  } catch (error) {
    // Unexpected: logged by name only (a message could quote input), shown as a generic failure.
    log.error("connection test failed unexpectedly", { name: error instanceof Error ? error.name : typeof error });
    run?.dispose();
    for (const step of ledger.running()) {
      ledger.finish(step, {
        status: "fail",
        detail: "The test stopped on an internal error.",
        cause: "An unexpected error ended the test.",
        fix: "Run the test again; if it repeats, send the server log (it holds no secrets) to support.",
      });
    }
    if (!ledger.firstFailure()) {
      ledger.finish("lint", {
        status: "fail",
        detail: "The test stopped on an internal error.",
        cause: "An unexpected error ended the test.",
        fix: "Run the test again.",
      });
    }
    return finalize(run);
  }
}

const MAIL_CHAIN: readonly StepId[] = ["dns", "tcp", "tls", "greeting", "starttls"];
const TOKEN_CHAIN: readonly StepId[] = ["token", "claims"];

/** Why a step did not run: the failure on its own branch first (a claims step waits for the token, not for DNS). */
function notRunReason(step: StepId, ledger: StepLedger, run: Run | undefined): string {
  if (run?.stopReason)
    return run.stopReason === "cancelled" ? "Not run: the test was cancelled." : "Not run: the test reached its time limit.";
  const chain = MAIL_CHAIN.includes(step) ? MAIL_CHAIN : TOKEN_CHAIN.includes(step) ? TOKEN_CHAIN : undefined;
  const failedBefore = (chain ?? [])
    .slice(0, (chain ?? []).indexOf(step))
    .map((s) => ledger.result(s))
    .find((r) => r?.status === "fail");
  const failure = failedBefore ?? ledger.firstFailure();
  return failure ? `Not run: the ${failure.title} step failed.` : "Not run.";
}

function summarize(steps: TestResult["steps"], ok: boolean, ms: number, protocol: "imap" | "pop3", run: Run | undefined): string {
  if (run?.stopReason) {
    const during = run.runningAtStop.length ? ` during ${run.runningAtStop.map((s) => STEP_TITLES[s]).join(" and ")}` : "";
    return run.stopReason === "cancelled"
      ? `Cancelled after ${seconds(ms)}${during}.`
      : `Stopped: the test did not finish within its ${seconds(run.totalMs)} limit${during}.`;
  }
  if (!ok) {
    const failure = steps.find((s) => s.status === "fail")!;
    return `${failure.title} failed: ${failure.detail}`;
  }
  const mailbox = steps.find((s) => s.step === "mailbox")?.data;
  const messages = typeof mailbox?.messages === "number" ? mailbox.messages : 0;
  const count = `${messages.toLocaleString("en-US")} message${messages === 1 ? "" : "s"}`;
  const warnings = steps.filter((s) => s.status === "warn").length;
  const warned = warnings ? `, with ${warnings} warning${warnings === 1 ? "" : "s"}` : "";
  if (protocol === "pop3") {
    const octets = typeof mailbox?.octets === "number" ? mailbox.octets : 0;
    const size =
      octets < 1024
        ? `${octets} bytes`
        : octets < 1024 * 1024
          ? `${(octets / 1024).toFixed(1)} KB`
          : `${(octets / 1024 / 1024).toFixed(1)} MB`;
    return `Connected: the mailbox holds ${count}, ${size} (${ms.toLocaleString("en-US")} ms)${warned}`;
  }
  return `Connected: INBOX holds ${count} (${ms.toLocaleString("en-US")} ms)${warned}`;
}

/** One execution of the test: its abort controllers, timers and the two branches. */
class Run {
  readonly totalMs: number;
  stopReason: StopReason | undefined;
  runningAtStop: StepId[] = [];
  properties: TestResult["properties"] | undefined;
  private readonly controller = new AbortController();
  /** the mail branch stops alone on a step timeout; the token request goes on */
  private readonly mailController = new AbortController();
  private readonly timers = new Map<StepId, NodeJS.Timeout>();
  private totalTimer: NodeJS.Timeout | undefined;
  private readonly sockets = new Set<{ destroy(): void }>();
  private readonly onExternalAbort = () => this.stop("cancelled");

  constructor(
    private readonly subject: TestSubject,
    private readonly options: RunTestOptions & RunTestInternals,
    private readonly ledger: StepLedger,
    private readonly transcript: Transcript,
    private readonly redactor: Redactor,
    private readonly elapsed: () => number,
  ) {
    this.totalMs = options.timeoutMs && options.timeoutMs > 0 ? options.timeoutMs : DEFAULT_TOTAL_TIMEOUT_MS;
    this.controller.signal.addEventListener("abort", () => this.mailController.abort(), { once: true });
  }

  /** performance.now() → this run's clock */
  private at(absolute: number): number {
    return absolute - (performance.now() - this.elapsed());
  }

  private remaining(): number {
    return this.totalMs - this.elapsed();
  }

  private budget(step: StepId, fallback: number): number {
    return this.options.stepTimeoutMs?.[step] ?? fallback;
  }

  /** A budget for an operation with its own timeout: past the total limit, the total timer decides. */
  private innerTimeout(budgetMs: number): number {
    return Math.max(1, Math.min(budgetMs, Math.ceil(this.remaining()) + 1_000));
  }

  private stop(reason: StopReason) {
    if (this.stopReason || this.controller.signal.aborted) return;
    this.stopReason = reason;
    this.runningAtStop = this.ledger.running();
    const outcome: StepOutcome =
      reason === "cancelled"
        ? {
            status: "fail",
            detail: `Cancelled after ${seconds(Math.round(this.elapsed()))}.`,
            cause: "The test was cancelled while this step was running.",
            fix: "Run the test again.",
          }
        : {
            status: "fail",
            detail: `Stopped: the whole test may take at most ${seconds(this.totalMs)}.`,
            cause: `This step was still running when the test's ${seconds(this.totalMs)} limit was reached.`,
            fix: "Run the test again; if this step is always slow, check the server and the network in between. (The CLI's --timeout sets a longer limit.)",
          };
    for (const step of this.runningAtStop) this.ledger.finish(step, outcome);
    this.controller.abort();
  }

  dispose() {
    clearTimeout(this.totalTimer);
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.options.signal?.removeEventListener("abort", this.onExternalAbort);
    // Closing is idempotent: whatever a branch left open (it should not) is closed here.
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (!this.mailController.signal.aborted) this.mailController.abort();
  }

  async execute(): Promise<void> {
    const { subject, ledger, redactor } = this;
    const profile = subject.profile;
    const secrets = effectiveSecrets(subject);
    redactor.add(...Object.values(secrets), subject.certificate?.privateKeyPem);
    if (secrets.password) {
      redactor.add(Buffer.from(secrets.password, "utf8").toString("base64"));
      try {
        redactor.add(plainInitialResponse(profile.authentication.username.trim(), secrets.password));
      } catch {
        // a NUL in the password: the login will refuse it, nothing to mask
      }
    }

    const resolved = resolveTestSettings(profile);
    this.properties = resolved.properties;
    ledger.plan();
    ledger.start("lint");
    const lint = lintStep(subject, secrets, resolved.findings);
    ledger.finish("lint", lint);
    const settings = resolved.settings;
    if (lint.status === "fail" || !settings) return;

    const oauth = profile.authentication.type === "oauth2";
    if (settings.security === "tls")
      ledger.skip("starttls", "Not needed: the connection is TLS from the first byte (implicit TLS).");
    if (settings.security === "starttls") ledger.skip("tls", "TLS starts after the greeting, with STARTTLS: see that step.");
    if (settings.security === "none") {
      ledger.skip("tls", "Not used: Security is None, so nothing on this connection is encrypted.");
      ledger.skip("starttls", "Not used: Security is None.");
    }
    if (!oauth) {
      ledger.skip("token", "Basic authentication uses no token.");
      ledger.skip("claims", "Basic authentication uses no token.");
    }

    if (this.options.signal?.aborted) return this.stop("cancelled");
    this.options.signal?.addEventListener("abort", this.onExternalAbort, { once: true });
    this.totalTimer = setTimeout(() => this.stop("limit"), this.totalMs - this.elapsed());
    try {
      const user = profile.authentication.username.trim();
      const tokenBranch: Promise<Credentials | null> = oauth
        ? this.tokenBranch(secrets, user).catch(() => null)
        : Promise.resolve({ kind: "password", user, password: secrets.password ?? "" });
      const mailBranch = this.mailBranch(settings, user, tokenBranch).catch((error: unknown) => {
        log.error("connection test mail branch failed unexpectedly", {
          name: error instanceof Error ? error.name : typeof error,
        });
        for (const step of ledger.running()) {
          if (step !== "token" && step !== "claims")
            ledger.finish(step, {
              status: "fail",
              detail: "The test stopped on an internal error.",
              cause: "An unexpected error ended the mail session.",
              fix: "Run the test again.",
            });
        }
      });
      await Promise.all([tokenBranch, mailBranch]);
    } finally {
      this.dispose();
    }
  }

  // ---- token branch -----------------------------------------------------------------------------

  private async tokenBranch(secrets: ReturnType<typeof effectiveSecrets>, user: string): Promise<Credentials | null> {
    const { ledger, subject } = this;
    const budget = this.budget("token", DEFAULT_TIMEOUTS.tokenMs);
    ledger.start("token");
    const settings = tokenRequestSettings(subject, secrets, this.innerTimeout(budget));
    const step = await runTokenStep({
      settings,
      ...(subject.profileId ? { profileId: subject.profileId } : {}),
      fresh: this.options.freshToken ?? true,
      signal: this.controller.signal,
      transcript: this.transcript,
    });
    if (step.token) {
      this.redactor.add(step.token.accessToken);
      try {
        this.redactor.add(xoauth2InitialResponse(user, step.token.accessToken));
      } catch {
        // a control character in the mailbox name: the login will refuse it
      }
    }
    ledger.finish("token", step.outcome);
    if (!step.token || this.controller.signal.aborted) return null;
    ledger.start("claims");
    const claims = claimsStep(step.token, {
      protocol: subject.profile.connection.protocol,
      tenantId: subject.profile.authentication.tenantId,
      tokenUrl: resolvedTokenUrl(subject),
      now: (this.options.now ?? (() => new Date()))(),
    });
    ledger.finish("claims", claims);
    return claims.status === "fail" ? null : { kind: "token", user, accessToken: step.token.accessToken };
  }

  // ---- mail branch ------------------------------------------------------------------------------

  private async mailBranch(settings: TestSettings, user: string, credentials: Promise<Credentials | null>): Promise<void> {
    const { ledger, subject, transcript } = this;
    const signal = this.mailController.signal;
    const profile = subject.profile;
    const ctx = connectionContext(profile);
    const clientId = profile.authentication.requestProperties.find((r) => r.key.trim() === "client_id")?.value.trim();
    const mail: MailContext = {
      protocol: settings.protocol,
      host: settings.host,
      port: settings.port,
      security: settings.security,
      authType: profile.authentication.type,
      user,
      ...(clientId ? { clientId } : {}),
      exchangeOnline: isExchangeOnlineMailHost(settings.host),
      propertyPrefix: `mail.${ctx?.storeName ?? settings.protocol}`,
    };
    const read = settings.readTimeoutMs ?? DEFAULT_TIMEOUTS.readMs;
    let context: TlsTarget["context"] | undefined;
    const tlsTarget = (timeoutMs: number): TlsTarget => {
      context ??= secureContextFor(
        trustedCertificates(profile.connection.trustedCaPem, subject.extraCaPem),
        settings.tls.minVersion,
        settings.tls.maxVersion,
      );
      return {
        host: settings.host,
        port: settings.port,
        policy: settings.tls,
        context,
        timeoutMs: this.innerTimeout(timeoutMs),
        signal,
      };
    };

    // DNS
    const dnsBudget = this.budget("dns", DEFAULT_TIMEOUTS.dnsMs);
    ledger.start("dns");
    const dns = await lookupHost(settings.host, this.innerTimeout(dnsBudget), signal);
    if (!dns.ok) {
      ledger.finish("dns", explainDns(dns, settings.host, dnsBudget), this.at(dns.endedAt));
      return;
    }
    transcript.note(
      dns.literal ? `DNS: ${settings.host} is an IP address` : `DNS: ${settings.host} → ${dns.addresses.join(", ")}`,
    );
    ledger.finish(
      "dns",
      dns.blocked.length
        ? {
            status: "warn",
            detail: `${settings.host} → ${dns.addresses.join(", ")}; ignored ${dns.blocked.join(", ")}.`,
            cause: `${blockedAddressRefusal(settings.host, dns.blocked).detail.replace(/ resolves to /, " also resolves to ")} The Test used the other addresses only.`,
            fix: "Check the DNS records of the mail server.",
            data: { addresses: dns.addresses, blocked: dns.blocked },
          }
        : {
            status: "ok",
            detail: dns.literal
              ? `${settings.host} is an IP address: no lookup needed.`
              : `${settings.host} → ${dns.addresses.join(", ")}.`,
            data: { addresses: dns.addresses },
          },
      this.at(dns.endedAt),
    );

    // TCP
    const connectBudget = this.budget("tcp", settings.connectTimeoutMs ?? DEFAULT_TIMEOUTS.connectMs);
    ledger.start("tcp");
    const tcp = await connectTcp(dns.addresses, settings.port, this.innerTimeout(connectBudget), signal);
    if (!tcp.ok) {
      ledger.finish("tcp", explainTcp(tcp, mail, connectBudget), this.at(tcp.endedAt));
      return;
    }
    let socket = tcp.socket;
    this.sockets.add(socket);
    const refused = tcp.attempts.filter((a) => a.code);
    transcript.note(`TCP: connected to ${tcp.address}:${settings.port}`);
    ledger.finish(
      "tcp",
      {
        status: "ok",
        detail: `Connected to ${tcp.address}:${settings.port}${refused.length ? ` (after ${refused.map((a) => `${a.address}: ${a.code}`).join(", ")})` : ""}.`,
        data: { address: tcp.address, port: settings.port },
      },
      this.at(tcp.endedAt),
    );

    // TLS (implicit)
    if (settings.security === "tls") {
      const tlsBudget = this.budget("tls", read);
      ledger.start("tls");
      const { tlsSocket, done } = startTls(socket, tlsTarget(tlsBudget));
      this.sockets.add(tlsSocket);
      const outcome = await done;
      if (!outcome.ok) {
        transcript.note(`TLS failed (${outcome.problem}${outcome.code ? `, ${outcome.code}` : ""})`, "tls");
        ledger.finish("tls", explainTls(outcome, mail, tlsBudget, "implicit"), this.at(outcome.endedAt));
        return;
      }
      const cert = outcome.details.certificate;
      transcript.note(
        `TLS: ${outcome.details.protocol} ${outcome.details.cipher}; certificate ${cert?.subject ?? "?"}, issuer ${cert?.issuer ?? "?"}, valid until ${cert?.validTo ?? "?"}`,
        "tls",
      );
      ledger.finish("tls", tlsSuccess(outcome.details, outcome.verdict, mail), this.at(outcome.endedAt));
      socket = outcome.socket;
    }

    const probe: ProbeContext = {
      ledger,
      transcript,
      settings,
      mail,
      socket,
      secure: settings.security === "tls",
      readTimeoutMs: read,
      tlsTarget,
      credentials: async () => {
        const result = await credentials;
        if (!result) throw new NoCredentials("no token");
        return result;
      },
      signal,
      begin: (step, budgetMs) => this.beginStep(step, this.budget(step, budgetMs), mail),
      end: (step) => {
        clearTimeout(this.timers.get(step));
        this.timers.delete(step);
      },
      remainingMs: () => this.remaining(),
    };
    if (settings.protocol === "imap") await probeImap(probe);
    else await probePop3(probe);
  }

  /** Starts a mail step; unless the total limit comes first, its budget ends it as a timeout. */
  private beginStep(step: StepId, budgetMs: number, mail: MailContext) {
    this.ledger.start(step);
    if (budgetMs >= this.remaining()) return;
    clearTimeout(this.timers.get(step));
    this.timers.set(
      step,
      setTimeout(() => {
        this.timers.delete(step);
        const reported = this.ledger.finish(step, {
          status: "fail",
          detail: `${STEP_TITLES[step]} did not finish within ${seconds(budgetMs)}.`,
          cause: "The server stopped answering during this step, or answers very slowly.",
          fix: `Try again; if it repeats, check the server and the network in between. ${mail.propertyPrefix}.timeout sets the wait for each answer.`,
        });
        if (reported) this.mailController.abort();
      }, budgetMs),
    );
  }
}
