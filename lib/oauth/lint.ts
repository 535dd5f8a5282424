/**
 * Advice rules for an OAuth profile (docs/MICROSOFT.md#token-endpoint, #clouds and #scope): mistakes the schema cannot call
 * invalid but that Entra or Exchange will certainly (error) or probably (warning) refuse. Each finding
 * names the form field it belongs to, so the form can show it in place. Client-safe: runs in the
 * form as the admin types and again at the start of a Test, where the stored secret is passed in
 * `options.clientSecret` (the browser never has it). Messages never repeat a secret.
 */
import { resolveTokenUrl, TENANT_PLACEHOLDERS } from "@/lib/profiles/oauth-defaults";
import { parseMailServerUrl } from "@/lib/profiles/mail-server-url";
import type { ProfileInput } from "@/lib/profiles/schema";
import {
  cloudsOfHost,
  differentClouds,
  exchangeAudienceClouds,
  isExchangeOnlineMailHost,
  isGraphAudience,
  isMicrosoftAuthorityHost,
} from "@/lib/oauth/clouds";
import { isDomainName, isGuid, isMultiTenantSegment, parseTokenUrl } from "@/lib/oauth/identifiers";
import { checkPastedAssertion, type PastedAssertionCode } from "@/lib/oauth/pasted-assertion";

export type LintCode =
  | "scope_graph"
  | "scope_permission_name"
  | "scope_not_default"
  | "scope_multiple"
  | "scope_not_exchange"
  | "scope_cloud_mismatch"
  | "resource_parameter"
  | "tenant_multi"
  | "tenant_invalid"
  | "token_url_v1"
  | "token_url_path"
  | "client_id_not_guid"
  | "secret_looks_like_id"
  | "basic_auth_exchange"
  | "cloud_mismatch"
  | "basic_header_unused"
  | `assertion_${PastedAssertionCode}`;

export interface LintFinding {
  level: "error" | "warning" | "info";
  code: LintCode;
  /** Form path, e.g. "authentication.requestProperties.2.value" or "authentication.tenantId" */
  path: string;
  message: string;
}

export interface LintOptions {
  /** The stored client secret, at Test time: the form only has what the admin typed. */
  clientSecret?: string;
}

const EXCHANGE_SCOPE = "https://outlook.office365.com/.default";

