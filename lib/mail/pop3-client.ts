import "server-only";
import net from "node:net";
import tls from "node:tls";
import { REDACTION_MASK } from "@/lib/crypto/redact";
import {
  SaslEncodingError,
  decodeXoauth2Challenge,
  plainInitialResponse,
  xoauth2InitialResponse,
  type Xoauth2ErrorChallenge,
} from "@/lib/mail/sasl";
import { printable } from "@/lib/mail/server-text";
import {
  certificateProblem,
  describeTlsSocket,
  isNetworkErrorCode,
  isTlsErrorCode,
  tlsConnectOptions,
  type MailTlsOptions,
  type TlsSessionInfo,
} from "@/lib/mail/tls";

/**
 * A small POP3 client (RFC 1939, 2449 CAPA, 2595 STLS, 5034 AUTH) of our own, because the staged
 * connection test needs what general-purpose clients hide: every line with credentials masked,
 * the two-step XOAUTH2 form Microsoft requires, the server's exact -ERR text, and bounded waits
 * everywhere. It only logs in and counts messages; it never downloads or deletes mail.
 */

export type Pop3ErrorCode =
  | "timeout"
  | "aborted"
  | "network"
  | "tls"
  | "closed"
  | "line_too_long"
  | "protocol"
  | "auth_failed"
  | "rejected"
  | "invalid_argument";

export type Pop3Phase = "connect" | "tls" | "greeting" | "command";

export interface Pop3ErrorDetails {
  phase: Pop3Phase;
  /** the command being answered, e.g. "STAT", "AUTH XOAUTH2" (never its arguments) */
  command?: string;
  /** the server's text after -ERR / in the offending line (sanitised, secrets masked) */
  serverText?: string;
  /** RFC 2449/3206 response code, e.g. "AUTH", "SYS/TEMP", "IN-USE" */
  responseCode?: string;
  /** Node's own error code: CERT_HAS_EXPIRED, ERR_TLS_CERT_ALTNAME_INVALID, ECONNREFUSED, … */
  nodeCode?: string;
  /** decoded XOAUTH2 error challenge, when the server sent one */
  challenge?: Xoauth2ErrorChallenge;
  /** negotiated TLS details, including a rejected certificate */
  tls?: TlsSessionInfo;
  cause?: unknown;
}

/** Expected failures; `message` is built by this module and never contains credentials. */
export class Pop3Error extends Error {
  readonly phase: Pop3Phase;
  readonly command?: string;
  readonly serverText?: string;
  readonly responseCode?: string;
  readonly nodeCode?: string;
  readonly challenge?: Xoauth2ErrorChallenge;
  readonly tls?: TlsSessionInfo;

  constructor(
    readonly code: Pop3ErrorCode,
    message: string,
    details: Pop3ErrorDetails,
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "Pop3Error";
    this.phase = details.phase;
    this.command = details.command;
    this.serverText = details.serverText;
    this.responseCode = details.responseCode;
    this.nodeCode = details.nodeCode;
    this.challenge = details.challenge;
    this.tls = details.tls;
  }
}

export type TranscriptDirection = "C" | "S";
export type TranscriptCallback = (direction: TranscriptDirection, line: string) => void;

export interface Pop3ConnectOptions {
  host: string;
  port: number;
  /** implicit TLS (port 995); otherwise plain TCP, upgraded with stls() */
  secure: boolean;
  tls?: MailTlsOptions;
  /**
   * A connection the caller already opened (and timed): the client starts by reading the greeting
   * from it. With `secure` it must be a TLS socket whose certificate the caller has verified; no
   * 'data' listener may have been attached (buffered bytes would be lost).
   */
  socket?: net.Socket;
  /**
   * The TLS handshake for stls(), when the caller verifies certificates its own way: resolves
   * with a verified TLS socket over `socket`, or rejects (the error becomes the cause of a "tls"
   * Pop3Error). Bounded by connectTimeoutMs, the deadline and abort like the built-in handshake.
   */
  startTls?: (socket: net.Socket) => Promise<tls.TLSSocket>;
  /** TCP connect plus TLS handshake; default 10 s */
  connectTimeoutMs?: number;
  /** each server reply, the greeting included; default 15 s */
  commandTimeoutMs?: number;
  /** the whole session from connect() on; default 60 s */
  deadlineMs?: number;
  /** longest accepted line without CRLF; default 8 KiB */
  maxLineLength?: number;
  signal?: AbortSignal;
  /** every line sent and received; AUTH payloads and PASS arguments are masked before this is called */
  transcript?: TranscriptCallback;
}

