/**
 * The Exchange Online PowerShell an admin runs so the app behind an OAuth2 profile may open its
 * mailbox (docs/MICROSOFT.md#exchange-online-setup): register the service principal, grant FullAccess on the mailbox, enable
 * IMAP/POP on it. Filled from the profile; what the profile cannot know (the Enterprise
 * application's object id) stays a visible placeholder. Client-safe: the form shows it with a copy
 * button.
 */
import type { ProfileInput } from "@/lib/profiles/schema";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const OBJECT_ID_PLACEHOLDER = "<ENTERPRISE-APPLICATION-OBJECT-ID>";
const CLIENT_ID_PLACEHOLDER = "<APPLICATION-CLIENT-ID>";
const MAILBOX_PLACEHOLDER = "<mailbox@contoso.com>";

/** A PowerShell single-quoted literal: nothing inside is interpreted, a quote is doubled. */
function quote(value: string): string {
  return `'${value.replace(/[\r\n]/g, "").replace(/['‘’‚‛]/g, "''")}'`;
}

/** A comment line never ends early: line breaks in profile values become spaces. */
function comment(text: string): string {
  return `# ${text.replace(/[\r\n]+/g, " ")}`;
}

export function exchangeSetupScript(profile: ProfileInput, options: { enterpriseAppObjectId?: string } = {}): string {
  const auth = profile.authentication;
  const protocol = profile.connection.protocol;
  const name = profile.name.trim() || "MCF Console connection";
  const mailbox = auth.username.trim();
  const mailboxLiteral = mailbox ? quote(mailbox) : MAILBOX_PLACEHOLDER;

  if (auth.type !== "oauth2") {
    return [
      comment(`Profile "${name}" uses Basic authentication (user name and password).`),
      "# Exchange Online no longer accepts Basic authentication for IMAP and POP, and there is nothing to set up",
      "# for it in Exchange. To read this mailbox from Exchange Online, switch the profile to OAuth2 (client secret",
      "# or certificate); this assistant then shows the PowerShell that grants the app access to the mailbox.",
      "",
    ].join("\n");
  }

  const clientId = auth.requestProperties.find((row) => row.key.trim() === "client_id")?.value.trim() ?? "";
  const clientIdLiteral = GUID.test(clientId) ? quote(clientId) : CLIENT_ID_PLACEHOLDER;
  const objectId = options.enterpriseAppObjectId?.trim() ?? "";
  const objectIdLiteral = GUID.test(objectId) ? quote(objectId) : OBJECT_ID_PLACEHOLDER;
  const enable = protocol === "imap" ? "-ImapEnabled $true" : "-PopEnabled $true";
  const protocolName = protocol === "imap" ? "IMAP" : "POP";

  return [
    comment(`Exchange Online set-up for the profile "${name}": app-only ${protocolName} access to ${mailbox || "the mailbox"}.`),
    "# Run in PowerShell as an Exchange administrator. Once per computer: Install-Module -Name ExchangeOnlineManagement",
    "Connect-ExchangeOnline",
    "",
    "# 1. Register the app's service principal in Exchange Online.",
    "#    -AppId    = Application (client) ID: Entra admin center > App registrations > your app > Overview.",
    "#    -ObjectId = Object ID of the ENTERPRISE APPLICATION: Entra admin center > Enterprise applications >",
    "#                search for the app (by name or Application ID) > Overview > Object ID.",
    "#                NOT the Object ID shown on the App registration page: that one is a different object, and",
    '#                logins then fail with "AUTHENTICATE failed".',
    ...(GUID.test(objectId) ? [] : ["#    Replace the placeholder below with that Object ID before running."]),
    `$appId = ${clientIdLiteral}`,
    `$objectId = ${objectIdLiteral}`,
    `New-ServicePrincipal -AppId $appId -ObjectId $objectId -DisplayName ${quote(name)}`,
    "",
    "# 2. Let the app open this mailbox (repeat for every mailbox it reads).",
    `Add-MailboxPermission -Identity ${mailboxLiteral} -User $objectId -AccessRights FullAccess`,
    "",
    `# 3. Make sure ${protocolName} is enabled for the mailbox.`,
    `Set-CASMailbox -Identity ${mailboxLiteral} ${enable}`,
    "",
    "# Check what is in place:",
    "#   Get-ServicePrincipal | Where-Object { $_.AppId -eq $appId } | Format-List",
    `#   Get-MailboxPermission -Identity ${mailboxLiteral} | Where-Object { $_.User -like "*$objectId*" }`,
    "# Changes can take up to an hour to reach every Exchange server: if the Test still fails, wait and test again.",
    `# The app also needs the application permission ${protocol === "imap" ? "IMAP.AccessAsApp" : "POP.AccessAsApp"} (Office 365 Exchange Online) with admin consent.`,
    "",
  ].join("\n");
}
