import { z } from "zod";

/**
 * Runs in the browser before any of the console's own modules, to fit two libraries to the pages'
 * Content-Security-Policy (lib/http/content-security-policy.ts: nonces, no 'unsafe-eval', no
 * 'unsafe-inline').
 */

// Zod compiles object parsers with `new Function` when it may, and probes for that by calling it:
// the policy blocks the probe and reports it as a violation. Its interpreted parsers apply the same
// rules, only a little slower (unnoticeable for forms). Zod reads this when a schema is built, so it
// must be set before the first one is.
z.config({ jitless: true });

// The dialogs lock the page's scrolling with a <style> element they add (react-remove-scroll); it
// takes its nonce from the `__webpack_nonce__` global, as webpack's style loaders do. The nonce is
// this page's, as Next put it on its own scripts (the browser hides it from the attribute, not from
// the property).
declare global {
  var __webpack_nonce__: string | undefined;
}
const nonce =
  (document.currentScript as HTMLScriptElement | null)?.nonce ||
  document.querySelector<HTMLScriptElement>("script[nonce]")?.nonce;
if (nonce) globalThis.__webpack_nonce__ = nonce;
