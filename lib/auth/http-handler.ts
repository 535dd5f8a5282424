import "server-only";
import { getAuth } from "@/lib/auth/auth";
import { withClientAddress } from "@/lib/auth/client-address";

/**
 * /api/auth over HTTP. The console's own pages sign in, out and change passwords through server
 * actions that call better-auth server-side, so the browser needs none of the library's endpoints;
 * sign-in and sign-out stay for scripts and go through the same hooks (throttle, audit) as the form.
 * Everything else is "404 Not Found" here, before the library sees it: an allow-list, so an endpoint a
 * later better-auth version adds stays closed until someone decides otherwise.
 */
export const AUTH_BASE_PATH = "/api/auth";
export const ALLOWED_AUTH_ENDPOINTS: readonly { method: string; path: string }[] = [
  { method: "POST", path: "/sign-in/email" },
  { method: "POST", path: "/sign-out" },
];

const notFound = () => Response.json({ error: { code: "not_found", message: "There is no such endpoint." } }, { status: 404 });

export async function handleAuthRequest(request: Request): Promise<Response> {
  const { pathname } = new URL(request.url);
  const path = pathname.startsWith(`${AUTH_BASE_PATH}/`) ? pathname.slice(AUTH_BASE_PATH.length) : null;
  if (!path || !ALLOWED_AUTH_ENDPOINTS.some((e) => e.method === request.method && e.path === path)) return notFound();
  // better-auth reads the client address from a header (its rate limit, the session row): hand it ours
  return getAuth().handler(new Request(request, { headers: withClientAddress(request.headers) }));
}
