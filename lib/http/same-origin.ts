import "server-only";
import { env } from "@/lib/env";

/**
 * The one cross-site request check for everything the browser authenticates with the session
 * cookie: the console's route handlers (withUser) and server actions (proxy.ts). The session cookie
 * is SameSite=Lax, and a page on another port of the same host is *same-site*: the browser sends the
 * cookie with its requests, including a `text/plain` no-cors fetch or a plain form post, which need
 * no CORS preflight. Only the request's own origin tells them apart.
 *
 * Accepted: an `Origin` header equal to the console's own origin; without one, `Sec-Fetch-Site:
 * same-origin` (the console's own page) or `none` (the user typed the URL or opened a bookmark).
 * Unsafe methods (POST, PUT, …) must carry one of the two: every browser sends `Origin` with them,
 * so a request that has neither did not come from a console page. A GET that has neither is let
 * through: browsers leave both out of plain navigations to http:// addresses other than localhost.
 */

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
/** POST, PUT, PATCH, DELETE…: the methods that change something and carry a body. */
export const isUnsafeMethod = (method: string) => !SAFE_METHODS.has(method.toUpperCase());
const OWN_FETCH_SITES = new Set(["same-origin", "none"]);

interface RequestLike {
  method: string;
  url: string;
  headers: Headers;
}

export type OriginCheck = { ok: true } | { ok: false; message: string };

/**
 * The console's own origin: MCF_PUBLIC_URL when set (behind a reverse proxy the Host header may
 * name the internal address). Otherwise the Host the browser addressed, under http or https: a page
 * elsewhere cannot send a Host that is not its target's, so only a page on exactly this host and
 * port matches. The scheme is not pinned, because without MCF_PUBLIC_URL the console cannot know
 * whether a proxy in front of it terminates TLS; setting MCF_PUBLIC_URL pins it.
 */
function ownOrigins(request: RequestLike): { accepted: string[]; shown: string } {
  if (env.MCF_PUBLIC_URL) {
    const origin = new URL(env.MCF_PUBLIC_URL).origin;
    return { accepted: [origin], shown: origin };
  }
  const url = new URL(request.url);
  const host = (request.headers.get("host") ?? url.host).toLowerCase();
  return { accepted: [`http://${host}`, `https://${host}`], shown: `${url.protocol}//${host}` };
}

// the header is the caller's text: keep the message short and on one line
const quoted = (value: string) => value.replace(/[^\x20-\x7e]/g, "?").slice(0, 100);

export function checkSameOrigin(request: RequestLike): OriginCheck {
  const own = ownOrigins(request);
  const origin = request.headers.get("origin");
  const fetchSite = request.headers.get("sec-fetch-site");
  const refuse = (from: string): OriginCheck => ({
    ok: false,
    message: `This request came from another site (${from}). Open the console at ${own.shown} and try again.`,
  });
  // "null" (a sandboxed frame, a redirected request) never matches anything
  if (origin !== null && !own.accepted.includes(origin.toLowerCase())) return refuse(`origin ${quoted(origin)}`);
  if (fetchSite !== null && !OWN_FETCH_SITES.has(fetchSite)) {
    return refuse(origin !== null ? `origin ${quoted(origin)}` : `origin not sent, the browser marked it ${quoted(fetchSite)}`);
  }
  if (origin === null && fetchSite === null && isUnsafeMethod(request.method)) {
    return {
      ok: false,
      message: `This request did not say which site it came from (no Origin header). Open the console at ${own.shown} and try again; scripts use the REST API under /api/v1 with a personal API token.`,
    };
  }
  return { ok: true };
}

/** The refusal as the console's routes answer errors: 403 `{ error: { code: "forbidden", message } }`. */
export function crossSiteResponse(check: Extract<OriginCheck, { ok: false }>): Response {
  return Response.json(
    { error: { code: "forbidden", message: check.message } },
    { status: 403, headers: { "Cache-Control": "no-store" } },
  );
}
