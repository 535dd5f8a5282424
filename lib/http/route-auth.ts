import "server-only";
import { getCurrentUser, type CurrentUser } from "@/lib/auth/session";
import { errorResponse, jsonError } from "@/lib/http/json-error";

type Handler<Params> = (request: Request, context: { user: CurrentUser; params: Params }) => Promise<Response>;

/**
 * The route-handler counterpart of defineAction: every route except sign-in itself goes through it,
 * so a signed-out request is refused before anything runs, and errors never leak a stack trace.
 */
export function withUser<Params = Record<string, never>>(name: string, handler: Handler<Params>) {
  return async (request: Request, context: { params: Promise<Params> }): Promise<Response> => {
    try {
      const user = await getCurrentUser();
      if (!user) return jsonError("unauthenticated", "Sign in first.", 401);
      return await handler(request, { user, params: await context.params });
    } catch (error) {
      return errorResponse(error, name);
    }
  };
}
