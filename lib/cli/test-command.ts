import "server-only";
/** `mcf test <profile name | id | path/to/profile.json>`: the staged connection test in a terminal. */
import fs from "node:fs";
import { formatProperties, formatTranscript, liveStepPrinter } from "@/lib/cli/format-result";
import { EXIT, UsageError, parseCommandArgs } from "@/lib/cli/io";
import { splitPemBundle } from "@/lib/net/trust";
import { authLabel } from "@/lib/profiles/summary";
import type { CliCommand } from "@/lib/cli/command";

const MAX_TIMEOUT_S = 600;

export const testCommand: CliCommand = {
  name: "test",
  summary: "Test a profile's mail connection step by step (DNS, TCP, TLS, greeting, token, login, INBOX)",
  usage: [
    "Usage: mcf test <profile name | id | path/to/profile.json> [options]",
    "",
    "Runs the same staged test as the console's Test button and prints each step as it finishes.",
    "A profile name or id is looked up in the console's database (DATABASE_URL / MCF_DATA_DIR), with its",
    "stored secrets; a .json file is an mcf-profile document, whose secrets may be written in clear text.",
    "",
    "Options:",
    "  --json              print one JSON document { ok, summary, steps, properties, … } and nothing else on stdout",
    "  --ca-file <pem>     also trust the CA certificate(s) in this PEM file, for this run",
    `  --timeout <s>       total time limit in seconds (default 30, at most ${MAX_TIMEOUT_S})`,
    "  --cached-token      use a cached access token when there is one (default: always request a new one)",
    "  --transcript        also print the redacted protocol transcript (in --json: a transcript field)",
    "  -h, --help          show this help",
    "",
    "Exit codes: 0 connected, 1 the test failed, 2 bad usage or an invalid profile.",
  ].join("\n"),

  async run(args, io, cwd) {
    const { values, positionals } = parseCommandArgs("test", args, {
      json: { type: "boolean" },
      "ca-file": { type: "string" },
      timeout: { type: "string" },
      "cached-token": { type: "boolean" },
      transcript: { type: "boolean" },
    });
    if (values.help) {
      io.out(`${this.usage}\n`);
      return EXIT.ok;
    }
    if (positionals.length !== 1)
      throw new UsageError(
        positionals.length ? "Give one profile at a time." : "Which profile? mcf test <profile name | id | path/to/profile.json>",
      );

    let timeoutMs: number | undefined;
    if (values.timeout !== undefined) {
      const seconds = Number(values.timeout);
      if (!Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_TIMEOUT_S)
        throw new UsageError(`--timeout takes a number of seconds from 0.1 to ${MAX_TIMEOUT_S}.`);
      timeoutMs = Math.round(seconds * 1000);
    }
    let extraCaPem: string | undefined;
    if (values["ca-file"] !== undefined) {
      try {
        extraCaPem = fs.readFileSync(values["ca-file"], "utf8");
      } catch {
        throw new UsageError(`Cannot read the CA file ${values["ca-file"]}.`);
      }
      if (!splitPemBundle(extraCaPem).length)
        throw new UsageError(`${values["ca-file"]} contains no PEM certificate (-----BEGIN CERTIFICATE-----).`);
    }

    // Loaded here, not at the top: `mcf --help` should not pay for the mail, OAuth and database code.
    const [{ loadProfile }, { runConnectionTest }] = await Promise.all([
      import("@/lib/cli/load-profile"),
      import("@/lib/diagnostics/run-test"),
    ]);
    const { subject, label } = await loadProfile(positionals[0]!, cwd);
    const profile = subject.profile;
    if (!values.json) {
      const { connection } = profile;
      io.out(
        `Testing ${label}: ${connection.protocol.toUpperCase()} ${connection.mailServerUrl}${connection.port ? `:${connection.port}` : ""}, security ${connection.security}, ${authLabel(profile.authentication)}\n`,
      );
    }
    const print = liveStepPrinter((line) => io.out(`${line}\n`));
    const result = await runConnectionTest(
      { ...subject, ...(extraCaPem ? { extraCaPem } : {}) },
      {
        ...(values.json ? {} : { onEvent: print }),
        ...(io.signal ? { signal: io.signal } : {}),
        ...(timeoutMs ? { timeoutMs } : {}),
        freshToken: !values["cached-token"],
      },
    );

    if (values.json) {
      const document = {
        ok: result.ok,
        summary: result.summary,
        protocol: result.protocol,
        startedAt: result.startedAt,
        ms: result.ms,
        steps: result.steps,
        properties: result.properties,
        ...(values.transcript ? { transcript: result.transcript } : {}),
      };
      io.out(`${JSON.stringify(document, null, 2)}\n`);
    } else {
      const extra = [...formatProperties(result), ...(values.transcript ? ["Transcript:", ...formatTranscript(result)] : [])];
      io.out(`${extra.length ? `\n${extra.join("\n")}\n` : ""}\n${result.summary}\n`);
    }
    return result.ok ? EXIT.ok : EXIT.failed;
  },
};
