/**
 * Browser features the console never uses, switched off for it and for anything it could embed.
 * Only features Chromium knows (an unknown name is logged on every page). The clipboard stays
 * available: the copy buttons write to it.
 */
const permissionsPolicy = [
  "accelerometer",
  "autoplay",
  "browsing-topics",
  "camera",
  "display-capture",
  "encrypted-media",
  "fullscreen",
  "geolocation",
  "gyroscope",
  "hid",
  "idle-detection",
  "local-fonts",
  "magnetometer",
  "microphone",
  "midi",
  "payment",
  "picture-in-picture",
  "publickey-credentials-get",
  "screen-wake-lock",
  "serial",
  "usb",
  "xr-spatial-tracking",
]
  .map((feature) => `${feature}=()`)
  .join(", ");

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and Node-only packages stay outside the server bundle.
  serverExternalPackages: ["better-sqlite3", "@prisma/adapter-better-sqlite3", "@prisma/client", "imapflow", "node-forge"],
  poweredByHeader: false,
  // Imports accept files up to 5 MB; the text travels JSON-escaped inside the action's request.
  experimental: { serverActions: { bodySizeLimit: "8mb" } },
  // The test command runs `tsc --noEmit` over the whole project (app, lib, tests, e2e) as its own
  // step; checking again inside `next build` would only double the build time.
  typescript: { ignoreBuildErrors: true },
  // The pages' Content-Security-Policy carries a per-request nonce, so proxy.ts sets it.
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Referrer-Policy", value: "same-origin" },
          { key: "Permissions-Policy", value: permissionsPolicy },
        ],
      },
      // route handlers answer JSON and downloads: nothing in them may run or load anything
      {
        source: "/api/:path*",
        headers: [
          {
            key: "Content-Security-Policy",
            value: "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
          },
        ],
      },
    ];
  },
};

module.exports = nextConfig;
