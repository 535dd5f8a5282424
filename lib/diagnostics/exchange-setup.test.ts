import { describe, expect, it } from "vitest";
import { exchangeSetupScript } from "@/lib/diagnostics/exchange-setup";
import { basicInput, CLIENT_ID, oauthSecretInput } from "@/tests/support/profile-fixtures";

describe("exchangeSetupScript", () => {
  it("fills client id and mailbox, keeps a placeholder for the Enterprise application's object id and says where to find it", () => {
    const script = exchangeSetupScript(oauthSecretInput({ username: "support@contoso.com" }));
    expect(script).toContain("Connect-ExchangeOnline");
    expect(script).toContain(`$appId = '${CLIENT_ID}'`);
    expect(script).toContain("$objectId = <ENTERPRISE-APPLICATION-OBJECT-ID>");
    expect(script).toContain("New-ServicePrincipal -AppId $appId -ObjectId $objectId");
    expect(script).toContain("Add-MailboxPermission -Identity 'support@contoso.com' -User $objectId -AccessRights FullAccess");
    expect(script).toContain("Set-CASMailbox -Identity 'support@contoso.com' -ImapEnabled $true");
    expect(script).toMatch(/Enterprise applications >/);
    expect(script).toMatch(/NOT the Object ID shown on the App registration page/);
  });

  it("uses a given object id and POP for a POP3 profile", () => {
    const profile = oauthSecretInput();
    profile.connection.protocol = "pop3";
    const script = exchangeSetupScript(profile, { enterpriseAppObjectId: "0f0e0d0c-1111-2222-3333-444455556666" });
    expect(script).toContain("$objectId = '0f0e0d0c-1111-2222-3333-444455556666'");
    expect(script).toContain("-PopEnabled $true");
    expect(script).toContain("POP.AccessAsApp");
    expect(script).not.toContain("<ENTERPRISE-APPLICATION-OBJECT-ID>");
  });

  it("keeps profile values inert: quotes are doubled, line breaks dropped, a non-GUID object id is not used", () => {
    const profile = oauthSecretInput({ name: "O'Brien\nRemove-Item C:\\", username: "o'brien@contoso.com" });
    const script = exchangeSetupScript(profile, { enterpriseAppObjectId: "'; Remove-Mailbox x" });
    expect(script).toContain("-Identity 'o''brien@contoso.com'");
    expect(script).toContain("-DisplayName 'O''BrienRemove-Item C:\\'");
    expect(script).not.toContain("Remove-Mailbox");
    expect(script.split("\n").filter((line) => line.startsWith("Remove-Item"))).toEqual([]);
  });

  it("explains that Basic authentication has nothing to set up in Exchange Online", () => {
    const script = exchangeSetupScript(basicInput());
    expect(script).toMatch(/Basic authentication/);
    expect(script).not.toContain("New-ServicePrincipal");
  });
});
