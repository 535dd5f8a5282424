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

export const generateCertificateAction = defineAction(
  "generateCertificate",
  generateCertificateSchema,
  async (input, { user }) => {
    const saved = await generateCertificate(
      {
        name: input.name,
        commonName: input.commonName.trim(),
        keySize: Number(input.keySize) as GeneratedKeySize,
        validityDays: Number(input.validityDays),
      },
      user,
    );
    revalidatePath("/certificates");
    return saved;
  },
);

export const importPemCertificateAction = defineAction(
  "importPemCertificate",
  importPemCertificateSchema,
  async (input, { user }) => {
    const saved = await importCertificateFromPem(input, user);
    revalidatePath("/certificates");
    return saved;
  },
);

export const importPfxCertificateAction = defineAction(
  "importPfxCertificate",
  importPfxCertificateSchema,
  async (input, { user }) => {
    const saved = await importCertificateFromPfx(
      { name: input.name, pfx: Buffer.from(input.pfxBase64, "base64"), password: input.password },
      user,
    );
    revalidatePath("/certificates");
    return saved;
  },
);

export const renameCertificateAction = defineAction(
  "renameCertificate",
  z.object({ id: certificateId, name: z.string().max(1000) }),
  async ({ id, name }, { user }) => {
    await renameCertificate(id, name, user);
    revalidatePath("/certificates");
    return { id };
  },
);

export const deleteCertificateAction = defineAction(
  "deleteCertificate",
  z.object({ id: certificateId }),
  async ({ id }, { user }) => {
    await deleteCertificate(id, user);
    revalidatePath("/certificates");
    return { id };
  },
);
