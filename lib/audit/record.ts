import "server-only";
import crypto from "node:crypto";
import { prisma, type Tx } from "@/lib/db/client";
import { log } from "@/lib/log";
import { redactText } from "@/lib/crypto/redact";

export type AuditAction =
  | "auth.sign_in"
  | "auth.sign_in_failed"
  | "auth.sign_out"
  | "auth.password_changed"
  | "auth.owner_created"
  | "user.invited"
  | "user.joined"
  | "user.role_changed"
  | "user.disabled"
  | "user.enabled"
  | "user.removed"
  | "user.password_reset"
  | "user.sign_in_unlocked"
  | "user.renamed"
  | "profile.created"
  | "profile.updated"
  | "profile.duplicated"
  | "profile.deleted"
  | "profile.restored"
  | "profile.tested"
  | "profile.shared"
  | "profile.unshared"
  | "profile.exported"
  | "profile.imported"
  | "certificate.generated"
  | "certificate.imported"
  | "certificate.downloaded"
  | "certificate.key_exported"
  | "certificate.deleted"
  | "api_token.created"
  | "api_token.revoked";

export interface AuditActor {
  id: string | null;
  label: string;
}

export interface AuditEntry {
  actor: AuditActor;
  action: AuditAction;
  object?: {
    type: "profile" | "certificate" | "user" | "api_token" | "export" | "session";
    id?: string | null;
    label?: string | null;
  };
  /** field names, counts, results — never a secret value (passed through redaction regardless) */
  detail?: Record<string, unknown>;
  ip?: string | null;
}

export const SYSTEM_ACTOR: AuditActor = { id: null, label: "system" };

/**
 * Appends one event. Inside a transaction (tx) the event commits or rolls back with the change it
 * describes; without one, a failure to audit is logged and does not undo the user's action.
 */
export async function audit(entry: AuditEntry, tx?: Tx): Promise<void> {
  const data = {
    id: crypto.randomUUID(),
    actorId: entry.actor.id,
    actorLabel: entry.actor.label.slice(0, 320),
    action: entry.action,
    objectType: entry.object?.type ?? null,
    objectId: entry.object?.id ?? null,
    objectLabel: entry.object?.label?.slice(0, 200) ?? null,
    detail: entry.detail ? redactText(JSON.stringify(entry.detail)).slice(0, 8000) : null,
    ip: entry.ip ?? null,
  };
  if (tx) {
    await tx.auditEvent.create({ data });
    return;
  }
  try {
    await prisma.auditEvent.create({ data });
  } catch (error) {
    log.error("audit write failed", { action: entry.action, error: error instanceof Error ? error.message : String(error) });
  }
}
