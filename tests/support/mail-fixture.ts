/**
 * The servers a connection test talks to, started together: one test CA, the Entra token-endpoint
 * stand-in with its tenants and app registrations, and a real Dovecot that validates the stand-in's
 * tokens, with Exchange-like grants (which app may open which mailbox), Basic users and pre-filled
 * INBOXes. Everything listens on 127.0.0.1; stop() ends all of it, whatever failed to start.
 *
 *   const mail = await startMailFixture({
 *     tenants: [TENANT],
 *     apps: [{ clientId: CLIENT, secrets: [SECRET] }],
 *     grants: [{ clientId: CLIENT, mailbox: ALICE }],
 *     users: [{ username: CAROL.user, password: CAROL.pass }],
 *     mailboxes: [{ user: ALICE, messages: 3 }],
 *   });
 *   mail.tokens.tokenUrl(TENANT); mail.dovecot.ports.imapTls; mail.ca.caPem; await mail.stop();
 *
 * Relative imports only: the Playwright global setup loads this file too.
 */
import { createTestCa, type TestCa } from "./test-ca";
import { startDovecot, type DovecotServer, type StartDovecotOptions } from "../servers/dovecot";
import {
  startTokenEndpoint,
  type StandInApp,
  type StandInTenant,
  type StartTokenEndpointOptions,
  type TokenEndpoint,
} from "../servers/token-endpoint";

/** The tenant, app registrations and mailbox the integration tests share; each file brings its own secrets. */
export const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
export const CLIENT = "6731de76-14a6-49ae-97bc-6eba6914391e";
/** the app of the tests that sign client assertions with a certificate */
export const CERT_CLIENT = "0b9d4f7e-2c1a-4e5b-8f6d-3a2b1c0d9e8f";
export const ALICE = "alice@contoso.test";

/** The Exchange Online application permissions an app gets unless the test says otherwise. */
export const EXCHANGE_ROLES = ["IMAP.AccessAsApp", "POP.AccessAsApp"];

/** An app registration; left out: the first tenant, no secret, no certificate, both Exchange roles. */
export type FixtureApp = Pick<StandInApp, "clientId"> & Partial<StandInApp>;

type TokenEndpointExtras = Omit<StartTokenEndpointOptions, "ca" | "tenants" | "apps">;

export interface TokenFixtureOptions {
  /** a CA made beforehand (to issue client certificates the apps list); by default a new one */
  ca?: TestCa;
  /** the CA's common name, when the fixture makes it */
  caName?: string;
  /** default: [TENANT] */
  tenants?: (string | StandInTenant)[];
  apps: FixtureApp[];
  /** faults, clock, server certificate… of the stand-in */
  tokenEndpoint?: TokenEndpointExtras;
}

export interface TokenFixture {
  ca: TestCa;
  tokens: TokenEndpoint;
  /** the tenant ids, in the order given */
  tenantIds: string[];
  /** the apps as the stand-in knows them, defaults filled in */
  apps: StandInApp[];
  /** another stand-in with the same tenants and apps (its own port and faults); stop() ends it too */
  startTokenEndpoint(extras?: TokenEndpointExtras): Promise<TokenEndpoint>;
  stop(): Promise<void>;
}

export interface MailFixtureOptions extends TokenFixtureOptions {
  /** which app (client id) may open which mailbox, like Exchange's Add-MailboxPermission */
  grants?: StartDovecotOptions["grants"];
  /** Basic-auth users */
  users?: StartDovecotOptions["users"];
  /** INBOXes to pre-fill */
  mailboxes?: StartDovecotOptions["mailboxes"];
  /** other Dovecot options (mechanisms, failure delay, debug) */
  dovecot?: Omit<StartDovecotOptions, "ca" | "oauth" | "grants" | "users" | "mailboxes">;
}

export interface MailFixture extends TokenFixture {
  dovecot: DovecotServer;
}

const tenantId = (tenant: string | StandInTenant) => (typeof tenant === "string" ? tenant : tenant.id);

/** The CA and the token-endpoint stand-in, for tests that need no mail server. */
export async function startTokenFixture(options: TokenFixtureOptions): Promise<TokenFixture> {
  const tenants = options.tenants ?? [TENANT];
  const tenantIds = tenants.map(tenantId);
  if (tenantIds.length === 0) throw new Error("startTokenFixture: name at least one tenant");
  const apps: StandInApp[] = options.apps.map((app) => ({
    tenantId: tenantIds[0]!,
    secrets: [],
    certificatesPem: [],
    roles: EXCHANGE_ROLES,
    ...app,
  }));
  const ca = options.ca ?? (await createTestCa(options.caName));
  const started: TokenEndpoint[] = [];
  const start = async (extras: TokenEndpointExtras = {}) => {
    const endpoint = await startTokenEndpoint({ ca, tenants, apps, ...extras });
    started.push(endpoint);
    return endpoint;
  };
  const stop = async () => {
    await Promise.all(started.map((endpoint) => endpoint.stop()));
  };
  return { ca, tokens: await start(options.tokenEndpoint), tenantIds, apps, startTokenEndpoint: start, stop };
}

/** The CA, the token-endpoint stand-in and a Dovecot that accepts the stand-in's tokens. */
export async function startMailFixture(options: MailFixtureOptions): Promise<MailFixture> {
  const fixture = await startTokenFixture(options);
  const { tokens } = fixture;
  try {
    const dovecot = await startDovecot({
      ca: fixture.ca,
      oauth: {
        issuer: fixture.tenantIds.map((id) => tokens.issuer(id)),
        audience: tokens.audience,
        kid: tokens.kid,
        publicKeyPem: tokens.publicKeyPem,
        // Exchange's app-only v1 tokens name the app in `appid`, as the stand-in's do
        clientIdClaim: "appid",
      },
      grants: options.grants ?? [],
      users: options.users ?? [],
      mailboxes: options.mailboxes ?? [],
      ...options.dovecot,
    });
    return {
      ...fixture,
      dovecot,
      stop: async () => {
        await Promise.all([dovecot.stop(), fixture.stop()]);
      },
    };
  } catch (error) {
    await fixture.stop();
    throw error;
  }
}
