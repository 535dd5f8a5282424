/**
 * `mcf export` and `mcf import` as an operator runs them: the real scripts/mcf.mjs in a child
 * process, against this file's temporary database (the "source" console) and a second temporary
 * database with its own secret key (the "other" console). Round trip with and without secrets,
 * --dry-run, clash handling, a wrong passphrase, validation errors with JSON paths, a hostile file,
 * and bad usage (exit 2).
 */
import crypto from "node:crypto";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../../scripts/migrate.mjs";
import { CLI_ACTOR } from "@/lib/auth/access";
import { createProfile } from "@/lib/profile-operations/profile-service";
import { parseImportFile, type ParsedDocument } from "@/lib/transfer/parse-import";
import { basicInput, oauthSecretInput } from "@/tests/support/profile-fixtures";

const MCF = path.resolve("scripts/mcf.mjs");
const PASSPHRASE = "move these profiles, carefully";
const CLIENT_SECRET = "Zx8~Q-cli-transfer-client-secret-0123";
const PASSWORD = "Basic-cli-transfer-password!42";

let dir: string;
/** the second console: its own database, data folder and secret key */
let other: Record<string, string>;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcf-cli-transfer-"));
  const otherDir = path.join(dir, "other");
  fs.mkdirSync(otherDir);
  other = {
    MCF_DATA_DIR: otherDir,
    DATABASE_URL: `file:${path.join(otherDir, "mcf.db")}`,
    MCF_SECRET_KEY: crypto.randomBytes(32).toString("base64"),
  };
  migrate(other.DATABASE_URL, { log: () => {} });
  await createProfile(oauthSecretInput({ name: "Alpha inbox", secret: CLIENT_SECRET }), CLI_ACTOR);
  await createProfile(basicInput({ name: "Beta legacy", password: PASSWORD }), CLI_ACTOR);
  fs.writeFileSync(path.join(dir, "passphrase.txt"), `${PASSPHRASE}\n`);
  fs.writeFileSync(path.join(dir, "wrong.txt"), "not the passphrase at all\n");
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The child inherits this file's environment (the source console) unless `env` points elsewhere. */
function mcf(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MCF, ...args], {
      cwd: dir,
      env: { ...process.env, MCF_LOG_LEVEL: "warn", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const file = (name: string) => path.join(dir, name);
const read = (name: string) => fs.readFileSync(file(name), "utf8");

/** The profile names a console holds, through `mcf export --all` itself. */
async function namesIn(env: Record<string, string> = {}): Promise<string[]> {
  const run = await mcf(["export", "--all"], env);
  if (run.code !== 0) return [];
  const parsed = JSON.parse(run.stdout) as { name: string } | { name: string }[];
  return (Array.isArray(parsed) ? parsed : [parsed]).map((d) => d.name).sort();
}

/** Configuration and clear secrets of each document, for comparing two exports. */
async function decrypted(text: string): Promise<Pick<ParsedDocument, "name" | "input" | "missingSecrets">[]> {
  const parsed = await parseImportFile(text, { passphrase: PASSPHRASE });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.documents
    .map(({ name, input, missingSecrets }) => ({ name, input, missingSecrets }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

describe("mcf export / mcf import", () => {
  it("mcf --help lists export and import; each has its own --help (exit 0)", async () => {
    const help = await mcf(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^ {2}export {2}/m);
    expect(help.stdout).toMatch(/^ {2}import {2}/m);
    const [exportHelp, importHelp] = await Promise.all([mcf(["export", "--help"]), mcf(["import", "--help"])]);
    expect(exportHelp.code).toBe(0);
    expect(exportHelp.stdout).toMatch(/--passphrase-env <VAR>/);
    expect(importHelp.code).toBe(0);
    expect(importHelp.stdout).toMatch(/--on-clash <what>/);
  });

  it("export without secrets: an array with null secrets on stdout; one profile by name is a single object", async () => {
    const all = await mcf(["export", "--all"]);
    expect(all.code, all.stderr).toBe(0);
    const documents = JSON.parse(all.stdout) as {
      name: string;
      authentication: { password?: unknown; requestProperties?: Record<string, unknown> };
    }[];
    expect(documents.map((d) => d.name)).toEqual(["Alpha inbox", "Beta legacy"]);
    expect(documents[0]!.authentication.requestProperties!.client_secret).toBeNull();
    expect(documents[1]!.authentication.password).toBeNull();
    expect(all.stdout + all.stderr).not.toContain(CLIENT_SECRET);
    expect(all.stdout + all.stderr).not.toContain(PASSWORD);
    expect(all.stderr).toMatch(/Exported 2 profiles, secrets left out/);

    const one = await mcf(["export", "alpha INBOX", "-o", "alpha.json"]);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toMatch(/^Exported 1 profile to alpha\.json/);
    expect(JSON.parse(read("alpha.json"))).toMatchObject({ format: "mcf-profile", version: 1, name: "Alpha inbox" });
  });

  it("export with secrets: encrypted under the passphrase from an environment variable, owner-only file, no clear secret", async () => {
    const run = await mcf(
      ["export", "--all", "--with-secrets", "--passphrase-env", "EXPORT_PASSPHRASE", "-o", "with-secrets.json"],
      { EXPORT_PASSPHRASE: PASSPHRASE },
    );
    expect(run.code, run.stderr).toBe(0);
    const text = read("with-secrets.json");
    expect(text).not.toContain(CLIENT_SECRET);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(PASSPHRASE);
    const [alpha, beta] = JSON.parse(text) as {
      authentication: { password?: unknown; requestProperties?: Record<string, unknown> };
    }[];
    expect(alpha!.authentication.requestProperties!.client_secret).toEqual({
      encrypted: expect.stringMatching(/^v1:[A-Za-z0-9_-]+$/),
    });
    expect(beta!.authentication.password).toEqual({ encrypted: expect.stringMatching(/^v1:/) });
    expect(fs.statSync(file("with-secrets.json")).mode & 0o777).toBe(0o600);
    // an existing file is not overwritten without --force
    const again = await mcf([
      "export",
      "--all",
      "--with-secrets",
      "--passphrase-file",
      "passphrase.txt",
      "-o",
      "with-secrets.json",
    ]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/exists already/);
  });

  it("round trip: the encrypted export imported into another console gives the same configuration and secrets", async () => {
    const dryRun = await mcf(["import", "with-secrets.json", "--passphrase-file", "passphrase.txt", "--dry-run"], other);
    expect(dryRun.code, dryRun.stderr).toBe(0);
    expect(dryRun.stdout).toMatch(/^ {2}create {4}"Alpha inbox"$/m);
    expect(dryRun.stdout).toMatch(/Nothing was written\.$/m);
    expect(await namesIn(other)).toEqual([]);

    const run = await mcf(["import", "with-secrets.json", "--passphrase-file", "passphrase.txt", "--json"], other);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { ok: boolean; created: { name: string; missingSecrets: string[] }[] };
    expect(result.ok).toBe(true);
    expect(result.created.map((c) => [c.name, c.missingSecrets])).toEqual([
      ["Alpha inbox", []],
      ["Beta legacy", []],
    ]);
    expect(run.stdout).not.toContain(CLIENT_SECRET);

    // the other console exports what it stored: same documents, same secrets once decrypted
    const back = await mcf(["export", "--all", "--with-secrets", "--passphrase-env", "P", "-o", "back.json"], {
      ...other,
      P: PASSPHRASE,
    });
    expect(back.code, back.stderr).toBe(0);
    const [original, copy] = await Promise.all([decrypted(read("with-secrets.json")), decrypted(read("back.json"))]);
    expect(copy).toEqual(original);
    const alpha = copy.find((d) => d.name === "Alpha inbox")!;
    expect(alpha.input.authentication.requestProperties.find((r) => r.key === "client_secret")?.value).toBe(CLIENT_SECRET);
  }, 60_000);

  it("round trip without secrets: the profiles are created and report the secrets to supply", async () => {
    const exported = await mcf(["export", "--all", "-o", "no-secrets.json"]);
    expect(exported.code, exported.stderr).toBe(0);
    const third = path.join(dir, "third");
    const env = {
      MCF_DATA_DIR: third,
      DATABASE_URL: `file:${path.join(third, "mcf.db")}`,
      MCF_SECRET_KEY: crypto.randomBytes(32).toString("base64"),
    };
    migrate(env.DATABASE_URL, { log: () => {} });
    const run = await mcf(["import", "no-secrets.json"], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^Imported no-secrets\.json: 2 created, 0 replaced, 0 skipped\.$/m);
    expect(run.stdout).toMatch(/"Alpha inbox" .*missing secrets: client secret \(to be supplied before a Test\)/);
    expect(run.stdout).toMatch(/"Beta legacy" .*missing secrets: password/);
    expect(await namesIn(env)).toEqual(["Alpha inbox", "Beta legacy"]);
  }, 60_000);

  it("name clashes: refused without --on-clash (exit 1, nothing imported); rename, skip and replace as asked", async () => {
    const refused = await mcf(["import", "with-secrets.json", "--passphrase-file", "passphrase.txt"], other);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/2 names in with-secrets\.json are taken; nothing was imported/);
    expect(refused.stderr).toMatch(
      /^ {2}\$\[0\]\.name: A profile named "Alpha inbox" already exists: choose --on-clash rename, skip or replace$/m,
    );
    expect(await namesIn(other)).toEqual(["Alpha inbox", "Beta legacy"]);

    const dryRename = await mcf(
      ["import", "with-secrets.json", "--passphrase-file", "passphrase.txt", "--on-clash", "rename", "--dry-run", "--json"],
      other,
    );
    expect(dryRename.code, dryRename.stderr).toBe(0);
    expect(JSON.parse(dryRename.stdout)).toMatchObject({
      ok: true,
      dryRun: true,
      profiles: [
        { action: "rename", newName: "Alpha inbox (2)" },
        { action: "rename", newName: "Beta legacy (2)" },
      ],
    });
    expect(await namesIn(other)).toEqual(["Alpha inbox", "Beta legacy"]);

    const skip = await mcf(["import", "with-secrets.json", "--passphrase-file", "passphrase.txt", "--on-clash", "skip"], other);
    expect(skip.code, skip.stderr).toBe(0);
    expect(skip.stdout).toMatch(/0 created, 0 replaced, 2 skipped/);

    const rename = await mcf(["import", "alpha.json", "--on-clash", "rename"], other);
    expect(rename.code, rename.stderr).toBe(0);
    expect(rename.stdout).toMatch(/created {3}"Alpha inbox \(2\)"/);

    const replace = await mcf(
      ["import", "with-secrets.json", "--passphrase-file", "passphrase.txt", "--on-clash", "replace", "--json"],
      other,
    );
    expect(replace.code, replace.stderr).toBe(0);
    expect(JSON.parse(replace.stdout)).toMatchObject({
      ok: true,
      created: [],
      replaced: [
        { name: "Alpha inbox", version: 2 },
        { name: "Beta legacy", version: 2 },
      ],
    });
    expect(await namesIn(other)).toEqual(["Alpha inbox", "Alpha inbox (2)", "Beta legacy"]);
  }, 60_000);

  it("a wrong or missing passphrase: exit 1, each encrypted secret named by its JSON path, nothing imported", async () => {
    const before = await namesIn(other);
    const wrong = await mcf(["import", "with-secrets.json", "--passphrase-file", "wrong.txt", "--on-clash", "rename"], other);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^ {2}\$\[0\]\.authentication\.requestProperties\.client_secret: Wrong passphrase/m);
    expect(wrong.stderr).toMatch(/^ {2}\$\[1\]\.authentication\.password: Wrong passphrase/m);
    const missing = await mcf(["import", "with-secrets.json", "--on-clash", "rename", "--json"], other);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/give the export's passphrase with --passphrase-env VAR or --passphrase-file FILE/);
    expect(JSON.parse(missing.stdout)).toMatchObject({
      ok: false,
      issues: [
        { path: "$[0].authentication.requestProperties.client_secret", code: "passphrase_required" },
        { path: "$[1].authentication.password" },
      ],
    });
    expect(await namesIn(other)).toEqual(before);
  }, 60_000);

  it("a file with errors lists every one with its JSON path; a hostile file gets its own message; nothing is imported", async () => {
    const documents = JSON.parse(read("no-secrets.json")) as Record<string, unknown>[];
    (documents[0]!.connection as Record<string, unknown>).port = 70000;
    (documents[1]!.authentication as Record<string, unknown>).colour = "blue";
    fs.writeFileSync(file("broken.json"), JSON.stringify(documents));
    const broken = await mcf(["import", "broken.json", "--on-clash", "rename", "--json"], other);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/broken\.json cannot be imported \(2 problems\); nothing was imported/);
    expect(broken.stderr).toMatch(/^ {2}\$\[0\]\.connection\.port: /m);
    expect(broken.stderr).toMatch(/^ {2}\$\[1\]\.authentication\.colour: Unknown field "colour"/m);
    expect((JSON.parse(broken.stdout) as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual([
      "$[0].connection.port",
      "$[1].authentication.colour",
    ]);

    fs.writeFileSync(file("hostile.json"), read("alpha.json").replace('"format"', '"__proto__": {"polluted": true}, "format"'));
    const hostile = await mcf(["import", "hostile.json"], other);
    expect(hostile.code).toBe(1);
    expect(hostile.stderr).toMatch(/\$\.__proto__: The key "__proto__" is not allowed anywhere in an import file/);

    fs.writeFileSync(file("future.json"), read("alpha.json").replace('"version": 1', '"version": 2'));
    const future = await mcf(["import", "future.json"], other);
    expect(future.code).toBe(1);
    expect(future.stderr).toMatch(/\$\.version: This document is mcf-profile version 2, written by a newer console/);
    expect(await namesIn(other)).toEqual(["Alpha inbox", "Alpha inbox (2)", "Beta legacy"]);
  }, 60_000);

  it("bad usage is exit 2: no file, a passphrase as an argument, an unknown --on-clash, export without a choice or of an unknown profile", async () => {
    const runs = await Promise.all([
      mcf(["import"]),
      mcf(["import", "with-secrets.json", "--passphrase", PASSPHRASE]),
      mcf(["import", "with-secrets.json", "--on-clash", "merge"]),
      mcf(["import", "no-such-file.json"]),
      mcf(["export"]),
      mcf(["export", "--all", "Alpha inbox"]),
      mcf(["export", "No such profile"]),
      mcf(["export", "--all", "--with-secrets"]),
      mcf(["export", "--all", "--with-secrets", "--passphrase-env", "UNSET_VARIABLE_FOR_MCF_TEST"]),
      mcf(["export", "--all", "--with-secrets", "--passphrase-env", "SHORT"], { SHORT: "short" }),
    ]);
    for (const run of runs) expect(run.code, run.stderr).toBe(2);
    const [noFile, plain, onClash, missing, noChoice, both, unknown, noPassphrase, unset, short] = runs.map((r) => r.stderr);
    expect(noFile).toMatch(/Which file\?/);
    expect(plain).toMatch(/not taken as an argument: it would stay in your shell history/);
    expect(plain).not.toContain(PASSPHRASE);
    expect(onClash).toMatch(/--on-clash takes rename, skip or replace/);
    expect(missing).toMatch(/Cannot read no-such-file\.json: no such file/);
    expect(noChoice).toMatch(/Which profiles\?/);
    expect(both).toMatch(/not both/);
    expect(unknown).toMatch(/No stored profile has the name or id "No such profile"/);
    expect(noPassphrase).toMatch(/--with-secrets needs a passphrase/);
    expect(unset).toMatch(/UNSET_VARIABLE_FOR_MCF_TEST is not set/);
    expect(short).toMatch(/at least 8 characters/);
  }, 60_000);
});
