import "@fontsource-variable/inter";
import "./globals.css";
import type { Metadata } from "next";
import { connection } from "next/server";
import type { ReactNode } from "react";

export const metadata: Metadata = {
  title: { default: "MCF Console", template: "%s · MCF Console" },
  description: "Configure and test mail-retrieval connections (IMAP, POP3, OAuth2).",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Every page is rendered per request, the not-found page included: its scripts carry that
  // request's CSP nonce (proxy.ts). A page prerendered at build time has none, and would not run.
  await connection();
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">{children}</body>
    </html>
  );
}