export interface Pop3Stat {
  messages: number;
  octets: number;
}

const DEFAULTS = { connectTimeoutMs: 10_000, commandTimeoutMs: 15_000, deadlineMs: 60_000, maxLineLength: 8192 };
const MAX_MULTILINE_LINES = 1_000;
const MAX_TRANSCRIPT_LINE = 1_024;
// RFC 5034 §4: an initial response that would make the AUTH line longer than 255 octets must
// not be sent on that line; OAuth tokens always are, which is one reason for the two-step form.
const MAX_AUTH_LINE = 255;
const QUIT_TIMEOUT_MS = 5_000;

function sanitize(line: string): string {
  // Transcripts end up in a browser: control bytes of a garbage greeting show as \xNN, escapes are dropped.
  let text = printable(line);
  if (text.length > MAX_TRANSCRIPT_LINE)
    text = `${text.slice(0, MAX_TRANSCRIPT_LINE)}… [${text.length - MAX_TRANSCRIPT_LINE} more characters]`;
  return text;
}

function parseStatus(line: string): { ok: boolean; text: string; responseCode?: string } | null {
  const match = /^(\+OK|-ERR)(?:\s(.*))?$/i.exec(line);
  if (!match) return null;
  const text = (match[2] ?? "").trim();
  const code = /^\[([^\]]+)\]/.exec(text)?.[1];
  return { ok: match[1]!.toUpperCase() === "+OK", text, responseCode: code };
}

export class Pop3Client {
  private socket: net.Socket | tls.TLSSocket | null = null;
  private plainSocket: net.Socket | null = null;
  private buffer: Buffer = Buffer.alloc(0);
  private readonly lines: string[] = [];
  private lineWaiter: ((line: string) => void) | null = null;
  private pending: { reject: (error: Pop3Error) => void } | null = null;
  private failure: Pop3Error | null = null;
  private closing = false;
  private deadlineTimer: NodeJS.Timeout | null = null;
  private deadlineAt = 0;
  private phase: Pop3Phase = "connect";
  private currentCommand: string | undefined;
  private readonly secrets = new Set<string>();
  private tlsSession: TlsSessionInfo | null = null;
  private readonly options: Pop3ConnectOptions & typeof DEFAULTS;
  private readonly onAbort = () =>
    this.fail(new Pop3Error("aborted", "The POP3 session was cancelled", { phase: this.phase, command: this.currentCommand }));
  private readonly onData = (chunk: Buffer) => this.receive(chunk);
  private readonly onClose = () => {
    if (this.closing) return;
    this.fail(
      new Pop3Error(
        "closed",
        this.phase === "tls" ? "The server closed the connection during the TLS handshake" : "The server closed the connection",
        {
          phase: this.phase,
          command: this.currentCommand,
        },
      ),
    );
  };
  private readonly onError = (error: NodeJS.ErrnoException) => this.fail(this.socketError(error));

  private greetingText = "";

  private constructor(options: Pop3ConnectOptions) {
    this.options = {
      ...options,
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
      commandTimeoutMs: options.commandTimeoutMs ?? DEFAULTS.commandTimeoutMs,
      deadlineMs: options.deadlineMs ?? DEFAULTS.deadlineMs,
      maxLineLength: options.maxLineLength ?? DEFAULTS.maxLineLength,
    };
  }

  /** Connects, completes TLS when `secure`, and reads the greeting. Throws Pop3Error; nothing stays open on failure. */
  static async connect(options: Pop3ConnectOptions): Promise<Pop3Client> {
    const client = new Pop3Client(options);
    try {
      await client.open();
      return client;
    } catch (error) {
      client.close();
      throw error;
    }
  }

  /** the greeting's text after "+OK" */
  get greeting(): string {
    return this.greetingText;
  }

  /** TLS details once the session is encrypted (implicit TLS or after stls()) */
  get tlsInfo(): TlsSessionInfo | null {
    return this.tlsSession;
  }

