import "server-only";
import crypto from "node:crypto";
import { prisma } from "@/lib/db/client";
import { storedSecretFlags } from "@/lib/db/profiles";
import { importPemCertificate, type ImportedCertificate } from "@/lib/certs/import";
import { isAppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { tokenCache } from "@/lib/oauth/token-cache";
import { validateProfileInput } from "@/lib/profile-operations/profile-service";
import type { ProfileInput } from "@/lib/profiles/schema";
import { noStoredSecrets, type SecretField, type StoredSecretFlags } from "@/lib/profiles/secret-fields";
import { nameKey } from "@/lib/profiles/summary";
import type { ImportError } from "@/lib/transfer/import-error";
import { freeCertificateName } from "@/lib/transfer/import-writes";
import { storeCertificate } from "@/lib/certs/certificate-store";
import { auditActor, insertProfile, overwriteProfile } from "@/lib/profile-operations/profile-service";
import { requireAbility, requireProfile } from "@/lib/auth/access";
import { audit } from "@/lib/audit/record";
import type { CurrentUser } from "@/lib/auth/session";
import { inputFieldPath } from "@/lib/transfer/input-paths";
import { jsonPath } from "@/lib/transfer/json-path";
import type { ParsedDocument } from "@/lib/transfer/parse-import";
import {
  planImport,
  readImportTargets,
  resolveDecisions,
  type ImportDecision,
  type ImportStep,
} from "@/lib/transfer/plan-import";

/**
 * Carries out an import: every create, replace, secret and certificate in ONE database transaction,
 * so a failure at document 7 of 10 leaves the database exactly as it was. Everything that can be
 * checked beforehand (decisions, names, validation through profile-service's validateProfileInput,
 * certificates) is checked before the transaction opens and reported together; inside it, names and
 * versions are checked again because another admin may have saved in between.
 *
 * Profiles with missing secrets are saved without them; the Test asks for them later.
 */

export interface ImportedProfile {
  index: number;
  id: string;
  name: string;
  version: number;
  /** secrets the profile still lacks */
  missingSecrets: SecretField[];
}

export interface CertificateRef {
  id: string;
  name: string;
}

export type ApplyImportResult =
  | {
      ok: true;
      created: ImportedProfile[];
      replaced: ImportedProfile[];
      skipped: { index: number; name: string }[];
      certificates: { created: CertificateRef[]; reused: CertificateRef[] };
    }
  | { ok: false; errors: ImportError[] };

/** Thrown inside the transaction to roll it back with errors to report. */
class ImportAbort extends Error {
  constructor(readonly errors: ImportError[]) {
    super("import aborted");
  }
}

interface PreparedStep {
  step: Exclude<ImportStep, { action: "skip" }>;
  path: string;
  input: ProfileInput;
  missingSecrets: SecretField[];
}

interface NewCertificate {
  id: string;
  material: ImportedCertificate;
}

function pointAtStoredCertificate(input: ProfileInput, certificateId: string) {
  input.authentication.certificate = {
    source: "stored",
    certificateId,
    certificatePem: "",
    privateKeyPem: "",
    privateKeyPassphrase: "",
  };
}

const isUniqueViolation = (error: unknown) =>
  typeof error === "object" && error !== null && (error as { code?: string }).code === "P2002";

export async function applyImport(
  parsed: readonly ParsedDocument[],
  decisions: readonly ImportDecision[] = [],
  actor: CurrentUser,
): Promise<ApplyImportResult> {
  requireAbility(actor, "importProfiles", "Viewers cannot import profiles. Ask an admin for the Editor role.");
  const targets = await readImportTargets();
  const plan = planImport([...parsed], targets);
  const resolved = resolveDecisions(plan, decisions, targets);
  if (!resolved.ok) return resolved;

  const documents = new Map(parsed.map((d) => [d.index, d]));
  const items = new Map(plan.items.map((i) => [i.index, i]));
  const newCertificates = new Map<string, NewCertificate>();
  const reusedCertificates = new Map<string, CertificateRef>();
  const prepared: PreparedStep[] = [];
  const skipped: { index: number; name: string }[] = [];
  const errors: ImportError[] = [];

  for (const step of resolved.steps) {
    const document = documents.get(step.index)!;
    const item = items.get(step.index)!;
    if (step.action === "skip") {
      skipped.push({ index: step.index, name: document.name });
      continue;
    }
    const input = structuredClone(document.input);
    input.name = step.name;
    const certificate = item.certificate;
    if (certificate?.action === "reuse" || certificate?.action === "reference") {
      pointAtStoredCertificate(input, certificate.certificate.id);
      if (certificate.action === "reuse") reusedCertificates.set(certificate.certificate.id, certificate.certificate);
    } else if (certificate?.action === "store") {
      let entry = newCertificates.get(certificate.sha1Hex);
      if (!entry) {
        // the store's own rules (RSA, 2048 bits, currently valid, key matches) before anything is written
        const checked = importPemCertificate({
          certificatePem: document.certificate!.certificatePem,
          privateKeyPem: document.certificate!.privateKeyPem!,
        });
        if (!checked.ok) {
          errors.push({
            path: jsonPath(["authentication", "certificate", "certificatePem"], document.path),
            code: "certificate",
            message: checked.message,
          });
          continue;
        }
        entry = { id: crypto.randomUUID(), material: checked };
        newCertificates.set(certificate.sha1Hex, entry);
      }
      pointAtStoredCertificate(input, entry.id);
    }
    if (step.action === "replace") await requireProfile(actor, step.target.id, "edit");
    if (step.action === "replace" && step.expectedVersion !== undefined && step.expectedVersion !== step.target.version) {
      errors.push({
        path: jsonPath(["name"], document.path),
        code: "version_conflict",
        message: `"${step.target.name}" was saved by someone else after the import was planned: review the plan again`,
      });
      continue;
    }
    const existing: StoredSecretFlags = step.action === "replace" ? await storedSecretFlags(step.target.id) : noStoredSecrets;
    // A secret the file left out counts as present for validation: the profile is saved without it.
    const flags: StoredSecretFlags = { ...existing };
    for (const field of item.missingSecrets) flags[field] = true;
    try {
      const validated = validateProfileInput(input, flags);
      prepared.push({
        step,
        path: document.path,
        input: validated,
        missingSecrets: item.missingSecrets.filter((f) => !existing[f]),
      });
    } catch (error) {
      if (!isAppError(error)) throw error;
      const fields = Object.entries(error.fields ?? { _form: error.userMessage });
      errors.push(
        ...fields.map(([field, message]) => ({
          path: inputFieldPath(input, field, document.path),
          code: "invalid" as const,
          message,
        })),
      );
    }
  }
  if (errors.length > 0) return { ok: false, errors };

  const created: ImportedProfile[] = [];
  const replaced: ImportedProfile[] = [];
  const createdCertificates: CertificateRef[] = [];
  try {
    await prisma.$transaction(
      async (tx) => {
        const actualId = new Map<string, string>();
        for (const [sha1Hex, entry] of newCertificates) {
          // stored by someone else since the plan was made: reuse theirs, as the plan would have
          const same = await tx.certificate.findFirst({ where: { sha1Hex }, select: { id: true, name: true } });
          if (same) {
            actualId.set(entry.id, same.id);
            reusedCertificates.set(same.id, same);
            continue;
          }
          const name = await freeCertificateName(tx, entry.material.certificate.subject);
          await storeCertificate(tx, {
            id: entry.id,
            name,
            source: "import",
            certificatePem: entry.material.certificatePem,
            privateKeyPem: entry.material.privateKeyPem,
            chainPem: entry.material.chainPem,
            createdById: actor.id === "cli" ? null : actor.id,
          });
          await audit(
            {
              actor: auditActor(actor),
              action: "certificate.imported",
              object: { type: "certificate", id: entry.id, label: name },
              detail: { format: "profile import" },
            },
            tx,
          );
          createdCertificates.push({ id: entry.id, name });
        }
        for (const { step, path, input, missingSecrets } of prepared) {
          const certificate = input.authentication.certificate;
          if (certificate.source === "stored")
            certificate.certificateId = actualId.get(certificate.certificateId) ?? certificate.certificateId;
          if (step.action === "create") {
            const taken = await tx.profile.findUnique({ where: { nameKey: nameKey(input.name) }, select: { name: true } });
            if (taken) {
              throw new ImportAbort([
                {
                  path: jsonPath(["name"], path),
                  code: "name_clash",
                  message: `A profile named "${taken.name}" was saved while the import ran: nothing was imported; review the plan again`,
                },
              ]);
            }
            const { id } = await insertProfile(tx, input, actor, { action: "imported", extra: { missingSecrets } });
            created.push({ index: step.index, id, name: input.name.trim(), version: 1, missingSecrets });
          } else {
            const current = await tx.profile.findUnique({ where: { id: step.target.id }, select: { version: true } });
            const expected = step.expectedVersion ?? step.target.version;
            if (!current || current.version !== expected) {
              throw new ImportAbort([
                {
                  path: jsonPath(["name"], path),
                  code: "version_conflict",
                  message: current
                    ? `"${step.target.name}" was saved by someone else while the import ran: nothing was imported; review the plan again`
                    : `"${step.target.name}" was deleted while the import ran: nothing was imported; review the plan again`,
                },
              ]);
            }
            try {
              // the file decides where the profile points: a stored secret bound elsewhere is removed and asked for
              const { droppedSecrets } = await overwriteProfile(tx, step.target.id, expected, input, actor, {
                action: "imported",
                extra: { missingSecrets },
                retargetedSecrets: "drop",
              });
              missingSecrets.push(...droppedSecrets.filter((field) => !missingSecrets.includes(field)));
            } catch (error) {
              if (isAppError(error) && error.code === "version_conflict") {
                throw new ImportAbort([
                  {
                    path: jsonPath(["name"], path),
                    code: "version_conflict",
                    message: `"${step.target.name}" changed while the import ran: nothing was imported`,
                  },
                ]);
              }
              throw error;
            }
            replaced.push({
              index: step.index,
              id: step.target.id,
              name: input.name.trim(),
              version: expected + 1,
              missingSecrets,
            });
          }
        }
      },
      // a thousand profiles with encryption take a while; the default 5 s would cut a large import off
      { maxWait: 10_000, timeout: 120_000 },
    );
  } catch (error) {
    if (error instanceof ImportAbort) return { ok: false, errors: error.errors };
    if (isUniqueViolation(error)) {
      return {
        ok: false,
        errors: [
          {
            path: "$",
            code: "name_clash",
            message:
              "A profile or certificate with one of these names was saved while the import ran: nothing was imported; review the plan again",
          },
        ],
      };
    }
    throw error;
  }
  // cached tokens were issued for the replaced settings
  for (const profile of replaced) tokenCache.invalidateProfile(profile.id);
  log.info("profiles imported", {
    created: created.length,
    replaced: replaced.length,
    skipped: skipped.length,
    certificatesCreated: createdCertificates.length,
  });
  return {
    ok: true,
    created,
    replaced,
    skipped,
    certificates: { created: createdCertificates, reused: [...reusedCertificates.values()] },
  };
}
