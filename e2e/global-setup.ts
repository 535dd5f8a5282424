/**
 * Starts the servers the Test e2e specs talk to, all on 127.0.0.1: a real Dovecot (IMAP TLS, IMAP
 * STARTTLS, POP3) and the Microsoft token-endpoint stand-in, sharing one test CA. Their addresses
 * and credentials go to .tmp/e2e-servers.json for the specs; the returned function stops them.
 */
import fs from "node:fs";
import path from "node:path";
import { startMailFixture } from "../tests/support/mail-fixture";

export const E2E_SERVERS_FILE = path.resolve(".tmp/e2e-servers.json");

export const e2eIdentities = {
  tenantId: "2b1c3d4e-5f60-4718-8293-a4b5c6d7e8f9",
  clientId: "7d6c5b4a-3928-4716-9504-a3b2c1d0e9f8",
  clientSecret: "Qx8~e2e-client-secret-value-0123456789",
  mailbox: "alice@contoso.test",
  basicUser: "bob",
  basicPassword: "bob-password-e2e",
};

export default async function globalSetup() {
  const { tenantId, clientId, clientSecret, mailbox, basicUser, basicPassword } = e2eIdentities;
  const mail = await startMailFixture({
    caName: "MCF e2e CA",
    tenants: [tenantId],
    apps: [{ clientId, secrets: [clientSecret] }],
    grants: [{ clientId, mailbox }],
    users: [{ username: basicUser, password: basicPassword }],
    mailboxes: [
      { user: mailbox, messages: 7 },
      { user: basicUser, messages: 3 },
    ],
  });
  const { ca, tokens, dovecot } = mail;
  // the same tenant and app behind an endpoint whose answers a spec can hold back (see holdTokenAnswers):
  // lets it watch the other steps finish while the token request is pending
  const holdableTokens = await mail.startTokenEndpoint({ remoteFaults: true });
  fs.mkdirSync(path.dirname(E2E_SERVERS_FILE), { recursive: true });
  fs.writeFileSync(
    E2E_SERVERS_FILE,
    JSON.stringify(
      {
        caPem: ca.caPem,
        tokenUrl: tokens.tokenUrl("TENANT_ID"),
        holdableTokenUrl: holdableTokens.tokenUrl("TENANT_ID"),
        holdableTokenFaultsUrl: `${holdableTokens.url}/__stand-in/faults`,
        ports: dovecot.ports,
        mailboxMessages: 7,
        ...e2eIdentities,
      },
      null,
      2,
    ),
  );
  return () => mail.stop();
}
