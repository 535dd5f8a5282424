import fs from "node:fs";
import https from "node:https";
import path from "node:path";

export interface E2eServers {
  caPem: string;
  tokenUrl: string;
  /** same tenant and app; its answers can be held back with holdTokenAnswers */
  holdableTokenUrl: string;
  holdableTokenFaultsUrl: string;
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

/**
 * While on, the holdable token endpoint keeps every token request waiting; turning it off answers
 * them. A spec can then look at the page while a token request is pending, for as long as it takes.
 */
export async function holdTokenAnswers(on: boolean): Promise<void> {
  const servers = e2eServers();
  const body = JSON.stringify(on ? { hold: true } : {});
  await new Promise<void>((resolve, reject) => {
    const request = https.request(
      servers.holdableTokenFaultsUrl,
      {
        method: "PUT",
        ca: servers.caPem,
        headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) },
      },
      (response) => {
        response.resume();
        if (response.statusCode === 204) resolve();
        else reject(new Error(`the token endpoint stand-in answered ${response.statusCode} to a fault change`));
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}
