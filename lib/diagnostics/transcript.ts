import "server-only";
import { printable, quotedLine } from "@/lib/mail/server-text";
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
    // The mail clients escape what they pass on already; this holds for every other source too.
    let shown = printable(this.redactor.text(text));
    if (shown.length > MAX_LINE_LENGTH)
      shown = `${shown.slice(0, MAX_LINE_LENGTH)}… [${shown.length - MAX_LINE_LENGTH} more characters]`;
    this.lines.push({ t: this.elapsed(), channel, direction, text: shown });
  }

  note(text: string, channel: TranscriptLine["channel"] = "note"): void {
    this.add(channel, "-", text);
  }

  /** Lines in time order (the mail and token channels interleave). */
  toArray(): TranscriptLine[] {
    const out = [...this.lines].sort((a, b) => a.t - b.t);
    if (this.dropped)
      out.push({ t: this.elapsed(), channel: "note", direction: "-", text: `${this.dropped} more lines not kept` });
    return out;
  }
}

/**
 * A mail session's lines on their way into the transcript. Until the server has greeted like the
 * mail server it should be, only its first line is kept, bounded like every quote of a server
 * (quotedLine): a Test pointed at another internal service (SSH, a web server, a database) must
 * not copy that service's answer into a result. A note says so; later server lines are dropped.
 */
export class GreetingGate {
  private state: "waiting" | "greeted" | "refused" = "waiting";

  constructor(
    private readonly transcript: Transcript,
    private readonly channel: "imap" | "pop3",
    private readonly isGreeting: (line: string) => boolean,
  ) {}

  add(direction: "C" | "S", line: string): void {
    if (direction === "C" || this.state === "greeted") return this.transcript.add(this.channel, direction, line);
    if (this.state === "refused") return;
    if (this.isGreeting(line)) {
      this.state = "greeted";
      return this.transcript.add(this.channel, "S", line);
    }
    this.state = "refused";
    this.transcript.add(this.channel, "S", quotedLine(line));
    this.transcript.note(
      `Only the first line from the server is kept: it did not greet like ${this.channel === "imap" ? "an IMAP" : "a POP3"} server.`,
    );
  }
}
