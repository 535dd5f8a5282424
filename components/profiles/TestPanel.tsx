"use client";
import { useRef, useState } from "react";
import type { FieldPath, UseFormReturn } from "react-hook-form";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { Input } from "@/components/ui/input";
import { cn } from "@/lib/cn";
import { exchangeSetupScript } from "@/lib/diagnostics/exchange-setup";
import type { StepId, TestEvent, TestResult, TestStep } from "@/lib/diagnostics/types";
import type { ProfileInput } from "@/lib/profiles/schema";

type PlannedStep = { step: StepId; title: string };
type RunState = "idle" | "running" | "done" | "cancelled";

const CLIENT_LIMIT_MS = 40_000;

function transcriptText(result: TestResult): string {
  const lines = [`MCF Console connection test — ${result.startedAt} — ${result.summary}`, ""];
  for (const step of result.steps)
    lines.push(
      `[${step.status.toUpperCase()}] ${step.title} (${step.ms} ms): ${step.detail}${step.cause ? ` — ${step.cause}` : ""}`,
    );
  lines.push("", "Transcript (credentials masked):");
  for (const line of result.transcript)
    lines.push(`${String(line.t).padStart(6)} ms ${line.channel.padEnd(5)} ${line.direction} ${line.text}`);
  return `${lines.join("\n")}\n`;
}

function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.click();
  URL.revokeObjectURL(url);
}

const statusIcon: Record<TestStep["status"], { icon: string; label: string; className: string }> = {
  ok: { icon: "✓", label: "passed", className: "bg-green-100 text-green-800" },
  warn: { icon: "!", label: "warning", className: "bg-amber-100 text-amber-900" },
  fail: { icon: "✕", label: "failed", className: "bg-red-100 text-red-800" },
  skipped: { icon: "–", label: "skipped", className: "bg-slate-100 text-slate-600" },
};

/**
 * The Test: runs on the server with the values on screen (saved or not), streaming each step as it
 * finishes. Blank secret fields use the stored values.
 */
