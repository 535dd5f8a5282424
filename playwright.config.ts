import { defineConfig } from "@playwright/test";
import path from "node:path";

// Workers re-evaluate this file: pick the port once and pass it down through the environment.
process.env.E2E_PORT ??= String(3100 + Math.floor(Math.random() * 800));
const PORT = Number(process.env.E2E_PORT);
const DATA_DIR = path.resolve(".tmp/e2e");
import { OWNER_STATE } from "./e2e/accounts";

export default defineConfig({
  testDir: "e2e",
  globalSetup: "./e2e/global-setup.ts",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  workers: 1,
  retries: 0,
  reporter: process.env.CI
    ? [["line"], ["json", { outputFile: ".tmp/playwright.json" }]]
    : [["list"], ["json", { outputFile: ".tmp/playwright.json" }]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [
    // first-run setup through the UI: creates the owner and keeps the signed-in state for the specs
    { name: "setup", testMatch: /owner\.setup\.ts/ },
    { name: "console", testIgnore: /owner\.setup\.ts/, dependencies: ["setup"], use: { storageState: OWNER_STATE } },
  ],
  webServer: {
    // a fresh data folder (database and generated secret key) for every run, against the production build,
    // served the way scripts/start.sh serves it
    command: `rm -rf ${DATA_DIR} && mkdir -p ${DATA_DIR} && node scripts/migrate.mjs && node scripts/server.mjs`,
    url: `http://127.0.0.1:${PORT}/profiles`,
    reuseExistingServer: false,
    timeout: 90_000,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      HOST: "127.0.0.1",
      PORT: String(PORT),
      MCF_DATA_DIR: DATA_DIR,
      DATABASE_URL: `file:${DATA_DIR}/mcf.db`,
      NEXT_TELEMETRY_DISABLED: "1",
      MCF_LOG_LEVEL: "warn",
    },
  },
});
