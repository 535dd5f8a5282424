import "server-only";
import crypto from "node:crypto";
import type { Tx } from "@/lib/db/client";
import { nameKey } from "@/lib/profiles/summary";

/** The first free certificate name for an imported certificate: the subject's CN, then "CN (2)", … */
export async function freeCertificateName(tx: Tx, subject: string): Promise<string> {
  const cn = /(?:^|,\s*)CN=([^,]+)/.exec(subject)?.[1]?.trim();
  const base = (cn || "Imported certificate").slice(0, 90);
  for (let n = 1; n < 1000; n++) {
    const candidate = n === 1 ? base : `${base} (${n})`;
    if (!(await tx.certificate.findUnique({ where: { nameKey: nameKey(candidate) }, select: { id: true } }))) return candidate;
  }
  return `${base} ${crypto.randomUUID().slice(0, 8)}`;
}
