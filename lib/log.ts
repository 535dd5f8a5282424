import "server-only";
import { env } from "@/lib/env";
import { redactText } from "@/lib/crypto/redact";

type Level = "debug" | "info" | "warn" | "error";
const order: Record<Level | "silent", number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

/**
 * Plain structured logging to stderr. Every line passes through redaction first: a secret that slips
 * into a message or a field is masked before it can reach a log file.
 */
function write(level: Level, message: string, fields?: Record<string, unknown>) {
  if (order[level] < order[env.MCF_LOG_LEVEL]) return;
  const line = JSON.stringify({ time: new Date().toISOString(), level, message, ...fields });
  process.stderr.write(`${redactText(line)}\n`);
}

export const log = {
  debug: (message: string, fields?: Record<string, unknown>) => write("debug", message, fields),
  info: (message: string, fields?: Record<string, unknown>) => write("info", message, fields),
  warn: (message: string, fields?: Record<string, unknown>) => write("warn", message, fields),
  error: (message: string, fields?: Record<string, unknown>) => write("error", message, fields),
};
