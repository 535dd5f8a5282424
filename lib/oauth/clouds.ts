/**
 * Microsoft national-cloud presets for IMAP/POP app-only access (docs/MICROSOFT.md#clouds). One preset fills
 * the authority host, the scope and the mail host together, and lets the lint rules and the token
 * sanity check say when two of them belong to different clouds. Client-safe.
 *
 * Non-global scopes and mail hosts are values observed in use, not documented (Microsoft's IMAP OAuth doc
 * only documents the global ones), so they are presets to start from, not hard rules.
 */
export type CloudId = "global" | "usgov-gcc-high" | "usgov-dod" | "china";

export interface CloudPreset {
  id: CloudId;
  label: string;
  /** Primary authority, as the form's token URL uses it: https://<host> */
  authorityHost: string;
  /** Other host names that serve the same cloud's token endpoint. */
  authorityAliases: string[];
  /** Scope for the client-credentials request: <Exchange resource>/.default */
  scope: string;
  /** IMAP 993 / POP 995 host */
  mailHost: string;
  /** Other mail host names of the same cloud. */
  mailAliases: string[];
  /** `aud` values that name Exchange Online in this cloud (docs/MICROSOFT.md#access-token-claims). */
  exchangeAudiences: string[];
  /** Microsoft Graph resource of this cloud: a Graph `aud` means the wrong scope was requested. */
  graphAudiences: string[];
}

/** Exchange Online's application id is the same in every cloud. */
export const EXCHANGE_APP_ID = "00000002-0000-0ff1-ce00-000000000000";
/** Microsoft Graph's application id, also the same in every cloud. */
export const GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";

export const CLOUDS: readonly CloudPreset[] = [
  {
    id: "global",
    label: "Global (and US GCC)",
    authorityHost: "https://login.microsoftonline.com",
    // login.windows.net and login.microsoft.com are older names of the same global authority.
    authorityAliases: ["login.windows.net", "login.microsoft.com"],
    scope: "https://outlook.office365.com/.default",
    mailHost: "outlook.office365.com",
    mailAliases: ["outlook.office.com"],
    // ps.outlook.com is the same Office 365 Exchange Online resource (MailKit's guide uses it).
    exchangeAudiences: ["https://outlook.office.com", "https://outlook.office365.com", "https://ps.outlook.com", EXCHANGE_APP_ID],
    graphAudiences: ["https://graph.microsoft.com", GRAPH_APP_ID],
  },
  {
    id: "usgov-gcc-high",
    label: "US Government GCC High",
    authorityHost: "https://login.microsoftonline.us",
    authorityAliases: [],
    scope: "https://outlook.office365.us/.default",
    mailHost: "outlook.office365.us",
    mailAliases: [],
    exchangeAudiences: ["https://outlook.office365.us", EXCHANGE_APP_ID],
    graphAudiences: ["https://graph.microsoft.us", GRAPH_APP_ID],
  },
  {
    id: "usgov-dod",
    label: "US Government DoD",
    authorityHost: "https://login.microsoftonline.us",
    authorityAliases: [],
    scope: "https://outlook-dod.office365.us/.default",
    mailHost: "outlook-dod.office365.us",
    mailAliases: [],
    exchangeAudiences: ["https://outlook-dod.office365.us", EXCHANGE_APP_ID],
    graphAudiences: ["https://dod-graph.microsoft.us", GRAPH_APP_ID],
  },
  {
    id: "china",
    label: "China (operated by 21Vianet)",
    authorityHost: "https://login.partner.microsoftonline.cn",
    // Community code also uses login.chinacloudapi.cn for the same authority.
    authorityAliases: ["login.chinacloudapi.cn"],
    scope: "https://partner.outlook.cn/.default",
    mailHost: "partner.outlook.cn",
    mailAliases: [],
    exchangeAudiences: ["https://partner.outlook.cn", EXCHANGE_APP_ID],
    graphAudiences: ["https://microsoftgraph.chinacloudapi.cn", GRAPH_APP_ID],
  },
];

export function cloudById(id: CloudId): CloudPreset {
  return CLOUDS.find((c) => c.id === id)!;
}

/** Host name of a URL or a bare host, lower case, without port or trailing dot. */
export function hostOf(value: string): string {
  const text = value.trim();
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`).hostname.toLowerCase().replace(/\.$/, "");
  } catch {
    return text.toLowerCase();
  }
}

function hostsOf(cloud: CloudPreset): string[] {
  return [
    hostOf(cloud.authorityHost),
    ...cloud.authorityAliases,
    cloud.mailHost,
    ...cloud.mailAliases,
    ...cloud.exchangeAudiences.filter((a) => a.startsWith("https://")).map(hostOf),
    ...cloud.graphAudiences.filter((a) => a.startsWith("https://")).map(hostOf),
  ];
}

/**
 * Every cloud a host (authority, mail, Exchange or Graph resource) belongs to. GCC High and DoD share
 * login.microsoftonline.us, so an authority host can name two clouds; two hosts are from the same
 * cloud when their lists intersect.
 */
export function cloudsOfHost(hostOrUrl: string): CloudPreset[] {
  const host = hostOf(hostOrUrl);
  return CLOUDS.filter((cloud) => hostsOf(cloud).includes(host));
}

/** The one cloud of a host, or undefined when the host is unknown or shared by several clouds. */
export function cloudOfHost(hostOrUrl: string): CloudPreset | undefined {
  const clouds = cloudsOfHost(hostOrUrl);
  return clouds.length === 1 ? clouds[0] : undefined;
}

export function isMicrosoftAuthorityHost(hostOrUrl: string): boolean {
  const host = hostOf(hostOrUrl);
  return CLOUDS.some((c) => hostOf(c.authorityHost) === host || c.authorityAliases.includes(host));
}

export function isExchangeOnlineMailHost(hostOrUrl: string): boolean {
  const host = hostOf(hostOrUrl);
  return CLOUDS.some((c) => c.mailHost === host || c.mailAliases.includes(host));
}

/** True when two hosts are both known and no cloud contains both. */
export function differentClouds(a: string, b: string): boolean {
  const ca = cloudsOfHost(a);
  const cb = cloudsOfHost(b);
  return ca.length > 0 && cb.length > 0 && !ca.some((c) => cb.includes(c));
}

const normalizeAudience = (aud: string) => aud.trim().toLowerCase().replace(/\/+$/, "");

/** The cloud(s) whose Exchange Online resource this `aud` names (empty when not Exchange). */
export function exchangeAudienceClouds(aud: string): CloudPreset[] {
  const value = normalizeAudience(aud);
  return CLOUDS.filter((c) => c.exchangeAudiences.some((a) => normalizeAudience(a) === value));
}

export function isGraphAudience(aud: string): boolean {
  const value = normalizeAudience(aud);
  return CLOUDS.some((c) => c.graphAudiences.some((a) => normalizeAudience(a) === value));
}
