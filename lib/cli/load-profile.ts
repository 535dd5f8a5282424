import "server-only";
/**
 * What `mcf test <profile>` tests: an mcf-profile JSON file (clear-text secrets allowed in a
 * hand-written file), or a profile stored in the console's database, found by id or by name, with
 * its stored secrets decrypted. The database modules are imported only for the latter, so testing a
 * file never opens (or creates) a database.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { UsageError } from "@/lib/cli/io";
import type { TestSubject } from "@/lib/diagnostics/types";
import { databaseUrl } from "@/lib/env";
import { documentSecrets, documentToInput, profileDocumentSchema, type SecretValue } from "@/lib/profiles/document";
import { secretFieldLabels, type SecretField } from "@/lib/profiles/secret-fields";
import { nameKey, secretsInUse } from "@/lib/profiles/summary";

export interface LoadedProfile {
  subject: TestSubject;
  /** how the output names it: "Contoso support" (stored) or "./contoso.json" (file) */
  label: string;
}

/** A JSON path as the profile format documents it: connection.additionalProperties["mail.imaps.ssl.enable"] */
export function jsonPath(segments: readonly PropertyKey[]): string {
  let out = "";
  for (const segment of segments) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(String(segment))) out += `${out ? "." : ""}${String(segment)}`;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out || "(document)";
}

const looksLikeFile = (ref: string) => /\.json$/i.test(ref) || ref.includes("/") || ref.includes("\\");

export async function loadProfile(ref: string, cwd: string): Promise<LoadedProfile> {
  const file = path.resolve(cwd, ref);
  if (looksLikeFile(ref) || (fs.existsSync(file) && fs.statSync(file).isFile())) return loadFile(file, ref);
  return loadStored(ref);
}

async function loadFile(file: string, shown: string): Promise<LoadedProfile> {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(
      `Cannot read ${shown}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : ((error as NodeJS.ErrnoException).code ?? "unreadable")}.`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${shown} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = profileDocumentSchema.safeParse(json);
  if (!parsed.success) {
    throw new UsageError(
      `${shown} is not a valid mcf-profile document:`,
      parsed.error.issues.map((issue) => ({ path: jsonPath(issue.path), message: issue.message })),
    );
  }
  const doc = parsed.data;
  const profile = documentToInput(doc);
  const given = documentSecrets(doc);
  const secrets: Partial<Record<SecretField, string>> = {};
  const problems: { path: string; message: string }[] = [];
  const where: Record<SecretField, string> = {
    password: "authentication.password",
    client_secret: "authentication.requestProperties.client_secret",
    client_assertion: "authentication.requestProperties.client_assertion",
    private_key: "authentication.certificate.privateKeyPem",
    private_key_passphrase: "authentication.certificate.privateKeyPassphrase",
  };
  for (const field of secretsInUse(profile.authentication)) {
    const value: SecretValue | undefined = given[field];
    if (typeof value === "string") secrets[field] = value;
    else if (value === null && field !== "private_key_passphrase") {
      problems.push({
        path: where[field],
        message: `null: supply the ${secretFieldLabels[field].toLowerCase()} (write its value into the file), or test the stored profile by name`,
      });
    } else if (value && typeof value === "object") {
      problems.push({
        path: where[field],
        message: `encrypted with an export passphrase: mcf test needs the clear value (or import the file and test the stored profile by name)`,
      });
    }
  }
  if (problems.length) throw new UsageError(`${shown} lacks secrets the test needs:`, problems);

  let certificate: TestSubject["certificate"];
  const auth = profile.authentication;
  if (auth.type === "oauth2" && auth.method === "client_certificate" && auth.certificate.source === "stored") {
    certificate = await storedCertificate(auth.certificate.certificateId);
  }
  return { subject: { profile, secrets, ...(certificate ? { certificate } : {}) }, label: shown };
}

function databaseFile(): string {
  return databaseUrl.startsWith("file:")
    ? databaseUrl.startsWith("file://")
      ? fileURLToPath(databaseUrl)
      : databaseUrl.slice("file:".length)
    : databaseUrl;
}

/** Refuses to go on (exit 2) when the console has no database yet, instead of creating an empty one. */
export function requireDatabase(what: string, alternative = ", or pass a profile JSON file"): void {
  const file = databaseFile();
  if (!fs.existsSync(file)) {
    throw new UsageError(
      `${what}: there is no console database at ${file}. Set DATABASE_URL or MCF_DATA_DIR as the console uses them${alternative}.`,
    );
  }
}

/*
 * The CLI is the operator at the server's own console, with the database file and its key at hand:
 * like the migration runner it reads rows directly, not through the signed-in user's views.
 */

/** A certificate reference: the id the console stores, or the certificate's name. */
async function storedCertificate(ref: string): Promise<NonNullable<TestSubject["certificate"]>> {
  requireDatabase(`The profile uses the stored certificate "${ref}"`);
  const [{ prisma }, { readCertificateKeyMaterial }] = await Promise.all([
    import("@/lib/db/client"),
    import("@/lib/certs/certificate-store"),
  ]);
  const row = await prisma.certificate.findFirst({
    where: { OR: [{ id: ref }, { nameKey: nameKey(ref) }] },
    select: { id: true },
  });
  const material = row ? await readCertificateKeyMaterial(row.id) : null;
  if (!material)
    throw new UsageError(`The profile uses the certificate "${ref}", which is not in the console's certificate store.`, [
      { path: "authentication.certificate.ref", message: "no stored certificate with this id or name" },
    ]);
  return material;
}

async function loadStored(ref: string): Promise<LoadedProfile> {
  requireDatabase(`No profile file "${ref}"`);
  const [{ prisma }, { parseStoredDocument, readProfileSecrets, storedSecretFlags }] = await Promise.all([
    import("@/lib/db/client"),
    import("@/lib/db/profiles"),
  ]);
  // Names are unique without regard to case (nameKey), so this finds at most one of each.
  const rows = await prisma.profile.findMany({
    where: { OR: [{ id: ref }, { nameKey: nameKey(ref) }] },
    select: { id: true, configJson: true },
  });
  const found = rows.find((row) => row.id === ref) ?? rows[0];
  if (!found) throw new UsageError(`No stored profile has the name or id "${ref}" (and there is no such file).`);
  const profile = documentToInput(parseStoredDocument(found.configJson));
  profile.secrets.stored = await storedSecretFlags(found.id);
  const secrets = await readProfileSecrets(found.id);
  let certificate: TestSubject["certificate"];
  const auth = profile.authentication;
  if (auth.type === "oauth2" && auth.method === "client_certificate" && auth.certificate.source === "stored") {
    certificate = await storedCertificate(auth.certificate.certificateId);
  }
  return { subject: { profile, secrets, ...(certificate ? { certificate } : {}), profileId: found.id }, label: profile.name };
}
