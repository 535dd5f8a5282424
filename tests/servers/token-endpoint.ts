/**
 * A local stand-in for Microsoft Entra's v2.0 token endpoint, for integration tests. It ENFORCES the
 * documented rules of the client-credentials grant (docs/MICROSOFT.md) and answers with
 * Microsoft-shaped errors, so a test that passes here exercises the same decisions Entra makes; it
 * is not an endpoint that says yes to everything.
 *
 * Choices where Microsoft documents nothing (each also named in the error text):
 * - A reused client-assertion jti is refused (Microsoft documents no replay cache; MSAL even reuses
 *   assertions). Refusal: 401 invalid_client AADSTS50013 ("InvalidAssertion"), so tests can show
 *   why the console signs a fresh assertion per request.
 * - Malformed requests Entra would refuse with an undocumented code (duplicate parameters, client_id
 *   in the Basic header differing from the body, secret and assertion together, a wrong
 *   client_assertion_type) get 400 invalid_request AADSTS9002313 ("Request is malformed or invalid").
 * - /common, /organizations and /consumers all get AADSTS9001023 for this grant.
 * - Clock skew tolerance for assertion nbf/exp: 300 s (configurable), as Entra does not publish one.
 */
import crypto from "node:crypto";
import https from "node:https";
import type net from "node:net";
import type { IncomingMessage, ServerResponse } from "node:http";
import { SignJWT, compactVerify, decodeJwt, decodeProtectedHeader, exportJWK } from "jose";
import type { IssuedCertificate, TestCa } from "@/tests/support/test-ca";

export interface StandInTenant {
  id: string;
  /** Verified domains that may stand in the URL instead of the GUID */
  domains?: string[];
}

export interface StandInApp {
  clientId: string;
  tenantId: string;
  secrets: string[];
  /** Public certificates uploaded to the app (PEM) */
  certificatesPem: string[];
  /** Exchange Online application permissions with admin consent, e.g. IMAP.AccessAsApp; [] = consent missing */
  roles: string[];
  /** Microsoft Graph application permissions, for tokens requested with a Graph scope */
  graphRoles?: string[];
}

export interface TokenEndpointFaults {
  /** Answer this many token requests with HTTP 500 and an HTML page (Infinity = always) */
  respond500Html?: number;
  /** Answer this many token requests with 503 temporarily_unavailable JSON */
  temporarilyUnavailable?: number;
  /** Accept token requests and never answer */
  hang?: boolean;
  /** Close every new TCP connection at once, before TLS */
  closeImmediately?: boolean;
  /** Wait this long before answering */
  delayMs?: number;
  /**
   * Keep token requests waiting, unanswered, until this fault is lifted (setFault without it), then
   * answer them: lets a test watch what happens while a token request is pending, for as long as it
   * needs, instead of racing a delay.
   */
  hold?: boolean;
}

export interface StandInRequest {
  at: Date;
  method: string;
  path: string;
  tenant?: string;
  grantType?: string;
  clientId?: string;
  scope?: string;
  clientAuth: "client_secret_post" | "client_secret_basic" | "client_assertion" | "none";
  assertionAlg?: string;
  assertionThumbprint?: "x5t#S256" | "x5t" | "none";
  /** Names of the form fields sent (never their values) */
  fields: string[];
  status: number;
  error?: string;
  errorCodes: number[];
}

export interface StartTokenEndpointOptions {
  ca: TestCa;
  tenants: (string | StandInTenant)[];
  apps: StandInApp[];
  faults?: TokenEndpointFaults;
  /** Serve this certificate instead of a valid one for 127.0.0.1 (expired, wrong host, other CA) */
  serverCertificate?: IssuedCertificate;
  clockSkewSeconds?: number;
  /** Fixed clock for tests of time windows */
  now?: () => Date;
  /** Key that signs access tokens; by default one key shared by every stand-in of the test process */
  signingKeyPem?: string;
  /**
   * Also answer PUT /__stand-in/faults (a JSON TokenEndpointFaults, as for setFault) with 204: for a
   * test in another process than the one that started the stand-in (Playwright specs run in workers,
   * the stand-in in the global setup). Off by default: Entra has no such path.
   */
  remoteFaults?: boolean;
}

