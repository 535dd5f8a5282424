import "server-only";
import { env } from "@/lib/env";

/**
 * The pages' Content-Security-Policy, built per request around a fresh nonce (proxy.ts). Next reads
 * the nonce back from the request's copy of this header while it renders, and puts it on every
 * script it writes; with 'strict-dynamic' those scripts may load the page's other chunks, and
 * nothing else runs: no inline script or event handler without the nonce, no script from anywhere
 * else, no eval. (`next dev` needs eval for its error overlay, which rebuilds server stack traces.)
 *
 * Styles: the stylesheet is the console's own file; Next's inline <style> elements carry the nonce,
 * and so does the one the dialogs add (instrumentation-client.ts hands it to them). No
 * 'unsafe-inline': the console writes no style attributes into its HTML, and React applies the
 * styles it sets later through the DOM (element.style), which CSP does not restrict. In `next dev`
 * styles are injected by the dev server's own scripts, without the nonce, so there they are allowed.
 */
export function contentSecurityPolicy(nonce: string): string {
  const development = env.NODE_ENV === "development";
  const directives = [
    "default-src 'self'",
    `script-src 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ""}`,
    development ? "style-src 'self' 'unsafe-inline'" : `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ];
  // only when the console is known to be served over https: on a plain-http address it would break every request
  if (env.MCF_PUBLIC_URL?.startsWith("https://")) directives.push("upgrade-insecure-requests");
  return directives.join("; ");
}

/** 16 random bytes: unguessable, and new for every page view. */
export function newNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
}
