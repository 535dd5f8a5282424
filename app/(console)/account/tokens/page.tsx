import type { Metadata } from "next";
import Link from "next/link";
import { ApiTokensTable } from "@/components/api-tokens/ApiTokensTable";
import { CreateApiTokenDialog } from "@/components/api-tokens/CreateApiTokenDialog";
import { listApiTokens, listOtherUsersActiveTokens } from "@/lib/api/tokens";
import { roleAbilities } from "@/lib/auth/permissions";
import { requireUser } from "@/lib/auth/session";

export const metadata: Metadata = { title: "API tokens" };

export default async function ApiTokensPage() {
  const user = await requireUser();
  const tokens = await listApiTokens(user);
  // owners and admins can cut off anyone's token (a leaked one, someone leaving)
  const others = roleAbilities.manageUsers(user.role) ? await listOtherUsersActiveTokens(user) : null;
  return (
    <div className="space-y-6">
      <nav aria-label="Breadcrumb" className="text-sm">
        <Link href="/account" className="text-blue-700 hover:underline">
          Your account
        </Link>
        <span aria-hidden="true" className="px-1 text-slate-400">
          /
        </span>
        <span aria-current="page">API tokens</span>
      </nav>
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="max-w-3xl">
          <h1 className="text-xl font-semibold">API tokens</h1>
          <p className="text-sm text-slate-600">
            Personal tokens for scripts that use the REST API (
            <a className="font-medium text-blue-700 underline" href="/api/v1/openapi.json">
              OpenAPI description
            </a>
            ). A token can do exactly what you can do right now: if your role or shares change, so does the token, and it stops
            working if your account is disabled.
          </p>
        </div>
        <CreateApiTokenDialog />
      </div>
      <section aria-labelledby="own-tokens-heading" className="space-y-2">
        <h2 id="own-tokens-heading" className="text-base font-semibold">
          Your tokens
        </h2>
        <ApiTokensTable tokens={tokens} caption="Your API tokens" empty="You have no API tokens yet." />
      </section>
      {others ? (
        <section aria-labelledby="other-tokens-heading" className="space-y-2">
          <h2 id="other-tokens-heading" className="text-base font-semibold">
            Other users’ active tokens
          </h2>
          <p className="text-sm text-slate-600">
            {user.role === "owner"
              ? "As the owner you can revoke anyone’s token"
              : "As an admin you can revoke the tokens of editors and viewers (the owner’s and admins’ are theirs and the owner’s to revoke)"}
            ; the user sees it as revoked.
          </p>
          <ApiTokensTable
            tokens={others}
            caption="Other users' active API tokens"
            showOwner
            empty="No other user has an active token."
          />
        </section>
      ) : null}
    </div>
  );
}