export interface TokenEndpoint {
  /** https://127.0.0.1:PORT */
  url: string;
  tokenUrl(tenant: string): string;
  jwksUrl(tenant: string): string;
  issuer(tenantId: string): string;
  /** aud of Exchange tokens */
  audience: string;
  kid: string;
  publicKeyPem: string;
  caPem: string;
  requests: StandInRequest[];
  setFault(faults: TokenEndpointFaults | null): void;
  stop(): Promise<void>;
}

export const CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
export const EXCHANGE_AUDIENCE = "https://outlook.office.com";
export const GRAPH_AUDIENCE = "https://graph.microsoft.com";
const TOKEN_LIFETIME = 3599;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

const EXCHANGE_RESOURCES = [
  "https://outlook.office365.com",
  "https://outlook.office.com",
  "https://ps.outlook.com",
  "00000002-0000-0ff1-ce00-000000000000",
];
const GRAPH_RESOURCES = ["https://graph.microsoft.com", "00000003-0000-0000-c000-000000000000"];

class OAuthError {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly code: number,
    readonly message: string,
  ) {}
}

const fail = (status: number, error: string, code: number, message: string) => new OAuthError(status, error, code, message);

let signingKey: Promise<crypto.KeyObject> | undefined;
/** RSA key generation costs 0.1–1 s on a busy machine; stand-ins in one test process share one key. */
function sharedSigningKey(): Promise<crypto.KeyObject> {
  signingKey ??= new Promise((resolve, reject) =>
    crypto.generateKeyPair("rsa", { modulusLength: 2048 }, (err, _publicKey, key) => (err ? reject(err) : resolve(key))),
  );
  return signingKey;
}

function thumbprintsOf(pem: string) {
  const cert = new crypto.X509Certificate(pem);
  return {
    cert,
    sha1: crypto.createHash("sha1").update(cert.raw).digest(),
    sha256: crypto.createHash("sha256").update(cert.raw).digest(),
  };
}

function microsoftTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace("T", " ")}Z`;
}

export async function startTokenEndpoint(options: StartTokenEndpointOptions): Promise<TokenEndpoint> {
  const tenants: StandInTenant[] = options.tenants.map((t) => (typeof t === "string" ? { id: t } : t));
  const apps = options.apps;
  let faults: TokenEndpointFaults = {};
  // while the hold fault is on, token requests wait for this; lifting the fault resolves it
  let held: { lifted: Promise<void>; lift(): void } | null = null;
  const setFaults = (next: TokenEndpointFaults | null) => {
    faults = { ...next };
    if (faults.hold && !held) {
      let lift = () => {};
      const lifted = new Promise<void>((resolve) => (lift = resolve));
      held = { lifted, lift };
    } else if (!faults.hold && held) {
      held.lift();
      held = null;
    }
  };
  setFaults(options.faults ?? null);
  const skew = options.clockSkewSeconds ?? 300;
  const clock = options.now ?? (() => new Date());
  const requests: StandInRequest[] = [];
  const usedJti = new Map<string, number>(); // "<clientId> <jti>" → expiry (s)
  const sockets = new Set<net.Socket>();

  const privateKey = options.signingKeyPem ? crypto.createPrivateKey(options.signingKeyPem) : await sharedSigningKey();
  const publicKey = crypto.createPublicKey(privateKey);
  const publicKeyPem = publicKey.export({ type: "spki", format: "pem" }).toString();
  const kid = crypto.createHash("sha256").update(publicKeyPem).digest("base64url").slice(0, 27);
  const serverCert = options.serverCertificate ?? (await options.ca.issue({ hosts: ["localhost"], ips: ["127.0.0.1"] }));

  const server = https.createServer({ cert: serverCert.certPem, key: serverCert.keyPem });
  server.on("connection", (socket: net.Socket) => {
    if (faults.closeImmediately) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  // A TLS handshake failure is the client's verdict, not an error of the stand-in.
  server.on("tlsClientError", () => {});

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  const base = `https://127.0.0.1:${port}`;

  const tenantBySegment = (segment: string) =>
    tenants.find(
      (t) =>
        t.id.toLowerCase() === segment.toLowerCase() || (t.domains ?? []).some((d) => d.toLowerCase() === segment.toLowerCase()),
    );

  function send(res: ServerResponse, status: number, body: unknown, contentType = "application/json; charset=utf-8") {
    const text = typeof body === "string" ? body : JSON.stringify(body);
    res.writeHead(status, {
      "Content-Type": contentType,
      "Cache-Control": "no-store",
      "Content-Length": Buffer.byteLength(text),
    });
    res.end(text);
  }

  function errorBody(e: OAuthError, correlationId: string) {
    const now = clock();
    const traceId = crypto.randomUUID();
    const timestamp = microsoftTimestamp(now);
    return {
      error: e.error,
      error_description: `AADSTS${e.code}: ${e.message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
      error_codes: [e.code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${e.code}`,
    };
  }

  async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > 64 * 1024)
        throw fail(400, "invalid_request", 9002313, "Invalid request. Request is malformed or invalid: the body is too large.");
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString("utf8");
  }

  /** Validates a client assertion for `app` sent to `requestedUrl`; returns the credential type. */
  async function checkAssertion(
    assertion: string,
    assertionType: string | undefined,
    app: StandInApp,
    requestedUrl: string,
    entry: StandInRequest,
  ) {
    if (!assertionType)
      throw fail(
        400,
        "invalid_request",
        900144,
        "The request body must contain the following parameter: 'client_assertion_type'.",
      );
    if (assertionType !== CLIENT_ASSERTION_TYPE) {
      throw fail(
        400,
        "invalid_request",
        9002313,
        `Invalid request. Request is malformed or invalid: client_assertion_type must be ${CLIENT_ASSERTION_TYPE}.`,
      );
    }
    let header: ReturnType<typeof decodeProtectedHeader>;
    let claims: ReturnType<typeof decodeJwt>;
    try {
      if (assertion.split(".").length !== 3) throw new Error("parts");
      header = decodeProtectedHeader(assertion);
      claims = decodeJwt(assertion);
    } catch {
      throw fail(400, "invalid_request", 50027, "JWT token is invalid or malformed.");
    }
    entry.assertionAlg = header.alg;
    const s256 = typeof header["x5t#S256"] === "string" ? (header["x5t#S256"] as string) : undefined;
    const s1 = typeof header.x5t === "string" ? header.x5t : undefined;
    entry.assertionThumbprint = s256 ? "x5t#S256" : s1 ? "x5t" : "none";
    if (header.alg !== "PS256" && header.alg !== "RS256") {
      throw fail(
        400,
        "invalid_request",
        50027,
        `Invalid JWT token. Unsupported signing algorithm '${String(header.alg)}'; use PS256 or RS256.`,
      );
    }
    if (!s256 && !s1)
      throw fail(400, "invalid_request", 50027, "Invalid JWT token. No certificate thumbprint specified in token header.");
    const thumb = Buffer.from((s256 ?? s1)!, "base64url");
    if (thumb.length !== (s256 ? 32 : 20))
      throw fail(
        400,
        "invalid_request",
        50027,
        "Invalid JWT token. The certificate thumbprint in the token header is malformed.",
      );
    const hex = thumb.toString("hex").toUpperCase();
    const cert = app.certificatesPem.map(thumbprintsOf).find((c) => (s256 ? c.sha256 : c.sha1).equals(thumb));
    const keyHint = `Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${app.clientId}'.`;
    if (!cert) {
      throw fail(
        401,
        "invalid_client",
        700027,
        `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${hex}', ${keyHint}]`,
      );
    }
    try {
      await compactVerify(assertion, cert.cert.publicKey, { algorithms: ["PS256", "RS256"] });
    } catch {
      throw fail(
        401,
        "invalid_client",
        700027,
        `Client assertion contains an invalid signature. [Reason - The provided signature value did not match the expected signature value., Thumbprint of key used by client: '${hex}', ${keyHint}]`,
      );
    }
    if (claims.sub !== claims.iss)
      throw fail(
        401,
        "invalid_client",
        50048,
        "Subject mismatches Issuer claim in the client assertion. Contact the tenant admin.",
      );
    if (claims.iss !== app.clientId)
      throw fail(401, "invalid_client", 700021, "Client assertion application identifier doesn't match 'client_id' parameter.");
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audiences.includes(requestedUrl))
      throw fail(401, "invalid_client", 700023, "Client assertion audience claim does not match Realm issuer.");
    const now = Math.floor(clock().getTime() / 1000);
    const iso = (s: unknown) => new Date((typeof s === "number" ? s : 0) * 1000).toISOString();
    const nbf = typeof claims.nbf === "number" ? claims.nbf : 0;
    const exp = typeof claims.exp === "number" ? claims.exp : 0;
    // A missing nbf or exp counts as 1970 (docs/MICROSOFT.md#client-assertion: Entra then reports "valid from 1970-01-01").
    if (typeof claims.nbf !== "number" || typeof claims.exp !== "number" || now + skew < nbf || now - skew >= exp) {
      throw fail(
        401,
        "invalid_client",
        700024,
        `Client assertion is not within its valid time range. Current time: ${iso(now)}, assertion valid from ${iso(nbf)}, expiry time of assertion ${iso(exp)}.`,
      );
    }
    if (typeof claims.jti !== "string" || !claims.jti)
      throw fail(400, "invalid_request", 50027, "Invalid JWT token. The client assertion has no jti claim.");
    const replayKey = `${app.clientId} ${claims.jti}`;
    for (const [key, until] of usedJti) if (until < now - skew) usedJti.delete(key);
    if (usedJti.has(replayKey)) {
      throw fail(
        401,
        "invalid_client",
        50013,
        "Assertion is invalid: a client assertion with this jti was already used (replay refused by the test endpoint).",
      );
    }
    usedJti.set(replayKey, exp);
  }

  function parseBasic(header: string | undefined): { clientId: string; secret: string } | undefined {
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "");
    if (!match) return undefined;
    const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon === -1)
      throw fail(
        401,
        "invalid_client",
        9002313,
        "Invalid request. Request is malformed or invalid: the Basic authorization header is malformed.",
      );
    // RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
    const formDecode = (s: string) => new URLSearchParams(`v=${s}`).get("v") ?? "";
    return { clientId: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  }

  async function issueToken(req: IncomingMessage, segment: string, entry: StandInRequest): Promise<unknown> {
    if (req.method !== "POST")
      throw fail(
        400,
        "invalid_request",
        900561,
        `The endpoint only accepts POST, OPTIONS requests. Received a ${req.method} request.`,
      );
    const text = await readBody(req);
    const form = /application\/x-www-form-urlencoded/i.test(req.headers["content-type"] ?? "")
      ? new URLSearchParams(text)
      : new URLSearchParams();
    entry.fields = [...new Set(form.keys())];
    for (const key of entry.fields) {
      if (form.getAll(key).length > 1)
        throw fail(
          400,
          "invalid_request",
          9002313,
          `Invalid request. Request is malformed or invalid: the parameter '${key}' is repeated.`,
        );
    }
    const field = (key: string) => form.get(key) ?? undefined;

    if (["common", "organizations", "consumers"].includes(segment.toLowerCase())) {
      throw fail(
        400,
        "invalid_request",
        9001023,
        `The grant type isn't supported over the /${segment} endpoint. Please use a tenant-specific endpoint.`,
      );
    }
    if (!GUID.test(segment) && !DOMAIN.test(segment)) {
      throw fail(
        400,
        "invalid_request",
        900023,
        `Specified tenant identifier '${segment}' is neither a valid DNS name, nor a valid external domain.`,
      );
    }
    const tenant = tenantBySegment(segment);
    if (!tenant) {
      throw fail(
        400,
        "invalid_request",
        90002,
        `Tenant '${segment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
      );
    }
    entry.grantType = field("grant_type");
    if (!entry.grantType)
      throw fail(400, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'.");
    if (entry.grantType !== "client_credentials") {
      throw fail(400, "unsupported_grant_type", 70003, `The app requested an unsupported grant type '${entry.grantType}'.`);
    }
    if (field("resource") !== undefined)
      throw fail(400, "invalid_request", 901002, "The 'resource' request parameter is not supported.");

    const basic = parseBasic(req.headers.authorization);
    const bodyClientId = field("client_id");
    if (basic && bodyClientId && basic.clientId !== bodyClientId) {
      throw fail(
        400,
        "invalid_request",
        9002313,
        "Invalid request. Request is malformed or invalid: client_id in the body differs from the one in the Authorization header.",
      );
    }
    const clientId = basic?.clientId ?? bodyClientId;
    entry.clientId = clientId;
    if (!clientId)
      throw fail(400, "invalid_request", 900144, "The request body must contain the following parameter: 'client_id'.");
    entry.scope = field("scope");
    if (!entry.scope)
      throw fail(400, "invalid_request", 900144, "The request body must contain the following parameter: 'scope'.");

    const app = apps.find(
      (a) => a.clientId.toLowerCase() === clientId.toLowerCase() && a.tenantId.toLowerCase() === tenant.id.toLowerCase(),
    );
    if (!app) {
      throw fail(
        400,
        "unauthorized_client",
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${segment}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
      );
    }

    const bodySecret = field("client_secret");
    const assertion = field("client_assertion");
    if (basic && bodySecret !== undefined) {
      throw fail(
        400,
        "invalid_request",
        9002313,
        "Invalid request. Request is malformed or invalid: the client secret was sent both in the Authorization header and in the body.",
      );
    }
    const secret = basic?.secret ?? bodySecret;
    if (secret !== undefined && assertion !== undefined) {
      throw fail(
        400,
        "invalid_request",
        9002313,
        "Invalid request. Request is malformed or invalid: send either client_secret or client_assertion, not both.",
      );
    }
    let credential: "secret" | "certificate";
    if (assertion !== undefined) {
      entry.clientAuth = "client_assertion";
      await checkAssertion(assertion, field("client_assertion_type"), app, `${base}/${segment}/oauth2/v2.0/token`, entry);
      credential = "certificate";
    } else if (secret !== undefined) {
      entry.clientAuth = basic ? "client_secret_basic" : "client_secret_post";
      if (!app.secrets.includes(secret)) {
        throw fail(
          401,
          "invalid_client",
          7000215,
          `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.clientId}'.`,
        );
      }
      credential = "secret";
    } else {
      throw fail(
        401,
        "invalid_client",
        7000218,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
      );
    }

    const scopes = entry.scope.split(/\s+/).filter(Boolean);
    if (scopes.length !== 1)
      throw fail(
        400,
        "invalid_scope",
        70011,
        `The provided value for the input parameter 'scope' is not valid. The scope ${entry.scope} is not valid.`,
      );
    const scope = scopes[0]!;
    if (!scope.endsWith("/.default")) {
      throw fail(
        400,
        "invalid_scope",
        1002012,
        `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      );
    }
    const resource = scope.slice(0, -"/.default".length).replace(/\/$/, "").toLowerCase();
    const graph = GRAPH_RESOURCES.includes(resource);
    if (!graph && !EXCHANGE_RESOURCES.includes(resource)) {
      throw fail(
        400,
        "invalid_resource",
        500011,
        `The resource principal named ${resource} was not found in the tenant named ${segment}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
      );
    }

    const now = Math.floor(clock().getTime() / 1000);
    const roles = graph ? (app.graphRoles ?? []) : app.roles;
    const objectId = crypto.createHash("sha256").update(`sp:${app.tenantId}:${app.clientId}`).digest("hex");
    const oid = `${objectId.slice(0, 8)}-${objectId.slice(8, 12)}-${objectId.slice(12, 16)}-${objectId.slice(16, 20)}-${objectId.slice(20, 32)}`;
    const accessToken = await new SignJWT({
      aud: graph ? GRAPH_AUDIENCE : EXCHANGE_AUDIENCE,
      iss: `https://sts.windows.net/${tenant.id}/`,
      iat: now,
      nbf: now,
      exp: now + TOKEN_LIFETIME,
      appid: app.clientId,
      appidacr: credential === "secret" ? "1" : "2",
      idp: `https://sts.windows.net/${tenant.id}/`,
      idtyp: "app",
      oid,
      sub: oid,
      tid: tenant.id,
      uti: crypto.randomBytes(16).toString("base64url"),
      ver: "1.0",
      // Entra leaves the claim out entirely when the app has no consented application permission.
      ...(roles.length ? { roles } : {}),
    })
      .setProtectedHeader({ alg: "RS256", typ: "JWT", kid, x5t: kid })
      .sign(privateKey);
    return { token_type: "Bearer", expires_in: TOKEN_LIFETIME, ext_expires_in: TOKEN_LIFETIME, access_token: accessToken };
  }

  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? "/", base).pathname;
    const entry: StandInRequest = {
      at: clock(),
      method: req.method ?? "",
      path,
      clientAuth: "none",
      fields: [],
      status: 0,
      errorCodes: [],
    };
    const requestId = String(req.headers["client-request-id"] ?? "");
    const correlationId = GUID.test(requestId) ? requestId : crypto.randomUUID();

    void (async () => {
      if (options.remoteFaults && path === "/__stand-in/faults" && req.method === "PUT") {
        setFaults(JSON.parse(await readBody(req)) as TokenEndpointFaults);
        res.writeHead(204, { "Cache-Control": "no-store" });
        return res.end();
      }
      const tokenMatch = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(path);
      const keysMatch = /^\/([^/]+)\/discovery\/v2\.0\/keys$/.exec(path);
      const configMatch = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(path);
      if (tokenMatch) {
        entry.tenant = decodeURIComponent(tokenMatch[1]!);
        requests.push(entry);
        if (held) await held.lifted;
        if (faults.delayMs) await new Promise((r) => setTimeout(r, faults.delayMs));
        if (faults.hang) return; // accepted, never answered: the client's timeout must fire
        if (faults.respond500Html && faults.respond500Html > 0) {
          faults.respond500Html--;
          entry.status = 500;
          req.resume();
          return send(
            res,
            500,
            "<!DOCTYPE html><html><head><title>500 Internal Server Error</title></head><body><h1>Server Error</h1></body></html>",
            "text/html; charset=utf-8",
          );
        }
        if (faults.temporarilyUnavailable && faults.temporarilyUnavailable > 0) {
          faults.temporarilyUnavailable--;
          const e = fail(503, "temporarily_unavailable", 90033, "A transient error has occurred. Please try again.");
          entry.status = 503;
          entry.error = e.error;
          entry.errorCodes = [e.code];
          req.resume();
          return send(res, 503, errorBody(e, correlationId));
        }
        try {
          const body = await issueToken(req, entry.tenant, entry);
          entry.status = 200;
          return send(res, 200, body);
        } catch (error) {
          if (!(error instanceof OAuthError)) throw error;
          entry.status = error.status;
          entry.error = error.error;
          entry.errorCodes = [error.code];
          req.resume();
          return send(res, error.status, errorBody(error, correlationId));
        }
      }
      if (keysMatch && req.method === "GET") {
        const jwk = await exportJWK(publicKey);
        return send(res, 200, { keys: [{ ...jwk, kty: "RSA", use: "sig", kid, x5t: kid, alg: "RS256" }] });
      }
      if (configMatch && req.method === "GET") {
        const tenant = tenantBySegment(decodeURIComponent(configMatch[1]!));
        if (!tenant)
          return send(
            res,
            400,
            errorBody(fail(400, "invalid_tenant", 90002, `Tenant '${configMatch[1]}' not found.`), correlationId),
          );
        return send(res, 200, {
          token_endpoint: `${base}/${tenant.id}/oauth2/v2.0/token`,
          jwks_uri: `${base}/${tenant.id}/discovery/v2.0/keys`,
          issuer: `https://sts.windows.net/${tenant.id}/`,
        });
      }
      req.resume();
      send(res, 404, "<!DOCTYPE html><html><body><h1>404 Not Found</h1></body></html>", "text/html; charset=utf-8");
    })().catch(() => {
      if (!res.headersSent) send(res, 500, "<html><body>stand-in error</body></html>", "text/html");
    });
  });

  return {
    url: base,
    tokenUrl: (tenant) => `${base}/${tenant}/oauth2/v2.0/token`,
    jwksUrl: (tenant) => `${base}/${tenant}/discovery/v2.0/keys`,
    issuer: (tenantId) => `https://sts.windows.net/${tenantId}/`,
    audience: EXCHANGE_AUDIENCE,
    kid,
    publicKeyPem,
    caPem: options.ca.caPem,
    requests,
    setFault: setFaults,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Signs a client assertion exactly as told, including wrong ones (another key, no thumbprint,
 * sub ≠ iss…), for tests of the rules above. The console's own builder refuses to make these.
 */
export async function signTestAssertion(options: {
  privateKeyPem: string;
  /** Certificate whose thumbprint goes in the header (x5t#S256 for PS256, x5t for RS256) */
  certificatePem?: string;
  alg?: "PS256" | "RS256";
  /** Header fields to add or (with undefined) remove */
  header?: Record<string, unknown>;
  claims: Record<string, unknown>;
}): Promise<string> {
  const alg = options.alg ?? "PS256";
  const header: Record<string, unknown> = { alg, typ: "JWT" };
  if (options.certificatePem) {
    const t = thumbprintsOf(options.certificatePem);
    if (alg === "PS256") header["x5t#S256"] = t.sha256.toString("base64url");
    else header.x5t = t.sha1.toString("base64url");
  }
  for (const [key, value] of Object.entries(options.header ?? {})) {
    if (value === undefined) delete header[key];
    else header[key] = value;
  }
  return new SignJWT(options.claims)
    .setProtectedHeader(header as { alg: string })
    .sign(crypto.createPrivateKey(options.privateKeyPem));
}
