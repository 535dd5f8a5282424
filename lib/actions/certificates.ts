"use server";
// Every export of a "use server" file is a public endpoint: only actions live here.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { defineAction } from "@/lib/actions/define-action";
import {
  deleteCertificate,
  generateCertificate,
  importCertificateFromPem,
  importCertificateFromPfx,
  renameCertificate,
} from "@/lib/certs/certificate-store";
import { generateCertificateSchema, importPemCertificateSchema, importPfxCertificateSchema } from "@/lib/certs/schema";
import type { GeneratedKeySize } from "@/lib/certs/generate";

const certificateId = z.string().min(1).max(64);

export const generateCertificateAction = defineAction("generateCertificate", generateCertificateSchema, async (input) => {
  const saved = await generateCertificate({
    name: input.name,
    commonName: input.commonName.trim(),
    keySize: Number(input.keySize) as GeneratedKeySize,
    validityDays: Number(input.validityDays),
  });
  revalidatePath("/certificates");
  return saved;
});

export const importPemCertificateAction = defineAction("importPemCertificate", importPemCertificateSchema, async (input) => {
  const saved = await importCertificateFromPem(input);
  revalidatePath("/certificates");
  return saved;
});

export const importPfxCertificateAction = defineAction("importPfxCertificate", importPfxCertificateSchema, async (input) => {
  const saved = await importCertificateFromPfx({ name: input.name, pfx: Buffer.from(input.pfxBase64, "base64"), password: input.password });
  revalidatePath("/certificates");
  return saved;
});

export const renameCertificateAction = defineAction(
  "renameCertificate",
  z.object({ id: certificateId, name: z.string().max(1000) }),
  async ({ id, name }) => {
    await renameCertificate(id, name);
    revalidatePath("/certificates");
    return { id };
  },
);

export const deleteCertificateAction = defineAction("deleteCertificate", z.object({ id: certificateId }), async ({ id }) => {
  await deleteCertificate(id);
  revalidatePath("/certificates");
  return { id };
});
