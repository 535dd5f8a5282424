import "server-only";
import tls from "node:tls";
import { ImapFlow, type ImapFlowOptions, type ImapTransport } from "imapflow";
import { REDACTION_MASK, redactText } from "@/lib/crypto/redact";
import { SaslEncodingError, plainInitialResponse, xoauth2InitialResponse, type Xoauth2ErrorChallenge } from "@/lib/mail/sasl";
import { printable } from "@/lib/mail/server-text";
import {
  isNetworkErrorCode,
  isTlsErrorCode,
  summarizeChain,
  type CertificateSummary,
  type MailTlsOptions,
  type TlsSessionInfo,
} from "@/lib/mail/tls";

/**
 * A thin wrapper around imapflow for the staged connection test: one connection that logs in
 * (XOAUTH2 or LOGIN/PLAIN), examines INBOX read-only and logs out, with
 * - a transcript taken from imapflow's logger option (imapflow already hides sensitive command
 *   arguments; credentials are masked here again before the callback sees a line),
 * - the greeting, capabilities before and after login, TLS details,
 * - typed errors that keep the server's NO/BAD text, response code and XOAUTH2 error challenge,
 * - bounded waits everywhere and a close() that never hangs.
 *
 * imapflow's connect() runs greeting, CAPABILITY, STARTTLS, ID, authentication and NAMESPACE
 * in one call, so the stage a failure belongs to is followed from the commands in the log.
 */

export type ImapStage = "connect" | "greeting" | "capability" | "starttls" | "auth" | "session" | "mailbox" | "logout";

export type ImapErrorCode =
  | "timeout"
  | "aborted"
  | "network"
  | "tls"
  | "closed"
  | "protocol"
  | "starttls_unavailable"
  | "login_disabled"
  | "mechanism_unavailable"
  | "auth_failed"
  /** Exchange Online: login accepted, mailbox unusable ("User is authenticated but not connected.") */
  | "not_connected"
  | "mailbox_failed"
  | "invalid_argument"
  /** the credentials callback (ImapAuthProvider) gave none: the token could not be had, or the login was called off */
  | "no_credentials"
  | "unexpected";

export interface ImapErrorDetails {
  stage: ImapStage;
  /** NO, BAD or BYE */
  serverStatus?: string;
  /** the response code in brackets, e.g. AUTHENTICATIONFAILED, PRIVACYREQUIRED */
  serverResponseCode?: string;
  /** the human-readable text, e.g. "Authentication failed." */
  serverText?: string;
  /** the whole tagged line as received, e.g. "2 NO [AUTHENTICATIONFAILED] Authentication failed." */
  serverLine?: string;
  /** Node's code for network and TLS failures (ECONNREFUSED, CERT_HAS_EXPIRED, …) */
  nodeCode?: string;
  /** imapflow's code (GREETING_TIMEOUT, ETIMEOUT, NoConnection, LineTooLarge, …) */
  imapflowCode?: string;
  /** the XOAUTH2 error challenge the server sent before failing (Dovecot, Gmail; not Exchange) */
  challenge?: Xoauth2ErrorChallenge;
  tls?: TlsSessionInfo;
  cause?: unknown;
}

/** Expected failures; `message` is built here and never contains credentials. */
export class ImapSessionError extends Error {
  readonly stage: ImapStage;
  readonly serverStatus?: string;
  readonly serverResponseCode?: string;
  readonly serverText?: string;
  readonly serverLine?: string;
  readonly nodeCode?: string;
  readonly imapflowCode?: string;
  readonly challenge?: Xoauth2ErrorChallenge;
  readonly tls?: TlsSessionInfo;

  constructor(
    readonly code: ImapErrorCode,
    message: string,
    details: ImapErrorDetails,
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "ImapSessionError";
    this.stage = details.stage;
    this.serverStatus = details.serverStatus;
    this.serverResponseCode = details.serverResponseCode;
    this.serverText = details.serverText;
    this.serverLine = details.serverLine;
    this.nodeCode = details.nodeCode;
    this.imapflowCode = details.imapflowCode;
    this.challenge = details.challenge;
    this.tls = details.tls;
  }
}