  get secure(): boolean {
    return this.tlsSession !== null;
  }

  get closed(): boolean {
    return this.closing || this.failure !== null;
  }

  /** CAPA (RFC 2449): the capability lines, e.g. ["TOP", "USER", "SASL PLAIN XOAUTH2", "STLS"] */
  async capa(): Promise<string[]> {
    await this.command("CAPA", "CAPA", "rejected");
    return this.readMultiline("CAPA");
  }

  /**
   * STLS (RFC 2595): upgrades the plain connection. Capabilities learned before are void
   * afterwards (a man in the middle could have changed them): call capa() again.
   */
  async stls(): Promise<TlsSessionInfo> {
    if (this.tlsSession)
      throw new Pop3Error("invalid_argument", "The connection is already encrypted", { phase: "command", command: "STLS" });
    await this.command("STLS", "STLS", "rejected");
    // A server must wait for the handshake after "+OK"; anything already buffered was injected
    // in plain text and must not be read as if it had come over TLS.
    if (this.buffer.length > 0 || this.lines.length > 0) {
      const error = new Pop3Error("protocol", "The server sent data after the STLS response, before the TLS handshake", {
        phase: "tls",
        command: "STLS",
      });
      this.fail(error);
      throw error;
    }
    const plain = this.socket as net.Socket;
    plain.removeListener("data", this.onData);
    plain.removeListener("close", this.onClose);
    this.phase = "tls";
    if (this.options.startTls) return this.customStls(plain, this.options.startTls);
    const secureSocket = tls.connect({
      ...tlsConnectOptions(this.options.host, this.options.tls),
      socket: plain,
      rejectUnauthorized: false,
    });
    this.plainSocket = plain;
    this.socket = secureSocket;
    this.attach(secureSocket);
    await this.handshake(secureSocket);
    secureSocket.on("data", this.onData);
    this.phase = "command";
    return this.tlsSession!;
  }

  private async customStls(plain: net.Socket, startTls: (socket: net.Socket) => Promise<tls.TLSSocket>): Promise<TlsSessionInfo> {
    this.plainSocket = plain;
    const secureSocket = await this.wait<tls.TLSSocket>(
      this.options.connectTimeoutMs,
      `No TLS session with ${this.options.host}:${this.options.port} within ${this.options.connectTimeoutMs} ms`,
      (resolve) => {
        startTls(plain).then(
          (socket) => {
            // a handshake that completes after a timeout or abort has nobody left to use it
            if (this.failure || this.closing) socket.destroy();
            resolve(socket);
          },
          (error: NodeJS.ErrnoException) => {
            this.fail(
              new Pop3Error("tls", error instanceof Error ? error.message : "The TLS handshake failed", {
                phase: "tls",
                command: "STLS",
                nodeCode: error?.code,
                cause: error,
              }),
            );
          },
        );
      },
    );
    if (this.failure || this.closing) {
      secureSocket.destroy();
      throw this.failure ?? new Pop3Error("closed", "The POP3 session was closed", { phase: "tls", command: "STLS" });
    }
    this.socket = secureSocket;
    this.attach(secureSocket);
    this.tlsSession = describeTlsSocket(secureSocket);
    secureSocket.on("data", this.onData);
    this.phase = "command";
    return this.tlsSession;
  }

  /**
   * AUTH XOAUTH2 in the two-step form Exchange Online requires (`AUTH XOAUTH2`, `+`, payload).
   * On an error challenge (`+ <base64 JSON>`, Dovecot/Gmail) the client answers with an empty
   * line and reports the final -ERR together with the decoded challenge.
   */
  async authXoauth2(user: string, accessToken: string): Promise<void> {
    const payload = this.encode(() => xoauth2InitialResponse(user, accessToken), "AUTH XOAUTH2");
    this.remember(accessToken, payload);
    const first = await this.exchange("AUTH XOAUTH2", "AUTH XOAUTH2", "AUTH XOAUTH2");
    if (first.kind !== "continue") return this.authResult(first, "AUTH XOAUTH2");
    let reply = await this.exchange(payload, REDACTION_MASK, "AUTH XOAUTH2");
    let challenge: Xoauth2ErrorChallenge | undefined;
    if (reply.kind === "continue") {
      challenge = decodeXoauth2Challenge(reply.text) ?? undefined;
      // The empty response ends the exchange; the server then sends its final -ERR.
      reply = await this.exchange("", "", "AUTH XOAUTH2");
      if (reply.kind === "continue") {
        // Not a server we understand: cancel (RFC 5034 "*") and give up on the session.
        this.send("*", "*");
        const error = new Pop3Error("protocol", "The server kept asking for more XOAUTH2 data", {
          phase: "command",
          command: "AUTH XOAUTH2",
          challenge,
        });
        this.fail(error);
        throw error;
      }
    }
    return this.authResult(reply, "AUTH XOAUTH2", challenge);
  }

