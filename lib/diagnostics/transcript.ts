import "server-only";
import type { Redactor } from "@/lib/diagnostics/redaction";
import type { TranscriptLine } from "@/lib/diagnostics/types";

/** Bounds the transcript a Test keeps: a misbehaving server must not grow a result without limit. */
const MAX_LINES = 2_000;
const MAX_LINE_LENGTH = 1_024;

/** The redacted protocol transcript of one Test, timestamped from its start. */
export class Transcript {
  private readonly lines: TranscriptLine[] = [];
  private dropped = 0;

  constructor(
    private readonly redactor: Redactor,
    private readonly elapsed: () => number,
  ) {}

  add(channel: TranscriptLine["channel"], direction: TranscriptLine["direction"], text: string): void {
    if (this.lines.length >= MAX_LINES) {
      this.dropped++;
      return;
    }
    let shown = this.redactor.text(text);
    if (shown.length > MAX_LINE_LENGTH) shown = `${shown.slice(0, MAX_LINE_LENGTH)}… [${shown.length - MAX_LINE_LENGTH} more characters]`;
    this.lines.push({ t: this.elapsed(), channel, direction, text: shown });
  }

  note(text: string, channel: TranscriptLine["channel"] = "note"): void {
    this.add(channel, "-", text);
  }

  /** Lines in time order (the mail and token channels interleave). */
  toArray(): TranscriptLine[] {
    const out = [...this.lines].sort((a, b) => a.t - b.t);
    if (this.dropped) out.push({ t: this.elapsed(), channel: "note", direction: "-", text: `${this.dropped} more lines not kept` });
    return out;
  }
}
