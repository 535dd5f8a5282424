import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { SERVER_ACTION_BODY_LIMIT_BYTES, SERVER_ACTION_TOO_LARGE } from "@/lib/http/server-action-limit";

const require = createRequire(import.meta.url);

describe("the server-action size limit", () => {
  it("is the one next.config.js gives Next, read the way Next reads it", () => {
    const config = require("../../next.config.js") as { experimental: { serverActions: { bodySizeLimit: string } } };
    const bytes = require("next/dist/compiled/bytes") as { parse(value: string): number };
    expect(bytes.parse(config.experimental.serverActions.bodySizeLimit)).toBe(SERVER_ACTION_BODY_LIMIT_BYTES);
    expect(SERVER_ACTION_TOO_LARGE).toContain(`at most ${SERVER_ACTION_BODY_LIMIT_BYTES / 1024 / 1024} MB`);
  });
});