  /** AUTH PLAIN, with the initial response on the AUTH line when it fits in 255 octets (RFC 5034). */
  async authPlain(user: string, password: string): Promise<void> {
    const payload = this.encode(() => plainInitialResponse(user, password), "AUTH PLAIN");
    this.remember(password, payload);
    const oneLine = `AUTH PLAIN ${payload}`;
    if (Buffer.byteLength(oneLine) <= MAX_AUTH_LINE) {
      return this.authResult(await this.exchange(oneLine, `AUTH PLAIN ${REDACTION_MASK}`, "AUTH PLAIN"), "AUTH PLAIN");
    }
    const first = await this.exchange("AUTH PLAIN", "AUTH PLAIN", "AUTH PLAIN");
    if (first.kind !== "continue") return this.authResult(first, "AUTH PLAIN");
    return this.authResult(await this.exchange(payload, REDACTION_MASK, "AUTH PLAIN"), "AUTH PLAIN");
  }

  /** USER/PASS (RFC 1939). A -ERR to either is reported as auth_failed with the server's text. */
  async userPass(user: string, password: string): Promise<void> {
    this.assertLine(user, "USER");
    this.assertLine(password, "PASS");
    this.remember(password);
    const userReply = await this.exchange(`USER ${user}`, `USER ${user}`, "USER");
    if (userReply.kind !== "ok") return this.authResult(userReply, "USER");
    return this.authResult(await this.exchange(`PASS ${password}`, `PASS ${REDACTION_MASK}`, "PASS"), "PASS");
  }

  /** STAT: number of messages and their total size in octets */
  async stat(): Promise<Pop3Stat> {
    const text = await this.command("STAT", "STAT", "rejected");
    const match = /^(\d+)\s+(\d+)/.exec(text);
    if (!match) {
      const error = new Pop3Error("protocol", "The STAT answer is not '+OK <count> <size>'", {
        phase: "command",
        command: "STAT",
        serverText: sanitize(text),
      });
      this.fail(error);
      throw error;
    }
    return { messages: Number(match[1]), octets: Number(match[2]) };
  }

  /**
   * QUIT, then close. Never throws and never waits long: returns whether the server acknowledged.
   * (A POP3 server only commits deletions on QUIT; this client never deletes, so a missing answer
   * loses nothing.)
   */
  async quit(): Promise<boolean> {
    if (this.closed || !this.socket) {
      this.close();
      return false;
    }
    try {
      this.currentCommand = "QUIT";
      this.send("QUIT", "QUIT");
      const line = await this.readLine("QUIT", Math.min(QUIT_TIMEOUT_MS, this.options.commandTimeoutMs));
      return parseStatus(line)?.ok ?? false;
    } catch {
      return false;
    } finally {
      this.close();
    }
  }

  /** Destroys the connection at once; safe to call any number of times. */
  close(): void {
    this.closing = true;
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = null;
    this.options.signal?.removeEventListener("abort", this.onAbort);
    this.socket?.destroy();
    this.plainSocket?.destroy();
    this.pending?.reject(
      this.failure ?? new Pop3Error("closed", "The POP3 session was closed", { phase: this.phase, command: this.currentCommand }),
    );
  }

  // ---- connection set-up ----------------------------------------------------------------------

