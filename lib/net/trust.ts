import "server-only";
import fs from "node:fs";
import tls from "node:tls";
import { env } from "@/lib/env";

let extraCaCache: string[] | undefined;

/** Certificates from NODE_EXTRA_CA_CERTS: Node adds them only when no `ca` is passed, and we always pass one. */
function extraCaCertificates(): string[] {
  if (extraCaCache) return extraCaCache;
  extraCaCache = [];
  if (env.NODE_EXTRA_CA_CERTS) {
    try {
      extraCaCache = splitPemBundle(fs.readFileSync(env.NODE_EXTRA_CA_CERTS, "utf8"));
    } catch {
      extraCaCache = [];
    }
  }
  return extraCaCache;
}

export function splitPemBundle(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/**
 * The CA list for outgoing TLS (mail server and token endpoint): the system store, plus
 * NODE_EXTRA_CA_CERTS, plus the profile's own trusted CAs and any given for this run (CLI --ca-file).
 */
export function trustedCertificates(...extraPem: (string | null | undefined)[]): string[] {
  return [...tls.rootCertificates, ...extraCaCertificates(), ...extraPem.flatMap((pem) => (pem ? splitPemBundle(pem) : []))];
}
