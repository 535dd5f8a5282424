import "server-only";
import { prisma } from "@/lib/db/client";
import { parseStoredDocument, readBoundProfileSecrets, storedSecretFlags } from "@/lib/db/profiles";
import { readCertificateKeyMaterial } from "@/lib/certs/certificate-store";
import type { TestEvent, TestResult, TestSubject } from "@/lib/diagnostics/types";
import { runConnectionTest } from "@/lib/diagnostics/run-test";
import { audit } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";
import { documentToInput, inputToDocument } from "@/lib/profiles/document";
import { requireAbility, requireProfile } from "@/lib/auth/access";
import { atLeast } from "@/lib/auth/permissions";
import { actorOf, type CurrentUser } from "@/lib/auth/session";
import { requireCertificateUse, validateProfileInput } from "@/lib/profile-operations/profile-service";
import { destinationsOf, tokenDestination } from "@/lib/profiles/destinations";
import type { ProfileInput } from "@/lib/profiles/schema";
import { retargetError, retargetedParts, storedBinding } from "@/lib/profile-operations/secret-binding";
import { noStoredSecrets, secretFields, type SecretField } from "@/lib/profiles/secret-fields";
import { secretsInUse, typedSecrets } from "@/lib/profiles/summary";

export interface PreparedTest {
  subject: TestSubject;
  /** true when the values tested are exactly the saved profile: only then is the result recorded on it */
  isSavedConfiguration: boolean;
  /** the stored secrets the Test will use (never their values): audited with the destinations */
  storedSecretsUsed: SecretField[];
}

/**
 * Builds what the Test runs from the form's current values, saved or not. Blank secret fields use
 * the stored values (unless the admin pressed Clear) — but only while the draft points where each
 * secret was saved to go (lib/profile-operations/secret-binding.ts): a draft that changes the mail server,
 * the token URL or the trust settings must carry the secret typed anew, at every access level, the
 * owner's included. Typed secrets are used as typed and never stored by a Test. Validation is the
 * form's own schema, so a draft with errors is refused before any network call, with the same
 * field messages.
 */
export async function prepareTest(user: CurrentUser, profileId: string | undefined, raw: unknown): Promise<PreparedTest> {
  let storedDocumentJson: string | undefined;
  let saved: ProfileInput | null = null;
  let stored = { ...noStoredSecrets };
  let values = raw;
  if (profileId) {
    const access = await requireProfile(user, profileId, "test");
    const row = await prisma.profile.findUnique({ where: { id: profileId }, select: { configJson: true } });
    if (!row) throw new AppError("not_found", "This profile no longer exists.");
    storedDocumentJson = row.configJson;
    saved = documentToInput(parseStoredDocument(row.configJson));
    stored = await storedSecretFlags(profileId);
    // With Use access the Test runs the saved configuration only: nothing of the draft is used.
    if (!atLeast(access.level, "edit")) values = saved;
  } else {
    requireAbility(user, "createProfile", "Viewers can test only profiles shared with them.");
  }
  const profile = validateProfileInput(values, stored);
  requireCertificateUse(user, profile, saved);
  const typed = typedSecrets(profile);
  const storedValues = profileId ? await readBoundProfileSecrets(profileId) : [];
  const secrets: Partial<Record<SecretField, string>> = {};
  const storedSecretsUsed: SecretField[] = [];
  const retargeted: Record<string, string> = {};
  const inUse = new Set(secretsInUse(profile.authentication));
  for (const field of secretFields) {
    if (!inUse.has(field)) continue;
    if (typed[field]) {
      secrets[field] = typed[field];
      continue;
    }
    const storedSecret = storedValues.find((s) => s.field === field);
    if (profile.secrets.clear.includes(field) || !storedSecret || !saved) continue;
    const parts = retargetedParts(storedBinding(storedSecret.destination, field, saved), profile, field);
    if (parts.length > 0) {
      const [path, message] = retargetError(profile, field, parts);
      retargeted[path] = message;
      continue;
    }
    secrets[field] = storedSecret.value;
    storedSecretsUsed.push(field);
  }
  if (Object.keys(retargeted).length > 0) {
    throw new AppError(
      "invalid_input",
      "A destination changed: type the secret again to test (see the message beside it).",
      retargeted,
    );
  }

  let certificate: TestSubject["certificate"];
  const auth = profile.authentication;
  if (auth.type === "oauth2" && auth.method === "client_certificate") {
    if (auth.certificate.source === "stored") {
      certificate = (await readCertificateKeyMaterial(auth.certificate.certificateId)) ?? undefined;
      if (!certificate) {
        throw new AppError("invalid_input", "Some fields need attention: see the messages beside them.", {
          "authentication.certificate.certificateId": "This certificate no longer exists: choose another one",
        });
      }
    } else if (secrets.private_key) {
      certificate = { certificatePem: auth.certificate.certificatePem, privateKeyPem: secrets.private_key };
    }
  }

  const noTypedSecrets = secretFields.every((field) => !typed[field]) && profile.secrets.clear.length === 0;
  const isSavedConfiguration =
    storedDocumentJson !== undefined &&
    noTypedSecrets &&
    JSON.stringify(inputToDocument(profile)) === JSON.stringify(parseStoredDocument(storedDocumentJson));
  return { subject: { profile, secrets, certificate, profileId }, isSavedConfiguration, storedSecretsUsed };
}