  private async open() {
    const { host, port, signal } = this.options;
    if (!host || !Number.isInteger(port) || port < 1 || port > 65_535) {
      throw new Pop3Error("invalid_argument", "A host and a port between 1 and 65535 are required", { phase: "connect" });
    }
    if (signal?.aborted) throw new Pop3Error("aborted", "The POP3 session was cancelled", { phase: "connect" });
    signal?.addEventListener("abort", this.onAbort, { once: true });
    this.deadlineAt = Date.now() + this.options.deadlineMs;
    this.deadlineTimer = setTimeout(
      () =>
        this.fail(
          new Pop3Error("timeout", `The POP3 session did not finish within ${this.options.deadlineMs} ms`, {
            phase: this.phase,
            command: this.currentCommand,
          }),
        ),
      this.options.deadlineMs,
    );

    if (this.options.socket) {
      const socket = this.options.socket;
      this.socket = socket;
      this.attach(socket);
      if (socket.destroyed) throw new Pop3Error("closed", "The server closed the connection", { phase: "connect" });
      if (this.options.secure && socket instanceof tls.TLSSocket) this.tlsSession = describeTlsSocket(socket);
    } else if (this.options.secure) {
      // rejectUnauthorized is applied after the handshake (handshake()), so a rejected
      // certificate can still be described; no data is read or written before that check.
      const socket = tls.connect({ ...tlsConnectOptions(host, this.options.tls), port, rejectUnauthorized: false });
      this.socket = socket;
      this.attach(socket);
      // "connect" until TCP is up, then "tls": a refused port and a failed handshake are different stories.
      socket.once("connect", () => {
        if (this.phase === "connect") this.phase = "tls";
      });
      await this.handshake(socket);
    } else {
      const socket = net.connect({ host, port });
      this.socket = socket;
      this.attach(socket);
      await this.wait<void>(
        this.options.connectTimeoutMs,
        `No TCP connection to ${host}:${port} within ${this.options.connectTimeoutMs} ms`,
        (resolve) => {
          const onConnect = () => resolve();
          socket.once("connect", onConnect);
          return () => socket.removeListener("connect", onConnect);
        },
      );
    }
    this.socket.on("data", this.onData);
    this.phase = "greeting";
    this.currentCommand = undefined;
    const greeting = await this.readLine("greeting");
    const status = parseStatus(greeting);
    if (!status || !status.ok) {
      const error = status
        ? new Pop3Error("rejected", `The server refused the session: ${sanitize(greeting)}`, {
            phase: "greeting",
            serverText: sanitize(status.text),
            responseCode: status.responseCode,
          })
        : new Pop3Error("protocol", "The server's greeting is not a POP3 greeting (+OK …)", {
            phase: "greeting",
            serverText: sanitize(greeting),
          });
      this.fail(error);
      throw error;
    }
    this.greetingText = status.text;
    this.phase = "command";
  }

  private async handshake(socket: tls.TLSSocket) {
    await this.wait<void>(
      this.options.connectTimeoutMs,
      `No TLS session with ${this.options.host}:${this.options.port} within ${this.options.connectTimeoutMs} ms`,
      (resolve) => {
        const onSecure = () => resolve();
        socket.once("secureConnect", onSecure);
        return () => socket.removeListener("secureConnect", onSecure);
      },
    );
    this.tlsSession = describeTlsSocket(socket);
    const problem = certificateProblem(socket, this.options.host, this.options.tls);
    if (problem && this.options.tls?.rejectUnauthorized !== false) {
      const error = new Pop3Error("tls", problem.message, { phase: "tls", nodeCode: problem.code, tls: this.tlsSession });
      this.fail(error);
      throw error;
    }
  }

  /** Error and close handling; 'data' is attached only once TLS is verified (see handshake()). */
  private attach(socket: net.Socket) {
    socket.on("error", this.onError);
    socket.on("close", this.onClose);
  }

  private socketError(error: NodeJS.ErrnoException): Pop3Error {
    const details = {
      phase: this.phase,
      command: this.currentCommand,
      nodeCode: error.code,
      cause: error,
      tls: this.tlsSession ?? undefined,
    };
    if (isTlsErrorCode(error.code)) return new Pop3Error("tls", `TLS failed: ${error.message}`, { ...details, phase: "tls" });
    if (isNetworkErrorCode(error.code))
      return new Pop3Error("network", `Cannot connect to ${this.options.host}:${this.options.port}: ${error.message}`, details);
    if (error.code === "ECONNRESET" || error.code === "EPIPE") {
      return new Pop3Error(
        "closed",
        this.phase === "tls" ? "The server closed the connection during the TLS handshake" : "The server reset the connection",
        details,
      );
    }
    return new Pop3Error("network", `Connection error: ${error.message}`, details);
  }

