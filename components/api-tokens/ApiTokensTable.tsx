import { RevokeApiTokenButton } from "@/components/api-tokens/RevokeApiTokenButton";
import { RelativeTime } from "@/components/profiles/RelativeTime";
import { Badge } from "@/components/ui/badge";
import type { ApiTokenStatus, ApiTokenSummary } from "@/lib/api/token-schema";

const statusBadge: Record<ApiTokenStatus, { tone: "ok" | "warn" | "neutral"; label: string }> = {
  active: { tone: "ok", label: "Active" },
  expired: { tone: "warn", label: "Expired" },
  revoked: { tone: "neutral", label: "Revoked" },
};

const day = (iso: string) => iso.slice(0, 10);

/** Tokens as a table; `showOwner` for the admin view of other users' tokens. Never the token itself. */
export function ApiTokensTable({
  tokens,
  caption,
  showOwner = false,
  empty,
}: {
  tokens: ApiTokenSummary[];
  caption: string;
  showOwner?: boolean;
  empty: string;
}) {
  const columns = showOwner ? 7 : 6;
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="w-full min-w-[44rem] text-left text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="border-b border-slate-200 bg-slate-50 text-xs text-slate-600 uppercase">
          <tr>
            <th scope="col" className="px-3 py-2 font-semibold">
              Name
            </th>
            {showOwner ? (
              <th scope="col" className="px-3 py-2 font-semibold">
                User
              </th>
            ) : null}
            <th scope="col" className="px-3 py-2 font-semibold">
              Token
            </th>
            <th scope="col" className="px-3 py-2 font-semibold">
              Created
            </th>
            <th scope="col" className="px-3 py-2 font-semibold">
              Last used
            </th>
            <th scope="col" className="px-3 py-2 font-semibold">
              Expires
            </th>
            <th scope="col" className="px-3 py-2 font-semibold">
              <span className="sr-only">Status and actions</span>
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {tokens.length === 0 ? (
            <tr>
              <td colSpan={columns} className="px-3 py-8 text-center text-slate-600">
                {empty}
              </td>
            </tr>
          ) : (
            tokens.map((token) => (
              <tr key={token.id} data-testid="api-token-row">
                <td className="px-3 py-2 font-medium">{token.name}</td>
                {showOwner ? (
                  <td className="px-3 py-2">
                    {token.owner.name} <span className="text-slate-600">&lt;{token.owner.email}&gt;</span>
                  </td>
                ) : null}
                <td className="px-3 py-2 font-mono text-xs">{token.prefix}…</td>
                <td className="px-3 py-2">
                  <RelativeTime iso={token.createdAt} />
                </td>
                <td className="px-3 py-2">
                  {token.lastUsedAt ? <RelativeTime iso={token.lastUsedAt} /> : <span className="text-slate-600">never</span>}
                </td>
                <td className="px-3 py-2">
                  {token.expiresAt ? day(token.expiresAt) : <span className="text-slate-600">no expiry</span>}
                </td>
                <td className="px-3 py-2">
                  <div className="flex items-center justify-end gap-2">
                    <Badge tone={statusBadge[token.status].tone}>
                      {statusBadge[token.status].label}
                      {token.status === "revoked" && token.revokedAt ? ` ${day(token.revokedAt)}` : ""}
                    </Badge>
                    {token.status === "active" ? (
                      <RevokeApiTokenButton
                        id={token.id}
                        name={token.name}
                        prefix={token.prefix}
                        ownerLabel={showOwner ? token.owner.name : undefined}
                      />
                    ) : null}
                  </div>
                </td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
