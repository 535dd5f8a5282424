import "server-only";
/**
 * The step ledger of one Test: start and finish times, events for the live view, and the rule that
 * a step is reported once (the first outcome wins: a timeout that fires as the answer arrives cannot
 * report the step twice). Every step of STEP_ORDER ends in the result, in that order, whatever
 * order the parallel branches finished in.
 */
import type { Redactor } from "@/lib/diagnostics/redaction";
import { STEP_ORDER, STEP_TITLES, type StepId, type TestEvent, type TestStep } from "@/lib/diagnostics/types";

export type StepOutcome = Omit<TestStep, "step" | "title" | "ms">;

export class StepLedger {
  private readonly results = new Map<StepId, TestStep>();
  private readonly startedAt = new Map<StepId, number>();

  constructor(
    private readonly emit: (event: TestEvent) => void,
    private readonly redactor: Redactor,
    private readonly now: () => number,
  ) {}

  plan(): void {
    this.emit({ type: "plan", steps: STEP_ORDER.map((step) => ({ step, title: STEP_TITLES[step] })) });
  }

  start(step: StepId): void {
    if (this.results.has(step) || this.startedAt.has(step)) return;
    this.startedAt.set(step, this.now());
    this.emit({ type: "step-start", step, title: STEP_TITLES[step] });
  }

  /**
   * Records the outcome of a step (started or not); returns false when it was already reported.
   * `endedAt` (same clock as now()) is when the deciding event happened: the two branches share one
   * thread, so the code that reports a step may run a little after its socket event fired.
   */
  finish(step: StepId, outcome: StepOutcome, endedAt?: number): boolean {
    if (this.results.has(step)) return false;
    const started = this.startedAt.get(step);
    const end = endedAt === undefined ? this.now() : Math.min(endedAt, this.now());
    const ms = outcome.status === "skipped" || started === undefined ? 0 : Math.max(0, Math.round(end - started));
    const result: TestStep = this.redactor.value({ step, title: STEP_TITLES[step], ms, ...withoutEmpty(outcome) });
    this.results.set(step, result);
    this.emit({ type: "step", result });
    return true;
  }

  skip(step: StepId, detail: string): boolean {
    return this.finish(step, { status: "skipped", detail });
  }

  isRunning(step: StepId): boolean {
    return this.startedAt.has(step) && !this.results.has(step);
  }

  isDone(step: StepId): boolean {
    return this.results.has(step);
  }

  running(): StepId[] {
    return STEP_ORDER.filter((step) => this.isRunning(step));
  }

  result(step: StepId): TestStep | undefined {
    return this.results.get(step);
  }

  firstFailure(): TestStep | undefined {
    return STEP_ORDER.map((step) => this.results.get(step)).find((r) => r?.status === "fail");
  }

  /** Every step, in order; a step nobody reported is listed as skipped with `reason(step)`. */
  all(reason: (step: StepId) => string): TestStep[] {
    for (const step of STEP_ORDER) if (!this.results.has(step)) this.skip(step, reason(step));
    return STEP_ORDER.map((step) => this.results.get(step)!);
  }
}

function withoutEmpty(outcome: StepOutcome): StepOutcome {
  const out: StepOutcome = { status: outcome.status, detail: outcome.detail };
  if (outcome.cause) out.cause = outcome.cause;
  if (outcome.fix) out.fix = outcome.fix;
  if (outcome.data && Object.keys(outcome.data).length) {
    const data: NonNullable<TestStep["data"]> = {};
    for (const [key, value] of Object.entries(outcome.data)) if (value !== undefined && value !== "") data[key] = value;
    if (Object.keys(data).length) out.data = data;
  }
  return out;
}
