import "server-only";
/** What the mail probes (IMAP, POP3) get from the orchestrator in run-test.ts. */
import type net from "node:net";
import type { TlsTarget } from "@/lib/diagnostics/connection";
import type { MailContext } from "@/lib/diagnostics/explain";
import type { TestSettings } from "@/lib/diagnostics/settings";
import type { StepLedger } from "@/lib/diagnostics/steps";
import type { Transcript } from "@/lib/diagnostics/transcript";
import type { StepId } from "@/lib/diagnostics/types";

export type Credentials =
  { kind: "token"; user: string; accessToken: string } | { kind: "password"; user: string; password: string };

/** Rejected when no credentials will come: the token or claims step failed, or the test stopped. */
export class NoCredentials extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = "NoCredentials";
  }
}

/** Console defaults where JavaMail would wait forever. */
export const DEFAULT_TIMEOUTS = {
  dnsMs: 5_000,
  connectMs: 10_000,
  /** the wait for the TLS handshake, the greeting and each answer (JavaMail: mail.<store>.timeout) */
  readMs: 10_000,
  tokenMs: 15_000,
  logoutMs: 5_000,
} as const;

export interface ProbeContext {
  ledger: StepLedger;
  transcript: Transcript;
  settings: TestSettings;
  mail: MailContext;
  /** the connection after DNS, TCP and (implicit) TLS: paused, nothing read from it yet */
  socket: net.Socket;
  secure: boolean;
  readTimeoutMs: number;
  /** TLS settings for STARTTLS/STLS */
  tlsTarget(timeoutMs: number): TlsTarget;
  /** waits for the token branch (OAuth2) or returns the password; rejects with NoCredentials */
  credentials(capabilities: string[]): Promise<Credentials>;
  /** the mail side's own abort (a step timeout ends the session, not the token request) */
  signal: AbortSignal;
  /** starts a step with a time budget; on expiry the step fails as a timeout and the mail side is stopped */
  begin(step: StepId, budgetMs: number): void;
  /** clears a step's budget timer (the ledger keeps the first outcome anyway) */
  end(step: StepId): void;
  remainingMs(): number;
}