export type ImapAuth =
  | { user: string; accessToken: string }
  | {
      user: string;
      pass: string;
      /** force a method; by default AUTHENTICATE PLAIN/LOGIN when advertised, else LOGIN */
      loginMethod?: "LOGIN" | "AUTH=PLAIN" | "AUTH=LOGIN";
    };

/**
 * Credentials that may not be known yet when the connection starts (a token still being fetched).
 * Called once, after the greeting, STARTTLS and the pre-login ID, with the capabilities the login
 * will be negotiated with; the session waits on its open connection until it resolves. A
 * rejection ends the session with code "no_credentials".
 */
export type ImapAuthProvider = (capabilities: string[]) => Promise<ImapAuth>;

/** Milestones of open(), for a caller that times its own steps. */
export type ImapProgress =
  | { type: "stage"; stage: ImapStage }
  | { type: "greeting"; line: string }
  /** the tagged OK of AUTHENTICATE/LOGIN (NAMESPACE and the post-login ID still follow inside open()) */
  | { type: "authenticated"; mechanism: string | null };

export interface ImapSessionOptions {
  host: string;
  port: number;
  /** implicit TLS (993) */
  secure: boolean;
  /**
   * imapflow's semantics: true = STARTTLS required (fail if not offered), false = never,
   * undefined = opportunistic (upgrade when offered, otherwise continue in clear text).
   */
  doSTARTTLS?: boolean;
  tls?: MailTlsOptions;
  auth: ImapAuth | ImapAuthProvider;
  /**
   * A connection the caller opened itself (imapflow's transport option): DNS, TCP and TLS then
   * happen, and are timed, outside; `secure` must say whether it is already TLS. Its upgrade()
   * performs STARTTLS. The `tls` options are then the caller's business.
   */
  transport?: ImapTransport;
  onProgress?: (progress: ImapProgress) => void;
  /** TCP connect + implicit TLS handshake (imapflow connectionTimeout); default 10 s */
  connectTimeoutMs?: number;
  /** greeting after connect (imapflow greetingTimeout); default 10 s */
  greetingTimeoutMs?: number;
  /** each command's answer (imapflow socketTimeout, plus our own guard); default 15 s */
  commandTimeoutMs?: number;
  /** the whole session; default 60 s */
  deadlineMs?: number;
  /** longest accepted response line; default 64 KiB */
  maxLineLength?: number;
  signal?: AbortSignal;
  /** every protocol line; credentials are masked before this is called */
  transcript?: (direction: "C" | "S", line: string) => void;
}

export interface ImapMailboxSummary {
  exists: number;
  uidValidity: number;
}

const DEFAULTS = {
  connectTimeoutMs: 10_000,
  greetingTimeoutMs: 10_000,
  commandTimeoutMs: 15_000,
  deadlineMs: 60_000,
  maxLineLength: 64 * 1024,
};
const LOGOUT_TIMEOUT_MS = 5_000;
const MAX_TRANSCRIPT_LINE = 1_024;
const NOT_CONNECTED = /User is authenticated but not connected/i;

type ImapflowError = Error & {
  code?: string;
  response?: unknown;
  responseStatus?: string;
  responseText?: string;
  serverResponseCode?: string;
  authenticationFailed?: boolean;
  tlsFailed?: boolean;
  oauthError?: unknown;
};

function sanitize(line: string): string {
  let text = printable(line);
  if (text.length > MAX_TRANSCRIPT_LINE)
    text = `${text.slice(0, MAX_TRANSCRIPT_LINE)}… [${text.length - MAX_TRANSCRIPT_LINE} more characters]`;
  return text;
}

function toChallenge(value: unknown): Xoauth2ErrorChallenge | undefined {
  if (!value || typeof value !== "object") return undefined;
  const record = value as Record<string, unknown>;
  const field = (key: string) =>
    typeof record[key] === "string" || typeof record[key] === "number" ? String(record[key]) : undefined;
  return { status: field("status"), schemes: field("schemes"), scope: field("scope"), json: JSON.stringify(value) };
}

