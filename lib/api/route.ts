import "server-only";
import type { CurrentUser } from "@/lib/auth/session";
import { apiErrorResponse, unauthenticatedResponse } from "@/lib/api/errors";
import { requestIp } from "@/lib/api/http";
import { authenticateApiToken } from "@/lib/api/token-auth";

export interface ApiContext<Params> {
  /** the token's creator, with their role as it is now */
  user: CurrentUser;
  tokenId: string;
  params: Params;
  ip: string | null;
}

type ApiHandler<Params> = (request: Request, context: ApiContext<Params>) => Promise<Response>;

/**
 * The one wrapper every /api/v1 handler goes through (the API's counterpart of withUser and
 * defineAction): a personal API token is required and resolved to its creator before anything runs;
 * there is deliberately no fallback to the browser's session cookie, so a page an admin has open can
 * never be made to call the API on their behalf. Expected failures become their HTTP status with
 * `{ error: { code, message, fields? } }`; anything else is logged with a reference id and the caller
 * sees only that id, never an exception message or a stack trace. Responses are never cached.
 */
export function withApiToken<Params = Record<string, never>>(name: string, handler: ApiHandler<Params>) {
  return async (request: Request, context: { params: Promise<Params> }): Promise<Response> => {
    let response: Response;
    try {
      const auth = await authenticateApiToken(request.headers.get("authorization"));
      response = auth.ok
        ? await handler(request, { user: auth.user, tokenId: auth.tokenId, params: await context.params, ip: requestIp(request) })
        : unauthenticatedResponse(auth.message);
    } catch (error) {
      response = apiErrorResponse(error, `api ${name}`);
    }
    if (!response.headers.has("Cache-Control")) response.headers.set("Cache-Control", "no-store");
    return response;
  };
}
