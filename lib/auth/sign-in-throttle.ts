import "server-only";
import crypto from "node:crypto";
import { throttleAddressKey } from "@/lib/auth/client-address";
import { prisma } from "@/lib/db/client";
import { log } from "@/lib/log";

/**
 * The failed sign-in throttle, shared by the sign-in form's server action and the HTTP endpoint
 * (both run better-auth's hooks, lib/auth/auth.ts). It slows guessing without letting anyone lock
 * anyone out:
 *
 * - attempts are counted per account AND client address: after ACCOUNT_FREE_ATTEMPTS failures from
 *   one address for one account, the next attempt from there waits BASE_DELAY_MS, and every further
 *   failure doubles the wait up to MAX_DELAY_MS. An attempt made while waiting is refused without the
 *   password being checked, so waiting is the only way on. Another address is not affected: the
 *   owner (or anyone) still signs in from their own address however hard someone else is guessing.
 * - one address trying many accounts is slowed the same way after ADDRESS_FREE_ATTEMPTS failures
 *   over all accounts (counted under account "*"), as better-auth's own per-address rate limit does
 *   for the HTTP endpoint only.
 * - a success clears its account's row for that address (and gives the address back the attempt);
 *   quiet for FORGET_AFTER_MS forgets everything; an owner or admin can clear an account's rows
 *   (lib/users/unlock-sign-in.ts).
 *
 * State lives in the database, so every instance of the console sees the same counts. Each attempt
 * is counted before its password is checked, with a compare-and-set on the row: a burst of parallel
 * guesses cannot all slip through before the first failure is written.
 */
export const ACCOUNT_FREE_ATTEMPTS = 3;
export const ADDRESS_FREE_ATTEMPTS = 20;
export const BASE_DELAY_MS = 5_000;
export const MAX_DELAY_MS = 15 * 60_000;
export const FORGET_AFTER_MS = 24 * 60 * 60_000;

const ANY_ACCOUNT = "*";
const CAS_ROUNDS = 8;

export type ThrottleScope = "account" | "address";
export type Admission = { ok: true } | { ok: false; scope: ThrottleScope; retryAfterSeconds: number };

export const throttleAccountKey = (email: string) => email.trim().toLowerCase().slice(0, 320);

/** The wait imposed after the n-th counted attempt. */
export function delayAfterAttempt(attempts: number, freeAttempts: number): number {
  if (attempts < freeAttempts) return 0;
  return Math.min(BASE_DELAY_MS * 2 ** Math.min(attempts - freeAttempts, 30), MAX_DELAY_MS);
}

function formatWait(seconds: number): string {
  if (seconds < 120) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

/** The message both the form and the HTTP endpoint show (the HTTP answer is a 429 with Retry-After). */
export function throttleMessage(scope: ThrottleScope, retryAfterSeconds: number): string {
  const wait = formatWait(retryAfterSeconds);
  return scope === "account"
    ? `Too many attempts from this address for this account: try again in ${wait}.`
    : `Too many failed sign-ins from this address: try again in ${wait}.`;
}

type Row = { id: string; attempts: number; lastAttemptAt: Date; blockedUntil: Date | null };

const isLive = (row: Row, now: Date) => now.getTime() - row.lastAttemptAt.getTime() < FORGET_AFTER_MS;
const secondsUntil = (until: Date, now: Date) => Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));

function waiting(row: Row | null, now: Date): number | null {
  if (!row || !isLive(row, now) || !row.blockedUntil || row.blockedUntil <= now) return null;
  return secondsUntil(row.blockedUntil, now);
}

const findRow = (account: string, address: string) =>
  prisma.signInThrottle.findUnique({
    where: { account_address: { account, address } },
    select: { id: true, attempts: true, lastAttemptAt: true, blockedUntil: true },
  });

