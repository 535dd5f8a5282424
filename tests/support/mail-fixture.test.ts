/**
 * The shared mail fixture itself: apps get their defaults, a token the stand-in issues in any of
 * the fixture's tenants opens a granted mailbox on its Dovecot (and only a granted one), extra
 * stand-ins share the apps, and stop() leaves nothing listening.
 */
import net from "node:net";
import { ImapFlow } from "imapflow";
import { describe, expect, it } from "vitest";
import { requestToken } from "@/lib/oauth/token-request";
import { ALICE, CLIENT, EXCHANGE_ROLES, TENANT, startMailFixture } from "@/tests/support/mail-fixture";

const OTHER_TENANT = "0f0e0d0c-0b0a-4908-8706-050403020100";
const OTHER_CLIENT = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
const BOB = "bob@contoso.test";
const SECRET = "Fx1~fixture-secret-0123456789abcdefgh";

const refused = (port: number) =>
  new Promise<string>((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => (socket.destroy(), resolve("connected")));
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "error"));
  });

describe("startMailFixture", () => {
  it("serves every tenant's tokens to Dovecot, grants per mailbox, and stop() ends every server", async () => {
    const mail = await startMailFixture({
      tenants: [TENANT, OTHER_TENANT],
      apps: [
        { clientId: CLIENT, secrets: [SECRET] },
        { clientId: OTHER_CLIENT, tenantId: OTHER_TENANT, secrets: [SECRET], roles: ["IMAP.AccessAsApp"] },
      ],
      grants: [{ clientId: OTHER_CLIENT, mailbox: ALICE }],
      mailboxes: [
        { user: ALICE, messages: 2 },
        { user: BOB, messages: 1 },
      ],
    });
    let stopped = false;
    try {
      expect(mail.tenantIds).toEqual([TENANT, OTHER_TENANT]);
      expect(mail.apps[0]).toEqual({
        clientId: CLIENT,
        tenantId: TENANT,
        secrets: [SECRET],
        certificatesPem: [],
        roles: EXCHANGE_ROLES,
      });
      const extra = await mail.startTokenEndpoint();

      const token = async (endpointUrl: string) => {
        const result = await requestToken({
          tokenUrl: `${endpointUrl}/${OTHER_TENANT}/oauth2/v2.0/token`,
          method: "client_secret",
          clientAuthentication: "client_secret_post",
          requestProperties: {
            grant_type: "client_credentials",
            client_id: OTHER_CLIENT,
            scope: "https://outlook.office365.com/.default",
          },
          clientSecret: SECRET,
          trustedCaPem: mail.ca.caPem,
        });
        if (!result.ok) throw new Error(result.title);
        return result.accessToken;
      };
      const login = async (user: string, accessToken: string) => {
        const client = new ImapFlow({
          host: "127.0.0.1",
          port: mail.dovecot.ports.imapTls,
          secure: true,
          tls: { ca: [mail.ca.caPem] },
          auth: { user, accessToken },
          logger: false,
          disableAutoIdle: true,
        });
        try {
          await client.connect();
          const inbox = await client.mailboxOpen("INBOX", { readOnly: true });
          await client.logout();
          return inbox.exists;
        } catch (error) {
          return (error as { authenticationFailed?: boolean }).authenticationFailed ? "refused" : String(error);
        } finally {
          client.close();
        }
      };
      // the second tenant's token (from either stand-in: they share the signing key) opens the granted mailbox
      expect(await login(ALICE, await token(mail.tokens.url))).toBe(2);
      expect(await login(ALICE, await token(extra.url))).toBe(2);
      // and not one the app was not granted
      expect(await login(BOB, await token(mail.tokens.url))).toBe("refused");

      const ports = [mail.tokens.url, extra.url].map((url) => Number(new URL(url).port));
      ports.push(...Object.values(mail.dovecot.ports));
      await mail.stop();
      stopped = true;
      for (const port of ports) expect(await refused(port), `port ${port}`).toBe("ECONNREFUSED");
    } finally {
      if (!stopped) await mail.stop();
    }
  });
});
