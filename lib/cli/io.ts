import "server-only";
import { parseArgs, type ParseArgsConfig } from "node:util";
/**
 * What a CLI command writes to and listens to, passed in so commands stay testable and so `--json`
 * can promise that stdout carries one JSON document and nothing else.
 */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** aborted on Ctrl-C: a running test is cancelled and still reported */
  signal?: AbortSignal;
}

export const EXIT = {
  /** the test connected (or help was shown) */
  ok: 0,
  /** the test ran and failed */
  failed: 1,
  /** export or import refused: the file has problems (listed with their JSON paths), or name clashes need --on-clash */
  refused: 1,
  /** bad usage, an invalid profile, or a profile that cannot be loaded */
  usage: 2,
} as const;

export class UsageError extends Error {
  constructor(
    message: string,
    /** validation problems with their JSON paths, printed one per line */
    readonly issues: { path: string; message: string }[] = [],
  ) {
    super(message);
    this.name = "UsageError";
  }
}

type OptionsConfig = NonNullable<ParseArgsConfig["options"]>;

/**
 * A command's arguments, with -h/--help added and parse errors turned into usage errors that point
 * at the command's help. Every command parses its arguments through here.
 */
export function parseCommandArgs<const Options extends OptionsConfig>(command: string, args: string[], options: Options) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: { ...options, help: { type: "boolean", short: "h" } } as Options & { help: { type: "boolean"; short: "h" } },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}. See mcf ${command} --help.`);
  }
}
