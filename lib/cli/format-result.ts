/**
 * Terminal output of a connection test: one line per step (✓ ok, ! warning, ✗ failed, – skipped)
 * with its time and detail, cause and fix under a failed or warning step, then the summary.
 * Steps are printed in the plan's order as soon as every step before them is known, so the output
 * is live yet never interleaves the two branches of the test.
 */
import type { StepId, TestEvent, TestResult, TestStep } from "@/lib/diagnostics/types";

const SYMBOL: Record<TestStep["status"], string> = { ok: "✓", warn: "!", fail: "✗", skipped: "–" };
const TITLE_WIDTH = 26;
/** data worth a line in a terminal when a step fails or warns (the rest is in --json) */
const SHOWN_DATA = [
  "errors",
  "warnings",
  "serverResponse",
  "responseCode",
  "xoauth2Error",
  "httpStatus",
  "error",
  "aadsts",
  "traceId",
  "correlationId",
  "timestamp",
  "lookupUrl",
  "chainError",
  "hostError",
  "subject",
  "issuer",
  "validTo",
];

function wrap(label: string, text: string): string[] {
  return [`      ${label.padEnd(6)} ${text}`];
}

export function formatStep(step: TestStep): string[] {
  const time = step.status === "skipped" ? "" : `${step.ms.toLocaleString("en-US")} ms`;
  const lines = [`${SYMBOL[step.status]} ${step.title.padEnd(TITLE_WIDTH)} ${time.padStart(9)}  ${step.detail}`];
  if (step.status === "fail" || step.status === "warn") {
    // The profile check lists its findings one per line instead of the joined cause.
    const listed = step.data?.errors !== undefined || step.data?.warnings !== undefined;
    if (step.cause && !listed) lines.push(...wrap("cause:", step.cause));
    if (step.fix) lines.push(...wrap("fix:", step.fix));
    for (const key of SHOWN_DATA) {
      const value = step.data?.[key];
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const item of value) lines.push(...wrap(`${key}:`, item));
      else lines.push(...wrap(`${key}:`, String(value)));
    }
  }
  return lines;
}

/** Prints finished steps in plan order as the events arrive. */
export function liveStepPrinter(print: (line: string) => void): (event: TestEvent) => void {
  let order: StepId[] = [];
  const done = new Map<StepId, TestStep>();
  let next = 0;
  return (event) => {
    if (event.type === "plan") order = event.steps.map((s) => s.step);
    else if (event.type === "step") {
      done.set(event.result.step, event.result);
      while (next < order.length && done.has(order[next]!)) {
        for (const line of formatStep(done.get(order[next]!)!)) print(line);
        next++;
      }
    }
  };
}

export function formatTranscript(result: TestResult): string[] {
  return result.transcript.map(
    (line) => `${String(line.t).padStart(6)} ms  ${line.channel.padEnd(5)} ${line.direction}  ${line.text}`,
  );
}

export function formatProperties(result: TestResult): string[] {
  const lines: string[] = [];
  for (const p of result.properties.applied) lines.push(`  applied  ${p.key}=${p.value}: ${p.effect}`);
  for (const p of result.properties.ignored) lines.push(`  ignored  ${p.key}: ${p.reason}`);
  return lines.length ? ["Additional properties:", ...lines] : [];
}
