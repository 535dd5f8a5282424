/**
 * Benchmark: the profiles list at 10,000 profiles (issue: "pagination that stays fast at 10,000").
 * Seeds a temporary SQLite file through the real service code path for a sample, then bulk-inserts the
 * rest with the same column builder, and times listProfiles() for the queries the list page makes.
 *   node --conditions=react-server --import tsx scripts/bench/profile-list.mts [count]
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
const { createProfile } = await import("../../lib/profiles/profile-service");
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

const seedStart = performance.now();
for (let i = 0; i < count; i++) await createProfile(input(i));
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

console.log(`profiles: ${count} (seeded through createProfile in ${(seedMs / 1000).toFixed(1)} s)`);
await time("first page, 25 by name", () => listProfiles({ page: 1, pageSize: 25 }));
await time("last page, 25 by name", () => listProfiles({ page: Math.ceil(count / 25), pageSize: 25 }));
await time("middle page, 100 by updated desc", () => listProfiles({ page: Math.ceil(count / 200), pageSize: 100, sort: "updatedAt", direction: "desc" }));
await time("sort by host, page 50", () => listProfiles({ page: 50, sort: "host" }));
await time("sort by last test (nulls last), page 1", () => listProfiles({ page: 1, sort: "lastTestAt" }));
await time('search "user4242" (one match)', () => listProfiles({ search: "user4242" }));
await time('search "fabrikam" (a quarter match), page 20', () => listProfiles({ search: "fabrikam", page: 20 }));

await prisma.$disconnect();
fs.rmSync(dir, { recursive: true, force: true });
