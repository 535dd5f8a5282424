import "server-only";
import { prisma } from "@/lib/db/client";
import { nameSchema } from "@/lib/profiles/schema";
import type { SecretField } from "@/lib/profiles/secret-fields";
import { nameKey } from "@/lib/profiles/summary";
import type { ImportError } from "@/lib/transfer/import-error";
import { jsonPath } from "@/lib/transfer/json-path";
import type { ParsedDocument } from "@/lib/transfer/parse-import";

/**
 * What an import would do, shown to the admin before anything is written: name clashes to resolve
 * (rename, skip or replace), secrets the file left out, and what happens to each certificate.
 * Holds no secret, so it can be sent to the browser as it is.
 */

export interface ExistingProfile {
  id: string;
  name: string;
  version: number;
}

export interface ExistingCertificate {
  id: string;
  name: string;
  sha1Hex: string;
}

export interface ImportTargets {
  profiles: ExistingProfile[];
  certificates: ExistingCertificate[];
}

export type CertificatePlan =
  /** travelled inline; this console already stores a certificate with the same SHA-1 thumbprint */
  | { action: "reuse"; sha1Hex: string; subject: string; certificate: { id: string; name: string } }
  /** travelled inline with its key; becomes a new stored certificate */
  | { action: "store"; sha1Hex: string; subject: string; notAfter: string }
  /** travelled inline without its key and is not stored here: the profile keeps the certificate and asks for the key */
  | { action: "keep_in_profile"; sha1Hex: string; subject: string }
  /** the document names a stored certificate with {"ref": …} and it exists here */
  | { action: "reference"; certificate: { id: string; name: string } };

export interface PlanItem {
  index: number;
  /** `$` or `$[i]` */
  path: string;
  name: string;
  /** an existing profile with the same name (compared without regard to case) */
  clash: ExistingProfile | null;
  /** an earlier document of the same file with the same name */
  sameNameAs: number | null;
  /** true when the admin must choose rename, skip or replace (or rename/skip for a duplicate in the file) */
  needsDecision: boolean;
  /** secrets the file left out: the profile is saved without them and the Test asks for them */
  missingSecrets: SecretField[];
  certificate: CertificatePlan | null;
  /** problems that stop this document from being imported (it can be skipped) */
  problems: ImportError[];
  notes: string[];
}

export interface ImportPlan {
  items: PlanItem[];
  /** documents that need a decision before the import can run */
  decisionsNeeded: number;
  /** documents with problems (they must be skipped, or the file fixed) */
  blocked: number;
}

export type ImportDecision =
  | { index: number; action: "create" }
  | { index: number; action: "rename"; name: string }
  | { index: number; action: "skip" }
  /** update the existing profile of the same name; expectedVersion (from the plan) guards against a save in between */
  | { index: number; action: "replace"; expectedVersion?: number };

export type ImportStep =
  | { index: number; action: "create"; name: string }
  | { index: number; action: "replace"; name: string; target: ExistingProfile; expectedVersion: number | undefined }
  | { index: number; action: "skip" };

/** The profiles and certificates an import is planned against. */
export async function readImportTargets(): Promise<ImportTargets> {
  const [profiles, certificates] = await Promise.all([
    prisma.profile.findMany({ select: { id: true, name: true, version: true } }),
    prisma.certificate.findMany({ select: { id: true, name: true, sha1Hex: true } }),
  ]);
  return { profiles, certificates };
}

function planCertificate(
  document: ParsedDocument,
  targets: ImportTargets,
): { plan: CertificatePlan | null; problem?: ImportError } {
  const inline = document.certificate;
  if (inline) {
    const existing = targets.certificates.find((c) => c.sha1Hex.toUpperCase() === inline.sha1Hex);
    if (existing)
      return {
        plan: {
          action: "reuse",
          sha1Hex: inline.sha1Hex,
          subject: inline.subject,
          certificate: { id: existing.id, name: existing.name },
        },
      };
    if (inline.privateKeyPem === null)
      return { plan: { action: "keep_in_profile", sha1Hex: inline.sha1Hex, subject: inline.subject } };
    const plan: CertificatePlan = {
      action: "store",
      sha1Hex: inline.sha1Hex,
      subject: inline.subject,
      notAfter: inline.notAfter,
    };
    if (inline.expiryStatus === "expired" || inline.expiryStatus === "not_yet_valid") {
      const when = inline.expiryStatus === "expired" ? `expired on ${inline.notAfter.slice(0, 10)}` : "is not valid yet";
      return {
        plan,
        problem: {
          path: jsonPath(["authentication", "certificate", "certificatePem"], document.path),
          code: "certificate",
          message: `The certificate ${inline.subject} ${when}, so it cannot be added to the certificate store: renew it, or skip this profile`,
        },
      };
    }
    return { plan };
  }
  const auth = document.input.authentication;
  if (auth.type === "oauth2" && auth.method === "client_certificate" && auth.certificate.source === "stored") {
    const ref = auth.certificate.certificateId;
    const found =
      targets.certificates.find((c) => c.id === ref) ?? targets.certificates.find((c) => nameKey(c.name) === nameKey(ref));
    if (found) return { plan: { action: "reference", certificate: { id: found.id, name: found.name } } };
    return {
      plan: null,
      problem: {
        path: jsonPath(["authentication", "certificate", "ref"], document.path),
        code: "certificate",
        message: `No stored certificate is called "${ref}" here: import the certificate first (Certificates), or export the profile again so the certificate travels with it`,
      },
    };
  }
  return { plan: null };
}