/** Lint the OAuth and Exchange-specific parts of a profile. */
export function lintOAuthProfile(input: ProfileInput, options: LintOptions = {}): LintFinding[] {
  const findings: LintFinding[] = [];
  const add = (level: LintFinding["level"], code: LintCode, path: string, message: string) =>
    findings.push({ level, code, path, message });
  const auth = input.authentication;
  const mail = parseMailServerUrl(input.connection.mailServerUrl);
  const mailHost = mail.ok ? mail.value.host : undefined;

  if (auth.type === "basic") {
    if (mailHost && isExchangeOnlineMailHost(mailHost)) {
      add(
        "warning",
        "basic_auth_exchange",
        "authentication.type",
        "Microsoft has retired Basic authentication for IMAP and POP in Exchange Online: a password login will be refused (or log in without access to the mailbox). Use OAuth2 with a client secret or certificate.",
      );
    }
    return findings;
  }

  const rowsPath = "authentication.requestProperties";
  const rowIndex = (key: string) => auth.requestProperties.findIndex((r) => r.key.trim() === key);
  const rowValue = (key: string) => {
    const index = rowIndex(key);
    return index === -1 ? undefined : auth.requestProperties[index]!.value.trim();
  };

  // Token URL and tenant
  const tenantId = auth.tenantId.trim();
  const rawUrl = auth.tokenUrl.trim();
  const usesPlaceholder = TENANT_PLACEHOLDERS.some((p) => rawUrl.includes(p));
  const resolvedUrl = resolveTokenUrl(rawUrl, tenantId);
  const url = usesPlaceholder && !tenantId ? undefined : parseTokenUrl(resolvedUrl);
  const tokenHost = url?.host;
  const microsoft = tokenHost !== undefined && isMicrosoftAuthorityHost(tokenHost);

  const tenantPath = usesPlaceholder ? "authentication.tenantId" : "authentication.tokenUrl";
  const tenant = usesPlaceholder ? tenantId : url?.tenantSegment;
  if (tenant && isMultiTenantSegment(tenant)) {
    add(
      "error",
      "tenant_multi",
      tenantPath,
      `"${tenant}" is not a tenant: the client-credentials grant needs your own Directory (tenant) ID or verified domain (Entra answers AADSTS9001023 otherwise).`,
    );
  } else if (tenant && (usesPlaceholder || microsoft) && !isGuid(tenant) && !isDomainName(tenant)) {
    add(
      "error",
      "tenant_invalid",
      tenantPath,
      "The tenant must be the Directory (tenant) ID, a GUID from Entra admin center > Overview, or a verified domain such as contoso.onmicrosoft.com (AADSTS900023).",
    );
  }
  if (url && microsoft) {
    if (url.isV1TokenPath) {
      add(
        "warning",
        "token_url_v1",
        "authentication.tokenUrl",
        "This is the v1 token endpoint (…/oauth2/token), which expects 'resource'; use the v2.0 endpoint …/oauth2/v2.0/token with the scope.",
      );
    } else if (!url.isV2TokenPath) {
      add(
        "warning",
        "token_url_path",
        "authentication.tokenUrl",
        "A Microsoft token URL has the form https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token.",
      );
    }
  }

  // Client ID
  const clientIdIndex = rowIndex("client_id");
  const clientId = rowValue("client_id");
  if (clientId && !isGuid(clientId)) {
    add(
      "error",
      "client_id_not_guid",
      `${rowsPath}.${clientIdIndex}.value`,
      clientId.includes("~")
        ? "This looks like a client secret, not the client ID: the Application (client) ID is a GUID shown on the app's Overview page."
        : "The Application (client) ID is a GUID (e.g. 1b2c3d4e-…) shown on App registrations > your app > Overview.",
    );
  }

  // Scope
  const scopeIndex = rowIndex("scope");
  const scope = rowValue("scope");
  if (scope) {
    const scopePath = `${rowsPath}.${scopeIndex}.value`;
    const items = scope.split(/\s+/).filter(Boolean);
    const protocolName = input.connection.protocol === "imap" ? "IMAP" : "POP";
    if (items.length > 1) {
      add(
        "error",
        "scope_multiple",
        scopePath,
        `Use one scope, e.g. ${EXCHANGE_SCOPE}: a token is for one resource (AADSTS700022 / AADSTS70011).`,
      );
    }
    const resources = items.map(scopeResource);
    const permission = items.find((i) => /\.AccessAsApp$|AccessAsUser\.All$/i.test(i));
    if (resources.some((r) => r !== undefined && isGraphAudience(r))) {
      add(
        "error",
        "scope_graph",
        scopePath,
        `This is a Microsoft Graph scope. Graph issues a token, but ${protocolName} then refuses it ("AUTHENTICATE failed"): use ${EXCHANGE_SCOPE} (Exchange Online).`,
      );
    } else if (permission) {
      add(
        "error",
        "scope_permission_name",
        scopePath,
        `${permission} is a permission, not a scope: grant IMAP.AccessAsApp / POP.AccessAsApp under API permissions and request ${EXCHANGE_SCOPE} (AADSTS1002012).`,
      );
    } else if (items.some((i) => !/\/\.default$/i.test(i))) {
      add(
        "error",
        "scope_not_default",
        scopePath,
        `The client-credentials grant needs '<resource>/.default', e.g. ${EXCHANGE_SCOPE} (AADSTS1002012).`,
      );
    } else {
      const resource = resources[0] ?? "";
      if (exchangeAudienceClouds(resource).length === 0) {
        add(
          "warning",
          "scope_not_exchange",
          scopePath,
          `${resource} is not Exchange Online: for IMAP/POP use ${EXCHANGE_SCOPE} (or your cloud's equivalent).`,
        );
      } else if (tokenHost && resource.startsWith("https://") && differentClouds(tokenHost, resource)) {
        add(
          "warning",
          "scope_cloud_mismatch",
          scopePath,
          `The scope is ${cloudLabels(resource)}'s Exchange Online, but the token URL is ${cloudLabels(tokenHost)}'s: use one cloud for both.`,
        );
      }
    }
  }

  const resourceIndex = rowIndex("resource");
  if (resourceIndex !== -1) {
    add(
      "error",
      "resource_parameter",
      `${rowsPath}.${resourceIndex}.key`,
      "Remove the 'resource' row: the v2.0 token endpoint takes the scope only and refuses 'resource' (AADSTS901002).",
    );
  }

  // Credentials
  if (auth.method === "client_secret") {
    const secretIndex = rowIndex("client_secret");
    const typed = rowValue("client_secret");
    const secret = typed || options.clientSecret?.trim();
    if (secret && isGuid(secret)) {
      add(
        "warning",
        "secret_looks_like_id",
        secretIndex === -1 ? rowsPath : `${rowsPath}.${secretIndex}.value`,
        "This client secret looks like a GUID: that is usually the Secret ID. Paste the secret's Value instead (Certificates & secrets > Client secrets, shown only once at creation), or Entra answers AADSTS7000215.",
      );
    }
  } else if (auth.clientAuthentication === "client_secret_basic") {
    add(
      "info",
      "basic_header_unused",
      "authentication.clientAuthentication",
      "The Basic header applies to a client secret only; with a certificate the assertion travels in the request body.",
    );
  }
  if (auth.method === "client_assertion") {
    const index = rowIndex("client_assertion");
    const assertion = rowValue("client_assertion");
    if (assertion && url) {
      for (const f of checkPastedAssertion(assertion, { tokenUrl: resolvedUrl, clientId: clientId ?? "" })) {
        add(f.level, `assertion_${f.code}`, `${rowsPath}.${index}.value`, f.message);
      }
    }
  }

  // Clouds
  if (tokenHost && mailHost && differentClouds(tokenHost, mailHost)) {
    add(
      "warning",
      "cloud_mismatch",
      "authentication.tokenUrl",
      `The token URL is ${cloudLabels(tokenHost)}'s sign-in host but the mail server is ${cloudLabels(mailHost)}'s: an app and its mailboxes live in one cloud, so use that cloud's token URL, scope and mail host.`,
    );
  }
  return findings;
}

function cloudLabels(host: string): string {
  const clouds = cloudsOfHost(host);
  return clouds.length === 0 ? host : clouds.map((c) => c.label).join(" / ");
}

/**
 * The resource a scope item names: the origin of a URL scope ("https://graph.microsoft.com/Mail.Read"
 * → "https://graph.microsoft.com"), the GUID of "<app id>/.default", or Graph for a bare permission
 * name, which is how the v2.0 endpoint reads one ("Mail.Read" means Graph's Mail.Read).
 */
function scopeResource(item: string): string | undefined {
  if (/^https?:\/\//i.test(item)) {
    try {
      return new URL(item).origin.toLowerCase();
    } catch {
      return undefined;
    }
  }
  const guid = /^([0-9a-f-]{36})\//i.exec(item)?.[1];
  if (guid && isGuid(guid)) return guid.toLowerCase();
  const oidc = ["openid", "profile", "email", "offline_access"].includes(item.toLowerCase());
  if (!item.includes("/") && !oidc && !/\.AccessAsApp$|AccessAsUser\.All$/i.test(item)) return "https://graph.microsoft.com";
  return undefined;
}