/** What the list shows: "verified 2 min ago" or "failing since …"; the result keeps only redacted data. */
export async function recordTestResult(profileId: string, result: TestResult): Promise<void> {
  const current = await prisma.profile.findUnique({
    where: { id: profileId },
    select: { lastTestOk: true, failingSince: true, updatedAt: true },
  });
  if (!current) return;
  const at = new Date(result.startedAt);
  await prisma.profile.update({
    where: { id: profileId },
    data: {
      lastTestAt: at,
      lastTestOk: result.ok,
      lastTestSummary: result.summary.slice(0, 500),
      failingSince: result.ok ? null : current.lastTestOk === false && current.failingSince ? current.failingSince : at,
      lastTestResult: JSON.stringify(result),
      // a Test is not an edit: neither "Updated" nor the version (the conflict check) moves
      updatedAt: current.updatedAt,
    },
  });
}

export async function lastTestResult(profileId: string): Promise<TestResult | null> {
  const row = await prisma.profile.findUnique({ where: { id: profileId }, select: { lastTestResult: true } });
  return row?.lastTestResult ? (JSON.parse(row.lastTestResult) as TestResult) : null;
}

/** Where a Test went, for its audit event: the mail server and, for OAuth, the token host. */
function testDestinations(profile: ProfileInput): { mailServer: string; tokenHost?: string } {
  const mailServer = destinationsOf(profile).mail;
  if (profile.authentication.type !== "oauth2") return { mailServer };
  const token = tokenDestination(profile.authentication);
  let tokenHost = token;
  try {
    tokenHost = new URL(token).host;
  } catch {
    // an unparsable URL never reached the network; it is recorded as typed
  }
  return { mailServer, tokenHost };
}

/**
 * After a Test: the result is recorded on the profile (only when the saved configuration was tested,
 * to completion) and the run is audited. Shared by the console's Test button and the REST API.
 */
export async function completeTest(
  user: CurrentUser,
  profileId: string | undefined,
  prepared: PreparedTest,
  result: TestResult,
  options: { aborted: boolean; via?: "api" },
): Promise<boolean> {
  const recorded = Boolean(profileId) && prepared.isSavedConfiguration && !options.aborted;
  if (recorded) await recordTestResult(profileId!, result).catch(() => undefined);
  await audit({
    actor: actorOf(user),
    action: "profile.tested",
    object: { type: "profile", id: profileId ?? null, label: prepared.subject.profile.name },
    detail: {
      ok: result.ok,
      summary: result.summary,
      draft: !prepared.isSavedConfiguration,
      ...testDestinations(prepared.subject.profile),
      storedSecretsUsed: prepared.storedSecretsUsed,
      ...(options.via ? { via: options.via } : {}),
    },
  });
  return recorded;
}

/**
 * The Test as NDJSON, one event per line as each step finishes (the last is {"type":"done",…}).
 * Closing the request aborts the test and every connection it opened.
 */
export function streamTest(
  user: CurrentUser,
  profileId: string | undefined,
  prepared: PreparedTest,
  options: { freshToken: boolean; signal: AbortSignal; via?: "api" },
): Response {
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (event: TestEvent) => {
        try {
          controller.enqueue(encoder.encode(`${JSON.stringify(event)}\n`));
        } catch {
          // the client went away; the abort signal stops the test
        }
      };
      const result = await runConnectionTest(prepared.subject, {
        onEvent: send,
        signal: options.signal,
        freshToken: options.freshToken,
      });
      await completeTest(user, profileId, prepared, result, { aborted: options.signal.aborted, via: options.via }).catch(
        () => undefined,
      );
      try {
        controller.close();
      } catch {
        // already closed by a cancelled request
      }
    },
  });
  return new Response(stream, {
    headers: {
      "Content-Type": "application/x-ndjson; charset=utf-8",
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
