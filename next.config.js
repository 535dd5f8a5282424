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
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Referrer-Policy", value: "same-origin" },
        ],
      },
    ];
  },
};

module.exports = nextConfig;