function flowAuth(auth: ImapAuth): NonNullable<ImapFlowOptions["auth"]> {
  return "accessToken" in auth
    ? { user: auth.user, accessToken: auth.accessToken }
    : { user: auth.user, pass: auth.pass, loginMethod: auth.loginMethod };
}

function capabilityList(map: Map<string, boolean | number>): string[] {
  return [...map.entries()].map(([name, value]) => (typeof value === "number" ? `${name}=${value}` : name));
}

type Interruption = { code: "timeout" | "aborted" | "protocol"; message: string; stage: ImapStage; serverLine?: string };

export class ImapSession {
  private client: ImapFlow | null = null;
  private readonly options: ImapSessionOptions & typeof DEFAULTS;
  private readonly secrets = new Set<string>();
  private stageNow: ImapStage = "connect";
  private greetingLine: string | null = null;
  private authTag: string | null = null;
  // Read from the transcript: imapflow keeps the mechanism it used in an internal field only.
  private attemptedMechanism: string | null = null;
  private usedMechanism: string | null = null;
  private lastTaggedLine: string | null = null;
  private preAuth: string[] = [];
  private peerChain: CertificateSummary[] = [];
  private asyncError: ImapflowError | null = null;
  private interruption: Interruption | null = null;
  private interrupt: ((error: ImapSessionError) => void) | null = null;
  private deadlineTimer: NodeJS.Timeout | null = null;
  private deadlineAt = 0;
  private closed = false;
  private readonly onAbort = () =>
    this.stop({ code: "aborted", message: "The IMAP session was cancelled", stage: this.stageNow });

  private constructor(options: ImapSessionOptions) {
    this.options = {
      ...options,
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
      greetingTimeoutMs: options.greetingTimeoutMs ?? DEFAULTS.greetingTimeoutMs,
      commandTimeoutMs: options.commandTimeoutMs ?? DEFAULTS.commandTimeoutMs,
      deadlineMs: options.deadlineMs ?? DEFAULTS.deadlineMs,
      maxLineLength: options.maxLineLength ?? DEFAULTS.maxLineLength,
    };
  }

  /**
   * Connects, negotiates TLS (implicit or STARTTLS), authenticates and checks the session
   * (NAMESPACE). Throws ImapSessionError; nothing stays open on failure.
   */
  static async open(options: ImapSessionOptions): Promise<ImapSession> {
    const session = new ImapSession(options);
    try {
      await session.start();
      return session;
    } catch (error) {
      session.close();
      throw error;
    }
  }

  /** the greeting line as received, e.g. "* OK [CAPABILITY …] Dovecot (Debian) ready." */
  get greeting(): string | null {
    return this.greetingLine;
  }

  /** capabilities the login was negotiated with (after STARTTLS when it was used) */
  get preAuthCapabilities(): string[] {
    return [...this.preAuth];
  }

  /** capabilities now (after login) */
  get capabilities(): string[] {
    return this.client ? capabilityList(this.client.capabilities) : [];
  }

  /** the mechanism that logged in: "AUTH=XOAUTH2", "AUTH=PLAIN", "AUTH=LOGIN" or "LOGIN" */
  get authMechanism(): string | null {
    return this.usedMechanism;
  }

  /** the server's ID response (RFC 2971), when it sent one */
  get serverId(): Record<string, string> | null {
    return (this.client?.serverInfo as Record<string, string> | null | undefined) ?? null;
  }

  get stage(): ImapStage {
    return this.stageNow;
  }

  get tls(): TlsSessionInfo | null {
    const info = this.client?.tls;
    if (!info) return null;
    return {
      protocol: info.version ?? null,
      cipher: info.standardName ?? info.name ?? "",
      authorized: info.authorized ?? false,
      authorizationError: null,
      peerCertificate: this.peerChain[0] ?? null,
      chain: [...this.peerChain],
    };
  }

