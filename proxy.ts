import { NextResponse, type NextRequest } from "next/server";
import { contentSecurityPolicy, newNonce } from "@/lib/http/content-security-policy";
import { checkSameOrigin, crossSiteResponse, isUnsafeMethod } from "@/lib/http/same-origin";
import { SERVER_ACTION_BODY_LIMIT_BYTES, SERVER_ACTION_TOO_LARGE } from "@/lib/http/server-action-limit";
import { log } from "@/lib/log";

/**
 * Runs before every page request (not /api: route handlers check their own requests in withUser,
 * better-auth and /api/v1 theirs).
 *
 * Server actions: every unsafe request to a page is one, either a fetch with the Next-Action header
 * or a form React posted before the page was interactive (the action id then travels in the body).
 * Next refuses a foreign origin and an oversized body itself, but answers both with a bare 500; here
 * they get a 403 and a 413 that say what happened, from the same origin check as the route handlers.
 *
 * Pages: a Content-Security-Policy with a nonce new for every request (see
 * lib/http/content-security-policy.ts). Next takes the nonce from the request's copy of the header.
 */
export function proxy(request: NextRequest) {
  if (isUnsafeMethod(request.method)) {
    const origin = checkSameOrigin(request);
    if (!origin.ok) {
      // an operator behind a reverse proxy sees here that MCF_PUBLIC_URL is missing or wrong
      log.warn("refused a cross-site server action", {
        path: request.nextUrl.pathname,
        origin: request.headers.get("origin"),
        host: request.headers.get("host"),
      });
      return crossSiteResponse(origin);
    }
    // a request without Content-Length (chunked) is still held to the limit by Next itself
    if (Number(request.headers.get("content-length") ?? 0) > SERVER_ACTION_BODY_LIMIT_BYTES) {
      return Response.json(
        { error: { code: "too_large", message: SERVER_ACTION_TOO_LARGE } },
        { status: 413, headers: { "Cache-Control": "no-store" } },
      );
    }
  }

  const policy = contentSecurityPolicy(newNonce());
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("Content-Security-Policy", policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", policy);
  return response;
}

export const config = {
  // pages and their server actions; not the route handlers, the built assets or the icon
  matcher: ["/((?!api/|_next/static/|_next/image|icon\\.svg|favicon\\.ico).*)"],
};
