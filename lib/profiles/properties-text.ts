/**
 * Parses a pasted block of Java-properties-style lines ("key=value", "key = value", "key: value",
 * "#" and "!" comments) into rows. Client-safe.
 */
import type { PropertyRow } from "@/lib/profiles/oauth-defaults";

export interface ParsedPropertiesText {
  rows: PropertyRow[];
  /** 1-based numbers of lines that are not key=value */
  invalidLines: number[];
}

export function parsePropertiesText(text: string): ParsedPropertiesText {
  const rows: PropertyRow[] = [];
  const invalidLines: number[] = [];
  text.split(/\r\n|\r|\n/).forEach((rawLine, index) => {
    const line = rawLine.trim();
    if (!line || line.startsWith("#") || line.startsWith("!")) return;
    const match = /^([^=:\s]+)\s*[=:]\s*(.*)$/.exec(line);
    if (!match) {
      invalidLines.push(index + 1);
      return;
    }
    rows.push({ key: match[1]!, value: match[2]!.trim() });
  });
  return { rows, invalidLines };
}

/** Adds pasted rows: a key already present gets the new value, new keys are appended in order. */
export function mergeRows(current: PropertyRow[], incoming: PropertyRow[]): PropertyRow[] {
  const out = current.map((r) => ({ ...r }));
  for (const row of incoming) {
    const existing = out.find((r) => r.key.trim() === row.key);
    if (existing) existing.value = row.value;
    else out.push({ ...row });
  }
  // blank rows left over from "Add property" would only become "Enter a key" errors
  return out.filter((r) => r.key.trim() !== "" || r.value.trim() !== "");
}