  /**
   * EXAMINE INBOX (read-only SELECT): message count and UIDVALIDITY. `skipList` saves imapflow's
   * LIST (and LSUB) before the EXAMINE, two round trips that add nothing to a probe of INBOX, whose
   * name RFC 3501 fixes.
   */
  async examineInbox(options: { skipList?: boolean } = {}): Promise<ImapMailboxSummary> {
    const client = this.requireClient("mailbox");
    this.setStage("mailbox");
    if (options.skipList) this.rememberInbox(client);
    // imapflow sends LIST and LSUB before EXAMINE (three round trips); its socket timeout bounds
    // each of them, this guard the three together.
    const mailbox = await this.guard(
      client.mailboxOpen("INBOX", { readOnly: true }),
      3 * this.options.commandTimeoutMs,
      "No answer to EXAMINE INBOX",
    );
    return { exists: mailbox.exists, uidValidity: Number(mailbox.uidValidity) };
  }

  /** LOGOUT, then close. Never throws and never waits long: returns whether the server acknowledged. */
  async logout(): Promise<boolean> {
    const client = this.client;
    if (!client || this.closed || client.isClosed) {
      this.close();
      return false;
    }
    this.setStage("logout");
    try {
      await this.guard(client.logout(), Math.min(LOGOUT_TIMEOUT_MS, this.options.commandTimeoutMs), "No answer to LOGOUT");
      return true;
    } catch {
      return false;
    } finally {
      this.close();
    }
  }

  /** Drops the connection at once; safe to call any number of times. */
  close(): void {
    this.closed = true;
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = null;
    this.options.signal?.removeEventListener("abort", this.onAbort);
    this.client?.close();
  }

  // ---- set-up ----------------------------------------------------------------------------------

  private async start() {
    const { host, port, auth, signal } = this.options;
    if (!host || !Number.isInteger(port) || port < 1 || port > 65_535) {
      throw new ImapSessionError("invalid_argument", "A host and a port between 1 and 65535 are required", { stage: "connect" });
    }
    if (this.options.secure && this.options.doSTARTTLS === true) {
      throw new ImapSessionError("invalid_argument", "Implicit TLS and required STARTTLS exclude each other", {
        stage: "connect",
      });
    }
    if (typeof auth !== "function") this.rememberSecrets(auth);
    if (signal?.aborted) throw new ImapSessionError("aborted", "The IMAP session was cancelled", { stage: "connect" });
    signal?.addEventListener("abort", this.onAbort, { once: true });
    this.deadlineAt = Date.now() + this.options.deadlineMs;
    this.deadlineTimer = setTimeout(
      () =>
        this.stop({
          code: "timeout",
          message: `The IMAP session did not finish within ${this.options.deadlineMs} ms`,
          stage: this.stageNow,
        }),
      this.options.deadlineMs,
    );

    const tlsOptions = this.options.tls ?? {};
    const check = tlsOptions.checkServerIdentity ?? tls.checkServerIdentity;
    const flowOptions: ImapFlowOptions = {
      host,
      port,
      secure: this.options.secure,
      doSTARTTLS: this.options.doSTARTTLS,
      // A provider's credentials are set just before the login (see deferCredentials).
      auth: typeof auth === "function" ? { user: "", accessToken: "" } : flowAuth(auth),
      ...(this.options.transport ? { transport: this.options.transport } : {}),
      tls: {
        ...(tlsOptions.ca !== undefined ? { ca: tlsOptions.ca } : {}),
        ...(tlsOptions.minVersion !== undefined ? { minVersion: tlsOptions.minVersion } : {}),
        ...(tlsOptions.maxVersion !== undefined ? { maxVersion: tlsOptions.maxVersion } : {}),
        ...(tlsOptions.secureContext !== undefined ? { secureContext: tlsOptions.secureContext } : {}),
        rejectUnauthorized: tlsOptions.rejectUnauthorized ?? true,
        // Node calls this once the chain is trusted; it is the public way to see the certificate
        // imapflow negotiated (imapflow does not expose its socket).
        checkServerIdentity: (hostname, cert) => {
          this.peerChain = summarizeChain(cert);
          return check(hostname, cert);
        },
      },
      ...(tlsOptions.servername ? { servername: tlsOptions.servername } : {}),
      logger: this.logger(),
      connectionTimeout: this.options.connectTimeoutMs,
      greetingTimeout: this.options.greetingTimeoutMs,
      socketTimeout: this.options.commandTimeoutMs,
      maxLineLength: this.options.maxLineLength,
      // A connection test, not a mail client: no IDLE, no COMPRESS (keeps the transcript
      // readable), no ENABLE (JavaMail, which the tested profiles configure, does not send it).
      disableAutoIdle: true,
      disableCompression: true,
      disableAutoEnable: true,
      clientInfo: { name: "MCF Console connection test" },
    };
    const client = new ImapFlow(flowOptions);
    this.client = client;
    // imapflow emits 'error' once the session is up (socket timeout, reset); without a listener
    // that would throw. The pending command then fails with NoConnection, and this error explains why.
    client.on("error", (error: ImapflowError) => {
      this.asyncError ??= error;
    });
    if (typeof auth === "function") await this.deferCredentials(client, auth);
    await this.guard(client.connect(), this.options.deadlineMs, "The IMAP session did not finish in time");
    if (!this.preAuth.length) this.preAuth = this.capabilities;
  }