/** Secrets still missing once the certificate plan is known (a stored or reused certificate brings its own key). */
function missingAfter(document: ParsedDocument, plan: CertificatePlan | null): SecretField[] {
  if (plan?.action === "reuse" || plan?.action === "store" || plan?.action === "reference") {
    return document.missingSecrets.filter((f) => f !== "private_key" && f !== "private_key_passphrase");
  }
  return document.missingSecrets;
}

export function planImport(parsed: ParsedDocument[], targets: ImportTargets): ImportPlan {
  const byKey = new Map(targets.profiles.map((p) => [nameKey(p.name), p]));
  const firstInFile = new Map<string, number>();
  const items = parsed.map((document): PlanItem => {
    const key = nameKey(document.name);
    const sameNameAs = firstInFile.get(key) ?? null;
    if (sameNameAs === null) firstInFile.set(key, document.index);
    const clash = byKey.get(key) ?? null;
    const certificate = planCertificate(document, targets);
    return {
      index: document.index,
      path: document.path,
      name: document.name,
      clash,
      sameNameAs,
      needsDecision: clash !== null || sameNameAs !== null,
      missingSecrets: missingAfter(document, certificate.plan),
      certificate: certificate.plan,
      problems: certificate.problem ? [certificate.problem] : [],
      notes: document.notes,
    };
  });
  return {
    items,
    decisionsNeeded: items.filter((i) => i.needsDecision).length,
    blocked: items.filter((i) => i.problems.length > 0).length,
  };
}

/**
 * Checks the admin's decisions against the plan and returns one step per document, or every reason
 * the decisions cannot be carried out. Final names must be unique among themselves and free in the
 * database, except for a replace, which keeps the name of the profile it updates.
 */
export function resolveDecisions(
  plan: ImportPlan,
  decisions: readonly ImportDecision[],
  targets: ImportTargets,
): { ok: true; steps: ImportStep[] } | { ok: false; errors: ImportError[] } {
  const existingByKey = new Map(targets.profiles.map((p) => [nameKey(p.name), p]));
  const errors: ImportError[] = [];
  const byIndex = new Map<number, ImportDecision>();
  const known = new Set(plan.items.map((i) => i.index));
  for (const decision of decisions) {
    if (!known.has(decision.index))
      errors.push({
        path: jsonPath([decision.index]),
        code: "decision",
        message: `There is no document ${decision.index + 1} in this file`,
      });
    else if (byIndex.has(decision.index))
      errors.push({ path: jsonPath([decision.index]), code: "decision", message: "Two decisions for the same document" });
    else byIndex.set(decision.index, decision);
  }

  const steps: ImportStep[] = [];
  const finalNames = new Map<string, number>();
  const replaced = new Map<string, number>();
  for (const item of plan.items) {
    const decision = byIndex.get(item.index) ?? { index: item.index, action: "create" as const };
    const namePath = jsonPath(["name"], item.path);
    if (decision.action === "skip") {
      steps.push({ index: item.index, action: "skip" });
      continue;
    }
    errors.push(...item.problems);
    let name = item.name;
    if (decision.action === "rename") {
      const checked = nameSchema.safeParse(decision.name);
      if (!checked.success) {
        errors.push({ path: namePath, code: "decision", message: `New name: ${checked.error.issues[0]!.message}` });
        continue;
      }
      name = decision.name.trim();
    }
    const key = nameKey(name);
    if (decision.action === "replace") {
      if (!item.clash) {
        errors.push({
          path: namePath,
          code: "decision",
          message: `No profile named "${item.name}" exists here to replace: import it as new`,
        });
        continue;
      }
      const earlier = replaced.get(item.clash.id);
      if (earlier !== undefined) {
        errors.push({
          path: namePath,
          code: "decision",
          message: `Document ${earlier + 1} already replaces "${item.clash.name}": rename or skip one of them`,
        });
        continue;
      }
      replaced.set(item.clash.id, item.index);
      steps.push({ index: item.index, action: "replace", name, target: item.clash, expectedVersion: decision.expectedVersion });
    } else {
      const existing = existingByKey.get(key);
      if (existing) {
        errors.push({
          path: namePath,
          code: "name_clash",
          message:
            decision.action === "rename"
              ? `A profile named "${existing.name}" already exists: choose another name`
              : `A profile named "${existing.name}" already exists: choose rename, skip or replace`,
        });
        continue;
      }
      steps.push({ index: item.index, action: "create", name });
    }
    const other = finalNames.get(key);
    if (other !== undefined) {
      errors.push({
        path: namePath,
        code: "name_clash",
        message: `Document ${other + 1} of this file is also named "${name}": rename or skip one of them`,
      });
    } else finalNames.set(key, item.index);
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, steps };
}