  // ---- reading ---------------------------------------------------------------------------------

  private receive(chunk: Buffer) {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    for (;;) {
      const newline = this.buffer.indexOf(0x0a);
      if (newline === -1) {
        if (this.buffer.length > this.options.maxLineLength) this.lineTooLong(this.buffer.length);
        return;
      }
      const end = newline > 0 && this.buffer[newline - 1] === 0x0d ? newline - 1 : newline;
      if (end > this.options.maxLineLength) return this.lineTooLong(end);
      const line = this.buffer.subarray(0, end).toString("utf8");
      this.buffer = this.buffer.subarray(newline + 1);
      this.emit("S", line);
      if (this.lineWaiter) this.lineWaiter(line);
      else this.lines.push(line);
    }
  }

  private lineTooLong(length: number) {
    this.buffer = Buffer.alloc(0);
    this.fail(
      new Pop3Error("line_too_long", `The server sent a line longer than ${this.options.maxLineLength} bytes (${length}+)`, {
        phase: this.phase,
        command: this.currentCommand,
      }),
    );
  }

  private readLine(what: string, timeoutMs = this.options.commandTimeoutMs): Promise<string> {
    // Lines that arrived before a failure (a final -ERR just before the server hung up) are still delivered.
    const queued = this.lines.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return this.wait<string>(
      timeoutMs,
      what === "greeting" ? `No greeting within ${timeoutMs} ms` : `No answer to ${what} within ${timeoutMs} ms`,
      (resolve) => {
        this.lineWaiter = resolve;
        return () => {
          this.lineWaiter = null;
        };
      },
    );
  }

  private async readMultiline(what: string): Promise<string[]> {
    const result: string[] = [];
    for (;;) {
      const line = await this.readLine(what);
      if (line === ".") return result;
      if (result.length >= MAX_MULTILINE_LINES) {
        const error = new Pop3Error("protocol", `The ${what} answer has more than ${MAX_MULTILINE_LINES} lines`, {
          phase: "command",
          command: what,
        });
        this.fail(error);
        throw error;
      }
      // RFC 1939 byte-stuffing: a leading "." is doubled on the wire.
      result.push(line.startsWith("..") ? line.slice(1) : line);
    }
  }

