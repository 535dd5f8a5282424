import fs from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { getProfileForEdit, listProfiles, readProfileSecrets } from "@/lib/db/profiles";
import { createProfile, deleteProfile, duplicateProfile, updateProfile } from "@/lib/profile-operations/profile-service";
import { AppError } from "@/lib/errors";
import { basicInput, oauthSecretInput } from "../support/profile-fixtures";
import { seedUser } from "../support/users";
import type { CurrentUser } from "@/lib/auth/session";

let owner: CurrentUser;
beforeAll(async () => {
  owner = await seedUser("owner");
});

const SECRET = "Zx8~Q-very-secret-value-1234567890";

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected the call to be refused");
}

describe("profile service against a real SQLite file", () => {
  it("stores secrets encrypted: the database file never contains them", async () => {
    const { id } = await createProfile(oauthSecretInput({ name: "Encrypted", secret: SECRET }), owner);
    const dbFile = process.env.DATABASE_URL!.replace(/^file:/, "");
    const bytes = [dbFile, `${dbFile}-wal`]
      .filter(fs.existsSync)
      .map((f) => fs.readFileSync(f).toString("latin1"))
      .join("");
    expect(bytes).toContain("Encrypted");
    expect(bytes).not.toContain(SECRET);
    expect(await readProfileSecrets(id)).toEqual({ client_secret: SECRET });
  });

  it("never returns a stored secret to the edit form, only that one is stored", async () => {
    const { id } = await createProfile(oauthSecretInput({ name: "Write only", secret: SECRET }), owner);
    const dto = await getProfileForEdit(id, owner);
    expect(JSON.stringify(dto)).not.toContain(SECRET);
    expect(dto!.input.secrets.stored.client_secret).toBe(true);
  });

  it("keeps a stored secret when the field is left blank, replaces it when typed, removes it on clear", async () => {
    const { id } = await createProfile(oauthSecretInput({ name: "Rotate", secret: SECRET }), owner);
    let dto = (await getProfileForEdit(id, owner))!;
    dto.input.description = "edited";
    const v2 = await updateProfile(id, dto.version, dto.input, owner);
    expect(v2.version).toBe(2);
    expect(await readProfileSecrets(id)).toEqual({ client_secret: SECRET });

    dto = (await getProfileForEdit(id, owner))!;
    dto.input.authentication.requestProperties = dto.input.authentication.requestProperties.map((r) =>
      r.key === "client_secret" ? { ...r, value: "new-secret-value" } : r,
    );
    await updateProfile(id, dto.version, dto.input, owner);
    expect(await readProfileSecrets(id)).toEqual({ client_secret: "new-secret-value" });

    dto = (await getProfileForEdit(id, owner))!;
    dto.input.secrets.clear = ["client_secret"];
    const refused = await rejection(updateProfile(id, dto.version, dto.input, owner));
    expect(refused.code).toBe("invalid_input");
    expect(Object.values(refused.fields!).join()).toMatch(/client secret/);
  });

  it("removes secrets the new configuration does not use", async () => {
    const { id } = await createProfile(oauthSecretInput({ name: "Switch", secret: SECRET }), owner);
    const dto = (await getProfileForEdit(id, owner))!;
    dto.input.authentication.type = "basic";
    dto.input.authentication.username = "alice";
    dto.input.authentication.password = "pw-1";
    await updateProfile(id, dto.version, dto.input, owner);
    expect(await readProfileSecrets(id)).toEqual({ password: "pw-1" });
  });

  it("refuses to save over a newer version and changes nothing", async () => {
    const { id } = await createProfile(oauthSecretInput({ name: "Conflict", secret: SECRET }), owner);
    const first = (await getProfileForEdit(id, owner))!;
    const second = (await getProfileForEdit(id, owner))!;
    first.input.description = "first wins";
    await updateProfile(id, first.version, first.input, owner);
    second.input.description = "second loses";
    const refused = await rejection(updateProfile(id, second.version, second.input, owner));
    expect(refused.code).toBe("version_conflict");
    expect(refused.userMessage).toMatch(/Reload/);
    expect((await getProfileForEdit(id, owner))!.input.description).toBe("first wins");
  });

  it("validates on the server even when the browser did not", async () => {
    const input = oauthSecretInput({ name: "Bad", secret: SECRET });
    input.connection.port = "65536";
    input.name = "a\nb";
    const refused = await rejection(createProfile(input, owner));
    expect(refused.fields).toMatchObject({
      "connection.port": expect.stringMatching(/65535/),
      name: expect.stringMatching(/Line breaks/),
    });
    expect((await rejection(createProfile({ nonsense: true }, owner))).code).toBe("invalid_input");
  });

  it("ignores a client's claim that a secret is stored", async () => {
    const input = oauthSecretInput({ name: "Liar" });
    input.secrets.stored.client_secret = true;
    const refused = await rejection(createProfile(input, owner));
    expect(Object.values(refused.fields!).join()).toMatch(/client secret/);
  });

  it("keeps names unique regardless of case", async () => {
    await createProfile(basicInput({ name: "Shared Inbox", password: "pw" }), owner);
    const refused = await rejection(createProfile(basicInput({ name: "shared inbox", password: "pw" }), owner));
    expect(refused.fields?.name).toMatch(/already exists/);
  });

  it("duplicates without secrets unless asked", async () => {
    const { id } = await createProfile(oauthSecretInput({ name: "Original", secret: SECRET }), owner);
    const plain = await duplicateProfile(id, { copySecrets: false }, owner);
    expect((await getProfileForEdit(plain.id, owner))!.input.name).toBe("Copy of Original");
    expect(await readProfileSecrets(plain.id)).toEqual({});
    const withSecrets = await duplicateProfile(id, { copySecrets: true }, owner);
    expect((await getProfileForEdit(withSecrets.id, owner))!.input.name).toBe("Copy of Original (2)");
    expect(await readProfileSecrets(withSecrets.id)).toEqual({ client_secret: SECRET });
    expect((await rejection(duplicateProfile(id, { name: "original", copySecrets: false }, owner))).fields?.name).toMatch(
      /already exists/,
    );
  });

  it("deletes a profile with its secrets", async () => {
    const { id } = await createProfile(oauthSecretInput({ name: "Doomed", secret: SECRET }), owner);
    await deleteProfile(id, owner);
    expect(await getProfileForEdit(id, owner)).toBeNull();
    expect(await readProfileSecrets(id)).toEqual({});
    expect((await rejection(deleteProfile(id, owner))).code).toBe("not_found");
  });

  it("stores IDN hosts as punycode, shows them as typed, and finds them either way", async () => {
    await createProfile(basicInput({ name: "IDN", password: "pw" }), owner);
    const { id } = await createProfile(
      {
        ...basicInput({ name: "Bücher", password: "pw" }),
        connection: { ...basicInput().connection, mailServerUrl: "imaps://mail.bücher.example" },
      },
      owner,
    );
    const byUnicode = await listProfiles(owner, { search: "bücher.example" });
    const byPunycode = await listProfiles(owner, { search: "xn--bcher" });
    expect(byUnicode.items.map((i) => i.id)).toEqual([id]);
    expect(byPunycode.items.map((i) => i.id)).toEqual([id]);
    expect(byUnicode.items[0]!.host).toBe("mail.bücher.example");
  });
});
