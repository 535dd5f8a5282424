/** Form schemas of the Certificates screens, shared by the forms and the server actions. Client-safe. */
import { z } from "zod";
import { multiLine, singleLine } from "@/lib/profiles/schema";

const nameField = singleLine(100).refine((v) => v.trim().length > 0, "Enter a name");
const MAX_PFX_BASE64 = 1_400_000; // about 1 MiB of PFX

export const generateCertificateSchema = z.object({
  name: nameField,
  commonName: singleLine(64).refine((v) => v.trim().length > 0, "Enter the subject common name, e.g. mail-connector"),
  keySize: z.enum(["2048", "3072", "4096"]),
  validityDays: z
    .string()
    .refine((v) => /^\d{1,4}$/.test(v.trim()) && Number(v) >= 1 && Number(v) <= 3650, "Enter a number of days from 1 to 3650"),
});
export type GenerateCertificateInput = z.infer<typeof generateCertificateSchema>;

export const importPemCertificateSchema = z.object({
  name: nameField,
  certificatePem: multiLine(1_048_576).refine((v) => v.trim().length > 0, "Paste the certificate (PEM), or choose a file"),
  privateKeyPem: multiLine(1_048_576),
  passphrase: singleLine(1024),
});
export type ImportPemCertificateInput = z.infer<typeof importPemCertificateSchema>;

export const importPfxCertificateSchema = z.object({
  name: nameField,
  pfxBase64: z
    .string()
    .min(1, "Choose a .pfx or .p12 file")
    .max(MAX_PFX_BASE64, "The file is larger than 1 MiB")
    .regex(/^[A-Za-z0-9+/=]+$/, "The file could not be read"),
  password: singleLine(1024),
});
export type ImportPfxCertificateInput = z.infer<typeof importPfxCertificateSchema>;

export const exportPrivateKeySchema = z.object({
  format: z.enum(["pkcs8", "pfx"]),
  passphrase: z.string().min(8, "At least 8 characters").max(1024, "At most 1,024 characters"),
});
