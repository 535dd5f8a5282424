/**
 * Run as a separate process by mail-dovecot.test.ts: starts a Dovecot, prints where it lives,
 * and waits to be killed (SIGKILL, so neither stop() nor the exit hook runs), which is what a
 * crashed test worker leaves behind.
 */
import { createTestCa } from "../support/test-ca";
import { startDovecot } from "./dovecot";

async function main() {
  const dovecot = await startDovecot({ ca: await createTestCa() });
  process.stdout.write(JSON.stringify({ dir: dovecot.dir, masterPid: dovecot.masterPid }) + "\n");
  setInterval(() => undefined, 60_000);
}

void main();
