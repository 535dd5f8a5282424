/**
 * The largest server-action request the console accepts: next.config.js sets the same value as
 * `experimental.serverActions.bodySizeLimit` (lib/http/server-action-limit.test.ts keeps the two
 * equal). Imports take files up to 5 MB, JSON-escaped inside the request.
 */
export const SERVER_ACTION_BODY_LIMIT_BYTES = 8 * 1024 * 1024;

export const SERVER_ACTION_TOO_LARGE =
  "The request is too large: at most 8 MB can be sent to the console at once. Import a large file with the mcf import command on the server, or split it into smaller files.";
