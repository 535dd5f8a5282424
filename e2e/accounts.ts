import path from "node:path";

export const OWNER_STATE = path.resolve(".tmp/e2e-owner.json");
export const OWNER = { name: "Olivia Owner", email: "olivia@contoso.test", password: "owner-password-e2e-1" };
