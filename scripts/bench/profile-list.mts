/**
 * Benchmark: the profiles list at 10,000 profiles (issue: "pagination that stays fast at 10,000").
 * Seeds a temporary SQLite file — the first 200 profiles through the real service (validation,
 * encryption, revision, audit), the rest bulk-inserted with the same column builder — and times
 * listProfiles() for the queries the list page makes, as an admin (sees everything) and as an editor
 * who sees the profiles shared with them (the visibility filter joins the shares).
 *   node --import ./scripts/server-runtime.mjs scripts/bench/profile-list.mts [count]
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";

const count = Number(process.argv[2] ?? 10_000);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcf-bench-"));
process.env.MCF_DATA_DIR = dir;
process.env.DATABASE_URL = `file:${path.join(dir, "bench.db")}`;
process.env.MCF_SECRET_KEY = crypto.randomBytes(32).toString("base64");
process.env.MCF_LOG_LEVEL = "silent";

const { migrate } = await import("../migrate.mjs");
migrate(process.env.DATABASE_URL, { log: () => {} });
const { prisma } = await import("../../lib/db/client");
const { listProfiles } = await import("../../lib/db/profiles");
const { createProfile, profileColumns } = await import("../../lib/profile-operations/profile-service");
const { newProfileInput } = await import("../../lib/profiles/defaults");

const hosts = ["outlook.office365.com", "imap.example.org", "mail.contoso.com", "pop.fabrikam.net"];
const input = (i: number) => {
  const value = newProfileInput();
  value.name = `Mailbox ${String(i).padStart(5, "0")} ${crypto.randomBytes(3).toString("hex")}`;
  value.connection.mailServerUrl = hosts[i % hosts.length]!;
  value.authentication.type = "basic";
  value.authentication.username = `user${i}@contoso.com`;
  value.authentication.password = "pw";
  return value;
};

const admin = { id: crypto.randomUUID(), name: "Bench Admin", email: "admin@bench.test", role: "admin" as const };
const editor = { id: crypto.randomUUID(), name: "Bench Editor", email: "editor@bench.test", role: "editor" as const };
await prisma.user.createMany({ data: [admin, editor] });

const seedStart = performance.now();
const viaService = Math.min(200, count);
for (let i = 0; i < viaService; i++) await createProfile(input(i), admin);
const serviceMs = performance.now() - seedStart;
for (let start = viaService; start < count; start += 500) {
  const rows = [];
  for (let i = start; i < Math.min(count, start + 500); i++)
    rows.push({ id: crypto.randomUUID(), ...profileColumns(input(i)), ownerId: admin.id });
  await prisma.profile.createMany({ data: rows });
}
// every fourth profile shared with the editor
const ids = (await prisma.profile.findMany({ select: { id: true } })).map((r) => r.id).filter((_, i) => i % 4 === 0);
for (let start = 0; start < ids.length; start += 500) {
  await prisma.profileShare.createMany({
    data: ids
      .slice(start, start + 500)
      .map((profileId) => ({ id: crypto.randomUUID(), profileId, granteeKey: editor.id, userId: editor.id, level: "use" })),
  });
}
const seedMs = performance.now() - seedStart;

async function time(label: string, fn: () => Promise<unknown>, runs = 25) {
  await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)]!;
  const p95 = samples[Math.floor(samples.length * 0.95)]!;
  console.log(`${label.padEnd(44)} median ${median.toFixed(2).padStart(7)} ms   p95 ${p95.toFixed(2).padStart(7)} ms`);
}

console.log(
  `profiles: ${count} (seeded in ${(seedMs / 1000).toFixed(1)} s; ${viaService} through createProfile in ${(serviceMs / 1000).toFixed(1)} s)`,
);
await time("admin: first page, 25 by name", () => listProfiles(admin, { page: 1, pageSize: 25 }));
await time("admin: last page, 25 by name", () => listProfiles(admin, { page: Math.ceil(count / 25), pageSize: 25 }));
await time("admin: middle page, 100 by updated desc", () =>
  listProfiles(admin, { page: Math.ceil(count / 200), pageSize: 100, sort: "updatedAt", direction: "desc" }),
);
await time("admin: sort by host, page 50", () => listProfiles(admin, { page: 50, sort: "host" }));
await time("admin: sort by last test (nulls last)", () => listProfiles(admin, { page: 1, sort: "lastTestAt" }));
await time('admin: search "user4242" (one match)', () => listProfiles(admin, { search: "user4242" }));
await time('admin: search "fabrikam" (a quarter), page 20', () => listProfiles(admin, { search: "fabrikam", page: 20 }));
await time("editor (2,500 shared): first page", () => listProfiles(editor, { page: 1 }));
await time("editor: last page", () => listProfiles(editor, { page: 100 }));
await time('editor: search "fabrikam"', () => listProfiles(editor, { search: "fabrikam" }));

await prisma.$disconnect();
fs.rmSync(dir, { recursive: true, force: true });