/** Counts one attempt under (account, address), unless that key is waiting; null when counted, else the seconds to wait. */
async function consume(account: string, address: string, freeAttempts: number, now: Date): Promise<number | null> {
  for (let round = 0; round < CAS_ROUNDS; round++) {
    const row = await findRow(account, address);
    const wait = waiting(row, now);
    if (wait !== null) return wait;
    const attempts = row && isLive(row, now) ? row.attempts + 1 : 1;
    const delay = delayAfterAttempt(attempts, freeAttempts);
    const data = { attempts, lastAttemptAt: now, blockedUntil: delay > 0 ? new Date(now.getTime() + delay) : null };
    if (!row) {
      try {
        await prisma.signInThrottle.create({ data: { id: crypto.randomUUID(), account, address, ...data } });
        return null;
      } catch (error) {
        if ((error as { code?: string }).code === "P2002") continue; // created by a parallel attempt: count on top of it
        throw error;
      }
    }
    // the row must still be the one read: otherwise another attempt was counted in between
    const swapped = await prisma.signInThrottle.updateMany({ where: { id: row.id, attempts: row.attempts }, data });
    if (swapped.count === 1) return null;
  }
  // only a flood of parallel attempts on one key gets here: refuse this one rather than not count it
  return Math.ceil(BASE_DELAY_MS / 1000);
}

/** Called before the password is checked: counts the attempt, or refuses it with how long to wait. */
export async function admitSignIn(email: string, clientAddress: string | null, now = new Date()): Promise<Admission> {
  const account = throttleAccountKey(email);
  const address = throttleAddressKey(clientAddress);
  const [own, anyAccount] = await Promise.all([findRow(account, address), findRow(ANY_ACCOUNT, address)]);
  const ownWait = waiting(own, now);
  if (ownWait !== null) return { ok: false, scope: "account", retryAfterSeconds: ownWait };
  const addressWait = waiting(anyAccount, now);
  if (addressWait !== null) return { ok: false, scope: "address", retryAfterSeconds: addressWait };

  const counted = await consume(account, address, ACCOUNT_FREE_ATTEMPTS, now);
  if (counted !== null) return { ok: false, scope: "account", retryAfterSeconds: counted };
  const countedForAddress = await consume(ANY_ACCOUNT, address, ADDRESS_FREE_ATTEMPTS, now);
  if (countedForAddress !== null) return { ok: false, scope: "address", retryAfterSeconds: countedForAddress };

  await prisma.signInThrottle
    .deleteMany({ where: { lastAttemptAt: { lt: new Date(now.getTime() - FORGET_AFTER_MS) } } })
    .catch((error: unknown) =>
      log.warn("sign-in throttle clean-up failed", { error: error instanceof Error ? error.message : String(error) }),
    );
  return { ok: true };
}

/** A correct password: the account starts afresh from this address, and the address gets its attempt back. */
export async function recordSignInSuccess(email: string, clientAddress: string | null): Promise<void> {
  const address = throttleAddressKey(clientAddress);
  await prisma.signInThrottle.deleteMany({ where: { account: throttleAccountKey(email), address } });
  for (let round = 0; round < CAS_ROUNDS; round++) {
    const row = await findRow(ANY_ACCOUNT, address);
    if (!row || row.attempts === 0) return;
    const attempts = row.attempts - 1;
    const data = attempts < ADDRESS_FREE_ATTEMPTS ? { attempts, blockedUntil: null } : { attempts };
    const swapped = await prisma.signInThrottle.updateMany({ where: { id: row.id, attempts: row.attempts }, data });
    if (swapped.count === 1) return;
  }
}

/** Clears every address's count for an account; returns how many addresses were being counted. */
export async function clearAccountThrottle(email: string): Promise<number> {
  return (await prisma.signInThrottle.deleteMany({ where: { account: throttleAccountKey(email) } })).count;
}

export interface AccountThrottle {
  /** addresses from which this account's sign-in is being slowed */
  addresses: number;
  /** the latest time one of them may try again */
  until: string;
}

/** For the users page: the accounts some address is currently slowed on (failed at least ACCOUNT_FREE_ATTEMPTS times). */
export async function slowedAccounts(emails: string[], now = new Date()): Promise<Map<string, AccountThrottle>> {
  const rows = await prisma.signInThrottle.findMany({
    where: {
      account: { in: emails.map(throttleAccountKey) },
      attempts: { gte: ACCOUNT_FREE_ATTEMPTS },
      lastAttemptAt: { gte: new Date(now.getTime() - FORGET_AFTER_MS) },
    },
    select: { account: true, blockedUntil: true, lastAttemptAt: true },
  });
  const byAccount = new Map<string, AccountThrottle>();
  for (const row of rows) {
    const until = (row.blockedUntil ?? row.lastAttemptAt).toISOString();
    const seen = byAccount.get(row.account);
    byAccount.set(row.account, { addresses: (seen?.addresses ?? 0) + 1, until: seen && seen.until > until ? seen.until : until });
  }
  return byAccount;
}
