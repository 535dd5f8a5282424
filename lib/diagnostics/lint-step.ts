import "server-only";
/**
 * The profile check that starts every Test, without any network: the form's own rules (so a draft
 * with errors is stopped with the same messages), the OAuth/Exchange advice of lintOAuthProfile with
 * the real secret (the form only has what was typed), and the JavaMail property findings. An error
 * stops the Test; warnings are reported and the Test goes on.
 */
import { lintOAuthProfile } from "@/lib/oauth/lint";
import { profileSchema } from "@/lib/profiles/schema";
import { noStoredSecrets, secretFields } from "@/lib/profiles/secret-fields";
import type { PropertyFindingSummary } from "@/lib/diagnostics/settings";
import type { StepOutcome } from "@/lib/diagnostics/steps";
import type { SubjectSecrets } from "@/lib/diagnostics/subject";
import type { TestSubject } from "@/lib/diagnostics/types";

/** Fields that do not affect a connection: an unnamed draft can still be tested. */
const IRRELEVANT = new Set(["name", "description"]);

export function lintStep(subject: TestSubject, secrets: SubjectSecrets, propertyFindings: PropertyFindingSummary[]): StepOutcome {
  const profile = subject.profile;
  const stored = { ...noStoredSecrets };
  for (const field of secretFields) stored[field] = !!secrets[field];
  if (subject.certificate) stored.private_key = true;
  const parsed = profileSchema.safeParse({ ...profile, secrets: { stored, clear: [] } });
  const errors: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      if (IRRELEVANT.has(String(issue.path[0]))) continue;
      errors.push(`${issue.path.join(".") || "profile"}: ${issue.message}`);
    }
  }
  if (
    profile.authentication.type === "oauth2" &&
    profile.authentication.method === "client_certificate" &&
    profile.authentication.certificate.source === "stored" &&
    profile.authentication.certificate.certificateId &&
    !subject.certificate
  ) {
    errors.push("authentication.certificate.certificateId: The stored certificate was not found: choose another one");
  }
  const warnings: string[] = [];
  // The schema already reports JavaMail property errors; only warnings are added here.
  for (const finding of propertyFindings) if (finding.level === "warning") warnings.push(`${finding.key}: ${finding.message}`);
  if (parsed.success || errors.length === 0) {
    for (const finding of lintOAuthProfile(profile, secrets.client_secret ? { clientSecret: secrets.client_secret } : {})) {
      if (finding.level === "error") errors.push(`${finding.path}: ${finding.message}`);
      else if (finding.level === "warning") warnings.push(`${finding.path}: ${finding.message}`);
    }
  }
  const data = { ...(errors.length ? { errors } : {}), ...(warnings.length ? { warnings } : {}) };
  if (errors.length) {
    return {
      status: "fail",
      detail: `The profile has ${errors.length === 1 ? "a problem" : `${errors.length} problems`} to fix before a connection is tried.`,
      cause: errors.join(" · "),
      fix: "Correct the fields named above and test again.",
      data,
    };
  }
  if (warnings.length) {
    return {
      status: "warn",
      detail: `${warnings.length === 1 ? "One warning" : `${warnings.length} warnings`}; the test goes on.`,
      cause: warnings.join(" · "),
      fix: "See each warning; the connection is tested as configured.",
      data,
    };
  }
  return { status: "ok", detail: "No problems found." };
}