  /**
   * imapflow takes its credentials at construction and logs in inside connect(). To let the
   * connection, greeting, STARTTLS and ID run while a token is still being fetched, the instance's
   * login step (imapflow's internal authenticate(), 2.10.x) is wrapped to wait for the provider
   * first. Where that method is missing (another imapflow version), the provider is awaited before
   * connecting: slower, never wrong.
   */
  private async deferCredentials(client: ImapFlow, provide: ImapAuthProvider) {
    const internals = client as unknown as { authenticate?: () => Promise<unknown>; options?: { auth?: unknown } };
    const resolve = async (capabilities: string[]) => {
      let auth: ImapAuth;
      try {
        auth = await provide(capabilities);
      } catch (error) {
        throw new ImapSessionError("no_credentials", "No credentials for the login", { stage: this.stageNow, cause: error });
      }
      this.rememberSecrets(auth);
      return flowAuth(auth);
    };
    const login = internals.authenticate;
    if (typeof login === "function" && internals.options && typeof internals.options === "object") {
      const options = internals.options;
      internals.authenticate = async () => {
        options.auth = await resolve(this.capabilities);
        return login.call(client);
      };
    } else {
      if (internals.options) internals.options.auth = await resolve([]);
    }
  }

  /**
   * Seeds imapflow's folder cache with INBOX so mailboxOpen() goes straight to EXAMINE (its SELECT
   * lists a folder it has not seen first). The cache is an internal Map; without it the LIST simply
   * happens.
   */
  private rememberInbox(client: ImapFlow) {
    const folders = (client as unknown as { folders?: unknown }).folders;
    if (!(folders instanceof Map) || folders.has("INBOX")) return;
    const delimiter = (client as unknown as { namespace?: { delimiter?: string } }).namespace?.delimiter ?? "/";
    folders.set("INBOX", {
      path: "INBOX",
      pathAsListed: "INBOX",
      name: "INBOX",
      delimiter,
      flags: new Set<string>(),
      specialUse: "\\Inbox",
      listed: true,
      subscribed: true,
    });
  }

  private setStage(stage: ImapStage) {
    if (this.stageNow === stage) return;
    this.stageNow = stage;
    this.progress({ type: "stage", stage });
  }

  private progress(progress: ImapProgress) {
    try {
      this.options.onProgress?.(progress);
    } catch {
      // An observer must not break the session it is watching.
    }
  }

  private rememberSecrets(auth: ImapAuth) {
    try {
      if ("accessToken" in auth) {
        this.secrets.add(auth.accessToken);
        this.secrets.add(xoauth2InitialResponse(auth.user, auth.accessToken));
      } else {
        this.secrets.add(auth.pass);
        this.secrets.add(plainInitialResponse(auth.user, auth.pass));
      }
    } catch (error) {
      if (error instanceof SaslEncodingError) throw new ImapSessionError("invalid_argument", error.message, { stage: "connect" });
      throw error;
    }
    for (const secret of [...this.secrets]) if (secret.length < 4) this.secrets.delete(secret);
  }

  // ---- transcript and stage tracking -----------------------------------------------------------

