/**
 * Plain-words catalogue of the AADSTS codes that matter for the client-credentials flow
 * (docs/MICROSOFT.md#aadsts-codes), and the merge of a Microsoft error body into one explanation. Microsoft says
 * codes and texts may change and must not drive program logic (docs/MICROSOFT.md#token-errors): the program branches on the
 * OAuth `error` class; this table only adds hints for a person. Client-safe: the result panel can
 * render an explanation without a server round trip.
 */
import { z } from "zod";
import { redactText } from "@/lib/crypto/redact";

export interface AadstsEntry {
  title: string;
  cause: string;
  fix: string;
}

const APP_PAGE = "Entra admin center > App registrations > your app";

const entries: Record<number, AadstsEntry> = {
  7000215: {
    title: "Wrong client secret",
    cause: "Entra rejected the client secret. Most often the secret's ID was copied instead of its Value.",
    fix: `Open ${APP_PAGE} > Certificates & secrets > Client secrets. The Value is shown only once, right after the secret is created: if you no longer have it, click "New client secret", copy the Value column (not "Secret ID") and paste it here.`,
  },
  7000222: {
    title: "Client secret expired",
    cause: "The client secret has passed its expiry date (secrets live at most 24 months).",
    fix: `Open ${APP_PAGE} > Certificates & secrets, click "New client secret", paste its Value here and save. Consider a certificate (Method 2) instead, and note the new expiry date.`,
  },
  7000218: {
    title: "No client credential sent",
    cause: "The token request carried neither a client secret nor a client assertion.",
    fix: "Enter the client secret (Method 1), or the certificate and private key (Method 2), save, and test again.",
  },
  700016: {
    title: "Application not found in this tenant",
    cause:
      "No app with this Application (client) ID exists in the tenant named in the token URL: a typo in the client ID, the wrong tenant, or an app registered in another cloud.",
    fix: `Copy the Application (client) ID and the Directory (tenant) ID from ${APP_PAGE} > Overview, and make sure the token URL host is the cloud the app is registered in.`,
  },
  90002: {
    title: "Tenant not found",
    cause:
      "Entra does not know the tenant in the token URL: a wrong tenant ID or domain, or the right tenant on another cloud's sign-in host.",
    fix: "Copy the Directory (tenant) ID from Entra admin center > Overview (or use a verified domain such as contoso.onmicrosoft.com), and check the token URL host: login.microsoftonline.com for Global, login.microsoftonline.us for US Government, login.partner.microsoftonline.cn for China.",
  },
  900023: {
    title: "Tenant is not a GUID or domain",
    cause:
      "The tenant part of the token URL is neither a GUID nor a valid domain (for example 'undefined', or a whole URL pasted into the Tenant field).",
    fix: "Enter only the Directory (tenant) ID, a GUID from Entra admin center > Overview, or a verified domain such as contoso.onmicrosoft.com.",
  },
  9001023: {
    title: "A specific tenant is required",
    cause:
      "The token URL uses /common, /organizations or /consumers. The client-credentials grant signs in as the app itself, so Entra must be told which directory.",
    fix: "Replace common/organizations in the token URL (or in the Tenant field) with your Directory (tenant) ID.",
  },
  50194: {
    title: "A specific tenant is required",
    cause: "The app is single-tenant but the token URL uses a multi-tenant endpoint such as /common or /organizations.",
    fix: "Replace common/organizations in the token URL (or in the Tenant field) with your Directory (tenant) ID.",
  },
  70011: {
    title: "Scope not valid",
    cause: "Entra did not accept the scope value.",
    fix: "Set scope to https://outlook.office365.com/.default (your cloud's Exchange Online resource followed by /.default).",
  },
  1002012: {
    title: "Scope must end with /.default",
    cause:
      "The client-credentials grant only accepts '<resource>/.default'. A permission name such as IMAP.AccessAsApp is granted in Entra, it is not a scope.",
    fix: "Set scope to https://outlook.office365.com/.default; grant IMAP.AccessAsApp / POP.AccessAsApp under API permissions instead.",
  },
  700022: {
    title: "Scopes of more than one resource",
    cause: "The scope names more than one resource; one token is always for one resource.",
    fix: "Keep a single scope: https://outlook.office365.com/.default.",
  },
  500011: {
    title: "Resource not found in the tenant",
    cause:
      "The resource named in the scope has no service principal in this tenant: a typo in the scope host, the wrong cloud, or a tenant without Exchange Online.",
    fix: "Check the scope (https://outlook.office365.com/.default for Global) and that the tenant has Exchange Online licences in this cloud.",
  },
  901002: {
    title: "'resource' is not supported",
    cause: "A 'resource' field was sent to the v2.0 token endpoint, which takes 'scope' only.",
    fix: "Remove the resource row from the request properties; scope=https://outlook.office365.com/.default says the same thing.",
  },
  900144: {
    title: "Required field missing",
    cause: "The token request lacks a required field (grant_type, client_id or scope).",
    fix: "Make sure the request properties contain grant_type=client_credentials, client_id and scope.",
  },
  90014: {
    title: "Required field missing",
    cause: "The token request lacks a required field.",
    fix: "Make sure the request properties contain grant_type=client_credentials, client_id and scope.",
  },
  700027: {
    title: "Certificate not accepted",
    cause:
      "Entra could not verify the client assertion with a certificate of this app: the certificate is not uploaded to THIS app registration, the thumbprint in the assertion header is wrong or stale, or the private key does not belong to the certificate.",
    fix: `Upload the certificate's public part (.cer, .pem or .crt) in ${APP_PAGE} > Certificates & secrets > Certificates, compare the thumbprint shown there with the one this console shows, and make sure the private key pasted here belongs to that certificate.`,
  },
  700024: {
    title: "Assertion outside its valid time",
    cause:
      "The client assertion was expired or not yet valid when Entra received it (an old pasted assertion, a wrong server clock, or times in milliseconds instead of seconds).",
    fix: "Synchronise this server's clock (NTP). With a pasted assertion, generate a new one — or switch to Client certificate so the console signs a fresh assertion for every request.",
  },
  700023: {
    title: "Assertion audience does not match",
    cause:
      "The assertion's 'aud' claim is not this token URL (different host, tenant or path). Microsoft uses this code for two different messages; the description below says which.",
    fix: "Create the assertion with aud set to exactly the token URL, e.g. https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token. With Client certificate the console does this itself.",
  },
  700021: {
    title: "Assertion issuer is not this client",
    cause: "The assertion's 'iss' claim is not the client_id sent with the request.",
    fix: "Create the assertion with iss and sub both set to the Application (client) ID.",
  },
  50012: {
    title: "Client authentication failed",
    cause:
      "Entra could not authenticate the app with the credential sent (generic certificate/assertion failure: invalid signature, unauthorised thumbprint or certificate chain).",
    fix: "Check the certificate uploaded to the app registration and the private key pasted here; read the description below for the detail.",
  },
  50013: {
    title: "Assertion refused",
    cause: "Entra considered the client assertion invalid, for example expired, malformed or already used.",
    fix: "Generate a new assertion (with a new jti), or switch to Client certificate so the console signs a fresh one for every request.",
  },
  50027: {
    title: "Assertion is malformed",
    cause:
      "The client assertion is not a JWT Entra accepts: for example the header lacks the certificate thumbprint (x5t#S256 or x5t), the algorithm is not RS256/PS256, or a required claim is missing.",
    fix: "Sign the assertion with PS256 and an x5t#S256 header (or RS256 with x5t) and the claims aud, iss, sub, jti, nbf, exp — or choose Client certificate and let the console build it.",
  },
  50048: {
    title: "Assertion subject does not match issuer",
    cause: "In the client assertion 'sub' differs from 'iss'.",
    fix: "Create the assertion with iss and sub both set to the Application (client) ID.",
  },
  50032: {
    title: "RSA key too weak",
    cause: "The certificate's RSA key is shorter than Entra accepts.",
    fix: "Create a new certificate with an RSA key of at least 2048 bits, upload it to the app and paste it here.",
  },
  7000112: {
    title: "Application disabled",
    cause: "The app's service principal is disabled in this tenant.",
    fix: "In Entra admin center > Enterprise applications > your app > Properties, set 'Enabled for users to sign-in' to Yes (or ask who disabled it why).",
  },
  53003: {
    title: "Blocked by Conditional Access",
    cause: "A Conditional Access policy (for example a workload-identity location policy) blocked this app's sign-in.",
    fix: "Ask the Entra administrator to look at Sign-in logs > Service principal sign-ins for this app and adjust the policy or the network this console runs from.",
  },
  90038: {
    title: "Tenant is in another national cloud",
    cause: "The tenant belongs to a different Microsoft cloud than the token URL host.",
    fix: "Use the token URL host of the tenant's cloud (login.microsoftonline.us for US Government, login.partner.microsoftonline.cn for China) together with that cloud's scope and mail host.",
  },
  900432: {
    title: "Cross-cloud request not supported",
    cause: "The app and the tenant are in different Microsoft clouds; confidential clients cannot cross clouds.",
    fix: "Register the app in the same cloud as the mailbox tenant and use that cloud's token URL, scope and mail host.",
  },
};