  /**
   * Waits for `start` to resolve, bounded by `timeoutMs`, the session deadline, abort and any
   * fatal error. Only one wait is ever pending: POP3 is strictly request/response here.
   */
  private wait<T>(
    timeoutMs: number,
    timeoutMessage: string,
    start: (resolve: (value: T) => void) => (() => void) | void,
  ): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closing)
      return Promise.reject(
        new Pop3Error("closed", "The POP3 session was closed", { phase: this.phase, command: this.currentCommand }),
      );
    return new Promise<T>((resolve, reject) => {
      let cleanup: (() => void) | void = undefined;
      let settled = false;
      const remaining = Math.max(0, Math.min(timeoutMs, this.deadlineAt - Date.now()));
      const timer = setTimeout(() => {
        const deadline = this.deadlineAt - Date.now() <= 0;
        this.fail(
          new Pop3Error(
            "timeout",
            deadline ? `The POP3 session did not finish within ${this.options.deadlineMs} ms` : timeoutMessage,
            {
              phase: this.phase,
              command: this.currentCommand,
            },
          ),
        );
      }, remaining);
      const finish = () => {
        settled = true;
        clearTimeout(timer);
        this.pending = null;
        cleanup?.();
      };
      this.pending = {
        reject: (error) => {
          if (settled) return;
          finish();
          reject(error);
        },
      };
      cleanup = start((value) => {
        if (settled) return;
        finish();
        resolve(value);
      });
      if (settled) cleanup?.();
    });
  }

  /** Marks the session failed (first error wins), destroys the socket and rejects the pending wait. */
  private fail(error: Pop3Error) {
    if (this.failure) return;
    this.failure = error;
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = null;
    this.options.signal?.removeEventListener("abort", this.onAbort);
    this.socket?.destroy();
    this.plainSocket?.destroy();
    this.pending?.reject(error);
  }

  // ---- writing ---------------------------------------------------------------------------------

  private send(line: string, transcriptLine: string) {
    if (this.failure) throw this.failure;
    if (this.closing || !this.socket)
      throw new Pop3Error("closed", "The POP3 session was closed", { phase: this.phase, command: this.currentCommand });
    this.emit("C", transcriptLine);
    this.socket.write(`${line}\r\n`);
  }

  private async exchange(
    line: string,
    transcriptLine: string,
    command: string,
  ): Promise<{ kind: "ok" | "err" | "continue"; text: string; responseCode?: string }> {
    this.currentCommand = command;
    this.send(line, transcriptLine);
    const reply = await this.readLine(command);
    const status = parseStatus(reply);
    if (status) return { kind: status.ok ? "ok" : "err", text: status.text, responseCode: status.responseCode };
    // RFC 5034 continuation: "+" alone or "+ <base64>".
    if (reply === "+" || reply.startsWith("+ ")) return { kind: "continue", text: reply.slice(1).trim() };
    const error = new Pop3Error("protocol", `Unexpected answer to ${command}`, {
      phase: "command",
      command,
      serverText: sanitize(this.mask(reply)),
    });
    this.fail(error);
    throw error;
  }

  /** A command that must be answered +OK; a -ERR becomes `errorCode` and leaves the session open. */
  private async command(line: string, transcriptLine: string, errorCode: Pop3ErrorCode): Promise<string> {
    const reply = await this.exchange(line, transcriptLine, line.split(" ")[0]!);
    if (reply.kind === "ok") return reply.text;
    if (reply.kind === "err") {
      throw new Pop3Error(errorCode, `The server refused ${line.split(" ")[0]}: ${sanitize(this.mask(reply.text)) || "-ERR"}`, {
        phase: "command",
        command: line.split(" ")[0],
        serverText: sanitize(this.mask(reply.text)),
        responseCode: reply.responseCode,
      });
    }
    const error = new Pop3Error("protocol", `Unexpected continuation in answer to ${line.split(" ")[0]}`, {
      phase: "command",
      command: line.split(" ")[0],
    });
    this.fail(error);
    throw error;
  }

  private authResult(
    reply: { kind: "ok" | "err" | "continue"; text: string; responseCode?: string },
    command: string,
    challenge?: Xoauth2ErrorChallenge,
  ): void {
    if (reply.kind === "ok") return;
    if (reply.kind === "err") {
      const text = sanitize(this.mask(reply.text));
      throw new Pop3Error("auth_failed", `Authentication failed (${command}): ${text || "-ERR"}`, {
        phase: "command",
        command,
        serverText: text,
        responseCode: reply.responseCode,
        challenge,
      });
    }
    const error = new Pop3Error("protocol", `Unexpected continuation in answer to ${command}`, { phase: "command", command });
    this.fail(error);
    throw error;
  }

  private encode(build: () => string, command: string): string {
    try {
      return build();
    } catch (error) {
      if (error instanceof SaslEncodingError)
        throw new Pop3Error("invalid_argument", error.message, { phase: "command", command });
      throw error;
    }
  }

  private assertLine(value: string, command: string) {
    if (/[\r\n\x00]/.test(value))
      throw new Pop3Error("invalid_argument", `The ${command} argument contains a line break or NUL`, {
        phase: "command",
        command,
      });
  }

  // ---- transcript --------------------------------------------------------------------------------

  private remember(...secrets: string[]) {
    for (const secret of secrets) if (secret.length >= 4) this.secrets.add(secret);
  }

  /** Masks any credential of this session that a server might echo back. */
  private mask(text: string): string {
    let out = text;
    for (const secret of this.secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTION_MASK);
    return out;
  }

  private emit(direction: TranscriptDirection, line: string) {
    const callback = this.options.transcript;
    if (!callback) return;
    try {
      callback(direction, sanitize(this.mask(line)));
    } catch {
      // A failing transcript consumer must not break the session it is watching.
    }
  }
}