  private logger() {
    const entry = (level: string) => (value: unknown) => {
      try {
        this.onLog(level, value);
      } catch {
        // Logging must never break the session.
      }
    };
    return {
      trace: () => undefined,
      debug: entry("debug"),
      info: entry("info"),
      warn: entry("warn"),
      error: entry("error"),
      fatal: entry("error"),
    };
  }

  private onLog(level: string, value: unknown) {
    if (!value || typeof value !== "object") return;
    const { src, msg } = value as { src?: string; msg?: unknown };
    if (src === "connection" && typeof msg === "string" && msg.startsWith("Established")) {
      this.setStage("greeting");
      return;
    }
    if (typeof msg !== "string") return;
    if (src === "c") this.clientLine(msg);
    else if (src === "s") this.serverLine(msg, level === "error");
  }

  private clientLine(line: string) {
    const command = /^([0-9A-Za-z]+) ([A-Za-z]+)\b/.exec(line);
    let shown = line;
    if (command && (!this.authTag || command[1] === this.authTag)) {
      const [, tag, rawName] = command as unknown as [string, string, string];
      const name = rawName.toUpperCase();
      if (name === "CAPABILITY" && (this.stageNow === "connect" || this.stageNow === "greeting")) this.setStage("capability");
      else if (name === "STARTTLS") this.setStage("starttls");
      else if (name === "AUTHENTICATE" || name === "LOGIN") {
        this.setStage("auth");
        this.authTag = tag;
        this.attemptedMechanism =
          name === "LOGIN" ? "LOGIN" : `AUTH=${(/^\S+ AUTHENTICATE (\S+)/i.exec(line)?.[1] ?? "").toUpperCase()}`;
        this.preAuth = this.capabilities;
      } else if ((name === "NAMESPACE" || name === "ENABLE" || name === "COMPRESS") && this.stageNow === "auth")
        this.setStage("session");
      else if (name === "LOGOUT") this.setStage("logout");
      // imapflow already hides these arguments; mask them again so the rule does not depend on it.
      if (name === "AUTHENTICATE") shown = line.replace(/^(\S+ AUTHENTICATE \S+)\s.*$/i, `$1 ${REDACTION_MASK}`);
      if (name === "LOGIN") shown = line.replace(/^(\S+ LOGIN\s+(?:"(?:[^"\\]|\\.)*"|\S+))\s.*$/i, `$1 ${REDACTION_MASK}`);
    } else if (this.authTag) {
      // A continuation inside AUTHENTICATE: the SASL response itself. Only the empty line that
      // ends a failed XOAUTH2 exchange and the "*" that cancels one say nothing secret.
      shown = line === "" || line === "*" ? line : REDACTION_MASK;
    }
    this.emit("C", redactText(this.mask(shown)));
  }

  private serverLine(line: string, unparsed: boolean) {
    if (this.greetingLine === null) {
      this.greetingLine = sanitize(this.mask(line));
      this.progress({ type: "greeting", line: this.greetingLine });
      // Anything but an untagged OK/PREAUTH/BYE is no IMAP greeting; imapflow would wait for the
      // greeting timeout, so end it now with a clear reason.
      if (unparsed || !/^\* (OK|PREAUTH|BYE)\b/i.test(line)) {
        this.emit("S", line);
        this.stop({
          code: "protocol",
          message: "The server's greeting is not an IMAP greeting",
          stage: "greeting",
          serverLine: this.greetingLine,
        });
        return;
      }
    }
    const tagged = /^([0-9A-Za-z]+) (OK|NO|BAD)\b/i.exec(line);
    if (tagged && tagged[1] !== "*") {
      this.lastTaggedLine = sanitize(this.mask(line));
      if (tagged[1] === this.authTag) {
        this.authTag = null;
        if (tagged[2]!.toUpperCase() === "OK") {
          this.usedMechanism = this.attemptedMechanism;
          this.progress({ type: "authenticated", mechanism: this.usedMechanism });
        }
      }
    }
    this.emit("S", line);
  }

  private mask(text: string): string {
    let out = text;
    for (const secret of this.secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTION_MASK);
    return out;
  }

  private emit(direction: "C" | "S", line: string) {
    const callback = this.options.transcript;
    if (!callback) return;
    try {
      callback(direction, sanitize(this.mask(line)));
    } catch {
      // A failing transcript consumer must not break the session it is watching.
    }
  }

  // ---- waiting and errors ----------------------------------------------------------------------

  /**
   * TLS details for an error: the negotiated session, or, when the handshake failed after the
   * chain was trusted (a host-name mismatch), at least the certificate that was presented.
   */
  private tlsForError(code: string | undefined): TlsSessionInfo | undefined {
    const negotiated = this.tls;
    if (negotiated) return negotiated;
    if (!this.peerChain.length) return undefined;
    return {
      protocol: null,
      cipher: "",
      authorized: false,
      authorizationError: isTlsErrorCode(code) ? code! : null,
      peerCertificate: this.peerChain[0] ?? null,
      chain: [...this.peerChain],
    };
  }

  private requireClient(stage: ImapStage): ImapFlow {
    // A deadline or abort that fired between two calls explains why the session is gone.
    if (this.interruption) throw this.toError(undefined);
    if (!this.client || this.closed || this.client.isClosed)
      throw new ImapSessionError("closed", "The IMAP session is closed", { stage });
    return this.client;
  }

  /** Ends the session for a reason of ours (timeout, abort, bad greeting); the pending wait fails with it. */
  private stop(reason: Interruption) {
    this.interruption ??= reason;
    this.interrupt?.(this.toError(undefined));
    this.client?.close();
  }

  /**
   * Waits for an imapflow promise, bounded by `timeoutMs` and the session deadline; abort and
   * bad greetings end it too. The imapflow promise always gets a handler, so a late rejection
   * can never become an unhandled one.
   */
  private guard<T>(work: Promise<T>, timeoutMs: number, timeoutMessage: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const finish = (action: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.interrupt = null;
        action();
      };
      const remaining = Math.max(0, Math.min(timeoutMs, this.deadlineAt - Date.now()));
      const timer = setTimeout(() => this.stop({ code: "timeout", message: timeoutMessage, stage: this.stageNow }), remaining);
      this.interrupt = (error) => finish(() => reject(error));
      if (this.interruption) this.interrupt(this.toError(undefined));
      work.then(
        (value) => finish(() => resolve(value)),
        (error: unknown) => finish(() => reject(this.toError(error as ImapflowError))),
      );
    });
  }

  private toError(raw: ImapflowError | undefined): ImapSessionError {
    if (raw instanceof ImapSessionError && !this.interruption) return raw;
    const stage = this.interruption?.stage ?? this.stageNow;
    const tlsInfo = this.tlsForError(raw?.code);
    if (this.interruption) {
      const { code, message, serverLine } = this.interruption;
      return new ImapSessionError(code, message, { stage, serverLine, tls: tlsInfo, cause: raw });
    }
    // A socket-level error explains the NoConnection the pending command was failed with.
    const error =
      raw && (raw.code === "NoConnection" || raw.code === "EConnectionClosed") && this.asyncError ? this.asyncError : raw;
    if (!error) return new ImapSessionError("unexpected", "The IMAP session failed", { stage });
    const code = error.code;
    const responseText = typeof error.responseText === "string" ? this.mask(error.responseText) : undefined;
    const responseLine =
      typeof error.response === "string" ? sanitize(this.mask(error.response)) : (this.lastTaggedLine ?? undefined);
    const server = {
      serverStatus: error.responseStatus,
      serverResponseCode: error.serverResponseCode,
      serverText: responseText ?? (typeof error.response === "string" ? sanitize(this.mask(error.response)) : undefined),
      serverLine: responseLine,
    };
    const base = { stage, imapflowCode: code, tls: tlsInfo, cause: error };
    const fromServer = (text: string | undefined) => (text ? `: ${text}` : "");

    if (NOT_CONNECTED.test(`${error.responseText ?? ""} ${typeof error.response === "string" ? error.response : ""}`)) {
      return new ImapSessionError(
        "not_connected",
        `The login was accepted but the mailbox cannot be used${fromServer(server.serverText)}`,
        { ...base, ...server },
      );
    }
    if (error.message === "Login is disabled") {
      return new ImapSessionError(
        "login_disabled",
        "The server does not allow LOGIN on this connection (LOGINDISABLED): use TLS or STARTTLS",
        { ...base, ...server, stage: "auth" },
      );
    }
    if (error.message === "Unsupported authentication mechanism") {
      return new ImapSessionError("mechanism_unavailable", "The server offers no authentication mechanism this login can use", {
        ...base,
        ...server,
        stage: "auth",
      });
    }
    if (error.authenticationFailed || stage === "auth") {
      if (error.responseStatus || error.authenticationFailed) {
        return new ImapSessionError("auth_failed", `Authentication failed${fromServer(server.serverText)}`, {
          ...base,
          ...server,
          stage: "auth",
          challenge: toChallenge(error.oauthError),
        });
      }
    }
    if (error.tlsFailed && !isTlsErrorCode(code) && /STARTTLS/.test(error.message)) {
      return new ImapSessionError("starttls_unavailable", `STARTTLS was required but is not possible: ${error.message}`, {
        ...base,
        stage: "starttls",
      });
    }
    if (isTlsErrorCode(code) || (error.tlsFailed && code !== "UPGRADE_TIMEOUT" && code !== "ECONNRESET")) {
      return new ImapSessionError("tls", `TLS failed: ${error.message}`, {
        ...base,
        nodeCode: code,
        stage: stage === "starttls" ? "starttls" : stage === "connect" ? "connect" : stage,
      });
    }
    if (
      code === "CONNECT_TIMEOUT" ||
      code === "GREETING_TIMEOUT" ||
      code === "UPGRADE_TIMEOUT" ||
      code === "ETIMEOUT" ||
      code === "ETIMEDOUT"
    ) {
      // By stage rather than by code: the socket inactivity timeout can fire before the greeting timeout.
      const what =
        stage === "connect"
          ? "No connection"
          : stage === "greeting"
            ? "No greeting"
            : code === "UPGRADE_TIMEOUT"
              ? "No TLS session after STARTTLS"
              : `No answer in the ${stage} stage`;
      return new ImapSessionError("timeout", `${what} from ${this.options.host}:${this.options.port} in time`, {
        ...base,
        nodeCode: code === "ETIMEDOUT" ? code : undefined,
      });
    }
    if (isNetworkErrorCode(code)) {
      return new ImapSessionError("network", `Cannot connect to ${this.options.host}:${this.options.port}: ${error.message}`, {
        ...base,
        nodeCode: code,
      });
    }
    if (
      code === "LineTooLarge" ||
      code === "ResponseTooLarge" ||
      code === "LiteralTooLarge" ||
      code === "TooManyTokens" ||
      code?.startsWith("ParserError") ||
      code === "InvalidResponse" ||
      code === "UnexpectedTag" ||
      code === "MissingTag" ||
      code === "STARTTLS_INJECTION"
    ) {
      return new ImapSessionError("protocol", `The server's answer is not valid IMAP (${code})`, { ...base, ...server });
    }
    if (
      code === "NoConnection" ||
      code === "EConnectionClosed" ||
      code === "ClosedAfterConnectText" ||
      code === "ClosedAfterConnectTLS" ||
      code === "StateLogout" ||
      code === "ECONNRESET" ||
      code === "EPIPE"
    ) {
      return new ImapSessionError(
        "closed",
        stage === "connect" || stage === "greeting"
          ? "The server closed the connection before greeting"
          : "The server closed the connection",
        {
          ...base,
          nodeCode: code === "ECONNRESET" || code === "EPIPE" ? code : undefined,
          serverText: this.client?.byeReason ? sanitize(this.mask(this.client.byeReason)) : undefined,
        },
      );
    }
    if (stage === "mailbox" && error.responseStatus) {
      return new ImapSessionError("mailbox_failed", `INBOX cannot be opened${fromServer(server.serverText)}`, {
        ...base,
        ...server,
      });
    }
    if (error.responseStatus) {
      return new ImapSessionError("protocol", `The server refused a command${fromServer(server.serverText)}`, {
        ...base,
        ...server,
      });
    }
    return new ImapSessionError("unexpected", `The IMAP session failed (${code ?? "no code"})`, { ...base, nodeCode: code });
  }
}