export function TestPanel({
  form,
  profileId,
  lastResult,
}: {
  form: UseFormReturn<ProfileInput>;
  profileId?: string;
  lastResult?: TestResult | null;
}) {
  const [state, setState] = useState<RunState>("idle");
  const [plan, setPlan] = useState<PlannedStep[]>([]);
  const [results, setResults] = useState<Partial<Record<StepId, TestStep>>>({});
  // several steps can run at once: the token request runs beside the connection steps
  const [running, setRunning] = useState<ReadonlySet<StepId>>(new Set());
  const [result, setResult] = useState<TestResult | null>(lastResult ?? null);
  const [error, setError] = useState<string | null>(null);
  const [reuseToken, setReuseToken] = useState(false);
  const [objectId, setObjectId] = useState("");
  const controller = useRef<AbortController | null>(null);
  const values = form.watch();

  const start = async () => {
    const valid = await form.trigger();
    if (!valid) {
      setError("Fix the fields marked in the form first: the test uses the values on screen.");
      return;
    }
    setError(null);
    setPlan([]);
    setResults({});
    setResult(null);
    setState("running");
    const abort = new AbortController();
    controller.current = abort;
    const timer = setTimeout(() => abort.abort(), CLIENT_LIMIT_MS);
    try {
      const response = await fetch("/api/profiles/test", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ profileId, profile: form.getValues(), freshToken: !reuseToken }),
        signal: abort.signal,
      });
      if (!response.ok || !response.body) {
        const body = (await response.json().catch(() => null)) as {
          error?: { message?: string; fields?: Record<string, string> };
        } | null;
        for (const [path, message] of Object.entries(body?.error?.fields ?? {}))
          form.setError(path as FieldPath<ProfileInput>, { type: "server", message });
        setError(body?.error?.message ?? "The test could not start.");
        setState("idle");
        return;
      }
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let newline: number;
        while ((newline = buffer.indexOf("\n")) !== -1) {
          const line = buffer.slice(0, newline).trim();
          buffer = buffer.slice(newline + 1);
          if (line) handle(JSON.parse(line) as TestEvent);
        }
      }
      setState((current) => (current === "running" ? "done" : current));
    } catch {
      setState("cancelled");
      setRunning(new Set());
    } finally {
      clearTimeout(timer);
      controller.current = null;
    }
  };

  const handle = (event: TestEvent) => {
    if (event.type === "plan") setPlan(event.steps);
    else if (event.type === "step-start") setRunning((current) => new Set(current).add(event.step));
    else if (event.type === "step") {
      setResults((current) => ({ ...current, [event.result.step]: event.result }));
      setRunning((current) => {
        const next = new Set(current);
        next.delete(event.result.step);
        return next;
      });
    } else if (event.type === "done") {
      setResult(event.result);
      setRunning(new Set());
      setState("done");
    }
  };

  const steps: PlannedStep[] = plan.length ? plan : (result?.steps.map((s) => ({ step: s.step, title: s.title })) ?? []);
  const stepResult = (step: StepId) =>
    results[step] ?? (state !== "running" ? result?.steps.find((s) => s.step === step) : undefined);
  const isOAuth = values.authentication?.type === "oauth2";
  const authFailed = result?.steps.some((s) => s.step === "authenticate" && s.status === "fail");

  return (
    <section aria-labelledby="test-heading" className="rounded-lg border border-slate-200 bg-white p-5" data-testid="test-panel">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <h2 id="test-heading" className="text-base font-semibold text-slate-900">
            Test connection
          </h2>
          <p className="text-sm text-slate-600">
            Runs on the server with the values on screen, saved or not. Blank secret fields use the stored values.
          </p>
        </div>
        <div className="flex items-center gap-3">
          {isOAuth ? (
            <label className="flex items-center gap-2 text-sm text-slate-700">
              <input
                type="checkbox"
                className="size-4"
                checked={reuseToken}
                onChange={(e) => setReuseToken(e.target.checked)}
                disabled={state === "running"}
              />
              Reuse a cached token
            </label>
          ) : null}
          {state === "running" ? (
            <Button variant="secondary" onClick={() => controller.current?.abort()}>
              Cancel
            </Button>
          ) : null}
          <Button onClick={start} disabled={state === "running"}>
            {state === "running" ? "Testing…" : "Test connection"}
          </Button>
        </div>
      </div>

      <div aria-live="polite" className="mt-3 space-y-2">
        {error ? <Alert tone="error">{error}</Alert> : null}
        {state === "cancelled" ? <Alert tone="warning">Test cancelled. Every connection it opened was closed.</Alert> : null}
        {result && state !== "running" ? (
          <Alert tone={result.ok ? "success" : "error"}>
            <span data-testid="test-summary">{result.summary}</span>
            {state === "idle" && lastResult ? (
              <span className="ml-2 text-xs">(last test, {new Date(result.startedAt).toUTCString()})</span>
            ) : null}
          </Alert>
        ) : null}
      </div>

      {steps.length > 0 ? (
        <ol className="mt-4 space-y-2" aria-label="Test steps">
          {steps.map(({ step, title }) => {
            const done = stepResult(step);
            const isRunning = state === "running" && running.has(step);
            const icon = done ? statusIcon[done.status] : undefined;
            return (
              <li
                key={step}
                className="rounded-md border border-slate-200 px-3 py-2"
                data-step={step}
                data-status={done?.status ?? (isRunning ? "running" : "pending")}
              >
                <div className="flex items-start gap-3">
                  <span
                    aria-hidden="true"
                    className={cn(
                      "mt-0.5 grid size-6 shrink-0 place-items-center rounded-full text-xs font-bold",
                      icon?.className ?? "bg-slate-50 text-slate-400",
                    )}
                  >
                    {isRunning ? (
                      <span className="size-3.5 animate-spin rounded-full border-2 border-blue-600 border-t-transparent" />
                    ) : (
                      (icon?.icon ?? "○")
                    )}
                  </span>
                  <div className="min-w-0 flex-1">
                    <div className="flex flex-wrap items-baseline justify-between gap-2">
                      <p className="text-sm font-medium text-slate-900">
                        {title}
                        <span className="sr-only"> — {done ? icon?.label : isRunning ? "running" : "waiting"}</span>
                      </p>
                      {done ? <span className="text-xs text-slate-600 tabular-nums">{done.ms} ms</span> : null}
                    </div>
                    {done?.detail ? <p className="text-sm break-words text-slate-700">{done.detail}</p> : null}
                    {done?.cause ? (
                      <p className="mt-1 text-sm text-slate-800">
                        <span className="font-semibold">Cause: </span>
                        {done.cause}
                      </p>
                    ) : null}
                    {done?.fix ? (
                      <p className="mt-1 rounded bg-blue-50 px-2 py-1 text-sm whitespace-pre-line text-blue-950">
                        <span className="font-semibold">Fix: </span>
                        {done.fix}
                      </p>
                    ) : null}
                  </div>
                </div>
              </li>
            );
          })}
        </ol>
      ) : null}

      {result && state !== "running" ? (
        <div className="mt-4 flex flex-wrap items-start gap-3">
          <Button
            variant="secondary"
            size="sm"
            onClick={() => download(`mcf-test-${result.startedAt.replace(/[:.]/g, "-")}.txt`, transcriptText(result))}
          >
            Download transcript
          </Button>
          {result.properties.applied.length + result.properties.ignored.length > 0 ? (
            <details className="min-w-64 flex-1 rounded-md border border-slate-200 px-3 py-2 text-sm">
              <summary className="cursor-pointer font-medium">
                Additional properties: {result.properties.applied.length} applied, {result.properties.ignored.length} ignored
              </summary>
              <ul className="mt-2 space-y-1">
                {result.properties.applied.map((p) => (
                  <li key={p.key}>
                    <span className="font-mono text-xs">
                      {p.key}={p.value}
                    </span>{" "}
                    — {p.effect}
                  </li>
                ))}
                {result.properties.ignored.map((p) => (
                  <li key={p.key} className="text-slate-600">
                    <span className="font-mono text-xs">{p.key}</span> — ignored: {p.reason}
                  </li>
                ))}
              </ul>
            </details>
          ) : null}
        </div>
      ) : null}

      {isOAuth ? (
        <details
          className="mt-4 rounded-md border border-slate-200 px-3 py-2"
          open={Boolean(authFailed)}
          data-testid="exchange-setup"
        >
          <summary className="cursor-pointer text-sm font-medium text-slate-800">
            Exchange setup assistant (PowerShell for the Exchange admin)
          </summary>
          <div className="mt-3 space-y-2">
            <p className="text-sm text-slate-600">
              The app needs a service principal in Exchange Online and FullAccess to this mailbox. Find the{" "}
              <strong>Enterprise application</strong>’s Object ID under Entra admin center › Enterprise applications › your app ›
              Overview (not the App registration’s Object ID).
            </p>
            <div className="max-w-md">
              <label htmlFor="enterprise-object-id" className="text-sm font-medium text-slate-800">
                Enterprise application Object ID
              </label>
              <Input
                id="enterprise-object-id"
                value={objectId}
                onChange={(e) => setObjectId(e.target.value.trim())}
                placeholder="00000000-0000-0000-0000-000000000000"
                spellCheck={false}
              />
            </div>
            <div className="relative">
              <pre className="overflow-x-auto rounded-md bg-slate-900 p-3 text-xs text-slate-100" data-testid="exchange-script">
                {exchangeSetupScript(values as ProfileInput, { enterpriseAppObjectId: objectId || undefined })}
              </pre>
              <div className="absolute top-1 right-1 rounded bg-white">
                <CopyButton
                  value={exchangeSetupScript(values as ProfileInput, { enterpriseAppObjectId: objectId || undefined })}
                  label="PowerShell script"
                />
              </div>
            </div>
          </div>
        </details>
      ) : null}
    </section>
  );
}
