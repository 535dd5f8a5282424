/**
 * Runs once when the console's server starts, before it handles a request. Every file the process
 * creates from here on is owner-only (folders 0700, files 0600): the SQLite database if the console
 * has to create it, the generated secret key, anything later versions add. The database files get
 * the same modes from scripts/owner-only-files.mjs; the umask covers what no one thought to list.
 * (The CLI keeps the user's umask: the files it writes on request, such as exports, are the user's.)
 */
export function register() {
  // Next's own marker (set at build time): the hook is also built for the edge runtime, which has no umask
  // eslint-disable-next-line no-restricted-properties
  if (process.env.NEXT_RUNTIME === "nodejs") process.umask(0o077);
}
