import fs from "node:fs";
import path from "node:path";

export interface E2eServers {
  caPem: string;
  tokenUrl: string;
  /** same tenant and app, answering after 2.5 s */
  slowTokenUrl: string;
  ports: { imapTls: number; imapStarttls: number; pop3Tls: number; pop3Starttls: number };
  mailboxMessages: number;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  mailbox: string;
  basicUser: string;
  basicPassword: string;
}

/** What e2e/global-setup.ts started for this run. */
export function e2eServers(): E2eServers {
  return JSON.parse(fs.readFileSync(path.resolve(".tmp/e2e-servers.json"), "utf8")) as E2eServers;
}