/** Plain meaning of the OAuth `error` class, used when no AADSTS code is known (RFC 6749 §5.2). */
const errorClasses: Record<string, AadstsEntry> = {
  invalid_request: {
    title: "Request not accepted",
    cause: "The token endpoint found the request malformed: a field is missing, repeated or not valid.",
    fix: "Check the token URL, tenant and request properties (grant_type=client_credentials, client_id, scope).",
  },
  invalid_client: {
    title: "Client authentication failed",
    cause: "The token endpoint did not accept the app's credential (client secret or certificate).",
    fix: "Check the client ID and the client secret Value, or the certificate uploaded to the app registration.",
  },
  invalid_grant: {
    title: "Grant not accepted",
    cause: "The token endpoint refused the grant or the assertion.",
    fix: "Check the client assertion (or create a new one) and the server clock.",
  },
  unauthorized_client: {
    title: "Client not allowed",
    cause: "The app is unknown in this tenant or not allowed to use the client-credentials grant.",
    fix: "Check the Application (client) ID and the tenant in the token URL.",
  },
  unsupported_grant_type: {
    title: "Grant type not supported",
    cause: "The token endpoint does not support the grant_type sent.",
    fix: "Set grant_type to client_credentials.",
  },
  invalid_scope: {
    title: "Scope not valid",
    cause: "The token endpoint did not accept the scope.",
    fix: "Set scope to https://outlook.office365.com/.default (your cloud's Exchange Online resource followed by /.default).",
  },
  invalid_resource: {
    title: "Resource not found",
    cause: "The resource named in the scope is not known in this tenant.",
    fix: "Check the scope host and that the tenant has Exchange Online in this cloud.",
  },
  access_denied: {
    title: "Access denied",
    cause: "The token endpoint denied the request (for example by policy).",
    fix: "Ask the Entra administrator to check the app's service-principal sign-in logs.",
  },
  temporarily_unavailable: {
    title: "Sign-in service temporarily unavailable",
    cause: "The token endpoint is overloaded or under maintenance.",
    fix: "Try again in a few minutes; check Microsoft 365 service health if it persists.",
  },
  server_error: {
    title: "Sign-in service error",
    cause: "The token endpoint hit an internal error.",
    fix: "Try again in a few minutes; check Microsoft 365 service health if it persists.",
  },
};

