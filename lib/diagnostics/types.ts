/**
 * The Test's public contract: what the staged connection test reports, step by step and as one
 * result. Shared by the engine (run-test.ts), the streaming route, the result panel and the CLI.
 * Client-safe: types and constants only, no Node imports. Every text in here is already redacted
 * when the engine hands it out.
 */

import type { ProfileInput } from "@/lib/profiles/schema";
import type { SecretField } from "@/lib/profiles/secret-fields";

export type StepId =
  "lint" | "dns" | "tcp" | "tls" | "greeting" | "starttls" | "token" | "claims" | "authenticate" | "mailbox" | "logout";

export type StepStatus = "ok" | "warn" | "fail" | "skipped";

export interface TestStep {
  step: StepId;
  title: string;
  status: StepStatus;
  /** how long the step ran; 0 for a skipped step */
  ms: number;
  /** one sentence: what was found (or, for a skipped step, why it did not run) */
  detail: string;
  /** for fail and warn: what went wrong, in plain words */
  cause?: string;
  /** for fail and warn: what to change */
  fix?: string;
  /** facts for the details view: TLS version, certificate subject, capabilities, AADSTS codes, trace ids… */
  data?: Record<string, string | number | boolean | string[]>;
}

export interface TranscriptLine {
  /** ms since the test started */
  t: number;
  channel: "imap" | "pop3" | "token" | "tls" | "note";
  /** C = sent by the console, S = sent by the server, - = a note of ours */
  direction: "C" | "S" | "-";
  /** already redacted */
  text: string;
}

export interface PropertyReport {
  applied: { key: string; value: string; effect: string }[];
  ignored: { key: string; reason: string }[];
}

export interface TestResult {
  ok: boolean;
  /** e.g. "Connected: INBOX holds 1,204 messages (412 ms)", or the first failing step in plain words */
  summary: string;
  /** ISO 8601 */
  startedAt: string;
  ms: number;
  protocol: "imap" | "pop3";
  /** every step of STEP_ORDER exactly once, in that order */
  steps: TestStep[];
  properties: PropertyReport;
  transcript: TranscriptLine[];
}

export type TestEvent =
  /** the steps of this test, in order (steps that do not apply are in it too and end as skipped) */
  | { type: "plan"; steps: { step: StepId; title: string }[] }
  /** a step started (spinner on) */
  | { type: "step-start"; step: StepId; title: string }
  /** a step finished, with any status */
  | { type: "step"; result: TestStep }
  | { type: "done"; result: TestResult };

/** The order steps are listed in. The token and claims steps run at the same time as DNS…STARTTLS. */
export const STEP_ORDER: readonly StepId[] = [
  "lint",
  "dns",
  "tcp",
  "tls",
  "greeting",
  "starttls",
  "token",
  "claims",
  "authenticate",
  "mailbox",
  "logout",
];

export const STEP_TITLES: Record<StepId, string> = {
  lint: "Profile check",
  dns: "DNS lookup",
  tcp: "TCP connection",
  tls: "TLS handshake",
  greeting: "Greeting and capabilities",
  starttls: "STARTTLS",
  token: "Access token",
  claims: "Token claims",
  authenticate: "Authentication",
  mailbox: "Mailbox",
  logout: "Logout",
};

/** What a Test runs on: the profile as the form has it, with the secrets it needs already decrypted. */
export interface TestSubject {
  profile: ProfileInput;
  /** stored (decrypted) secrets; a value typed into the profile takes precedence */
  secrets: Partial<Record<SecretField, string>>;
  /** the key material of a stored certificate (Client certificate method with a certificate reference) */
  certificate?: { certificatePem: string; privateKeyPem: string };
  /** CAs trusted for this run only (CLI --ca-file), PEM */
  extraCaPem?: string;
  /** the saved profile's id: keys the token cache; absent for a draft */
  profileId?: string;
}

export interface RunTestOptions {
  onEvent?: (event: TestEvent) => void;
  signal?: AbortSignal;
  /** total limit for the whole test; default 30 000 ms */
  timeoutMs?: number;
  /** request a new token instead of a cached one; default true (new consent and roles show at once) */
  freshToken?: boolean;
  now?: () => Date;
}
