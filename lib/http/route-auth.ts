import "server-only";
import { getCurrentUser, type CurrentUser } from "@/lib/auth/session";
import { errorResponse, jsonError } from "@/lib/http/json-error";
import { checkSameOrigin, crossSiteResponse, isUnsafeMethod } from "@/lib/http/same-origin";

type Handler<Params> = (request: Request, context: { user: CurrentUser; params: Params }) => Promise<Response>;

/** `application/json`, with or without parameters (`; charset=utf-8`). */
const isJson = (contentType: string | null) => contentType?.split(";")[0]?.trim().toLowerCase() === "application/json";

/**
 * The route-handler counterpart of defineAction: every route that the browser authenticates with
 * the session cookie goes through it (better-auth's own routes and the token-authenticated /api/v1
 * do not), so before anything runs:
 * - a request from another site is refused (lib/http/same-origin.ts): the cookie alone does not
 *   show that the console's own page asked;
 * - a request with a body must declare it as JSON. A browser lets any page send `text/plain`,
 *   form-encoded or multipart bodies to any address without asking first; `application/json` from
 *   another origin needs a CORS preflight, which the console never grants. The console's own pages
 *   always send JSON.
 * - a signed-out request is refused;
 * and errors never leak a stack trace.
 */
export function withUser<Params = Record<string, never>>(name: string, handler: Handler<Params>) {
  return async (request: Request, context: { params: Promise<Params> }): Promise<Response> => {
    try {
      const origin = checkSameOrigin(request);
      if (!origin.ok) return crossSiteResponse(origin);
      if (isUnsafeMethod(request.method) && !isJson(request.headers.get("content-type"))) {
        return jsonError("invalid_input", "Send the request body as JSON (Content-Type: application/json).", 415);
      }
      const user = await getCurrentUser();
      if (!user) return jsonError("unauthenticated", "Sign in first.", 401);
      return await handler(request, { user, params: await context.params });
    } catch (error) {
      return errorResponse(error, name);
    }
  };
}