const unknownError: AadstsEntry = {
  title: "Token request refused",
  cause: "The token endpoint refused the request without a recognised reason.",
  fix: "Read the description below and look the code up with the link; check the token URL, tenant, client ID and credential.",
};

/** Every catalogued code, for the UI and for tests. */
export const AADSTS_CODES: readonly number[] = Object.keys(entries).map(Number);

export function aadstsEntry(code: number): AadstsEntry | undefined {
  return entries[code];
}

export function errorClassEntry(error: string | undefined): AadstsEntry {
  return (error && errorClasses[error]) || unknownError;
}

export function lookupUrl(code: number): string {
  return `https://login.microsoftonline.com/error?code=${code}`;
}

/** Microsoft's error body (docs/MICROSOFT.md#token-errors); extra fields are ignored, missing optional ones allowed. */
export const microsoftErrorSchema = z.object({
  error: z.string().min(1).max(200),
  error_description: z.string().optional(),
  error_codes: z.array(z.number().int().nonnegative()).optional(),
  timestamp: z.string().max(100).optional(),
  trace_id: z.string().max(100).optional(),
  correlation_id: z.string().max(100).optional(),
  error_uri: z.string().max(2048).optional(),
});

export type MicrosoftErrorBody = z.infer<typeof microsoftErrorSchema>;

export interface TokenErrorExplanation {
  /** OAuth error class, e.g. invalid_client */
  error: string;
  aadstsCodes: number[];
  title: string;
  cause: string;
  fix: string;
  /** Server's own text, first part only (ids are separate fields), redacted and shortened */
  description?: string;
  traceId?: string;
  correlationId?: string;
  timestamp?: string;
  errorUri?: string;
  lookupUrl?: string;
}

const MAX_DESCRIPTION = 1000;

/** The AADSTS numbers of a body: error_codes first, then any named in the description. */
export function aadstsCodesOf(body: Pick<MicrosoftErrorBody, "error_codes" | "error_description">): number[] {
  const codes = [...(body.error_codes ?? [])];
  for (const match of (body.error_description ?? "").matchAll(/AADSTS(\d{4,9})/g)) codes.push(Number(match[1]));
  return [...new Set(codes)];
}

/**
 * Merge a Microsoft error body into one explanation: error class, codes, ids, timestamp and the
 * lookup link, with the catalogue's plain words for the first code it knows. Returns undefined when
 * the body is not an OAuth error object.
 */
export function explainTokenError(body: unknown): TokenErrorExplanation | undefined {
  const parsed = microsoftErrorSchema.safeParse(body);
  if (!parsed.success) return undefined;
  const b = parsed.data;
  const codes = aadstsCodesOf(b);
  const known = codes.map((c) => entries[c]).find(Boolean);
  const entry = known ?? errorClassEntry(b.error);
  // The ids are shown as their own fields; the description keeps only the message before them.
  const message = b.error_description?.split(/\r?\n(?:Trace ID|Correlation ID|Timestamp):/)[0]?.trim();
  const description = message ? redactText(message).slice(0, MAX_DESCRIPTION) : undefined;
  const firstCode = codes[0];
  return {
    error: b.error,
    aadstsCodes: codes,
    title: entry.title,
    cause: entry.cause,
    fix: entry.fix,
    ...(description ? { description } : {}),
    ...(b.trace_id ? { traceId: b.trace_id } : {}),
    ...(b.correlation_id ? { correlationId: b.correlation_id } : {}),
    ...(b.timestamp ? { timestamp: b.timestamp } : {}),
    ...(b.error_uri && /^https:\/\//.test(b.error_uri) ? { errorUri: b.error_uri } : {}),
    ...(firstCode !== undefined ? { lookupUrl: lookupUrl(firstCode) } : {}),
  };
}
