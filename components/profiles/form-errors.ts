import { get } from "react-hook-form";

/**
 * The message at a form path. Errors on a field array itself (e.g. "add the client_id row") sit on
 * the array or, from the zod resolver, on its `root`.
 */
export function errorMessage(errors: unknown, path: string): string | undefined {
  const error = get(errors, path) as { message?: string; root?: { message?: string } } | undefined;
  return error?.message ?? error?.root?.message;
}
