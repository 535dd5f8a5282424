import "server-only";
/**
 * Plain words for a failed HTTPS exchange with the token endpoint, by failure phase and error code:
 * what happened (cause) and what to change (fix). Kept apart from the token logic so the staged Test
 * can reuse the same wording for other HTTPS calls.
 */
import type { PostFailure } from "@/lib/oauth/http-post";
import { blockedAddressRefusal, testTargetRefusal } from "@/lib/net/outbound-guard";

export type NetworkFailureKind = "config" | "dns" | "connect" | "tls" | "timeout" | "invalid_response" | "cancelled";

export interface NetworkFailureText {
  kind: NetworkFailureKind;
  title: string;
  cause: string;
  fix: string;
}

export interface Endpoint {
  host: string;
  port: number;
  timeoutMs: number;
}

const TRUST_FIX =
  "If your network inspects TLS through a proxy, add the proxy's root CA certificate under Connection > Trusted CA certificates (or in NODE_EXTRA_CA_CERTS). Otherwise check that the token URL really points to Microsoft (https://login.microsoftonline.com/…): Microsoft's certificates are trusted by default.";

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

export function describeNetworkFailure(failure: PostFailure, endpoint: Endpoint): NetworkFailureText {
  const { host, port } = endpoint;
  const where = `${host}:${port}`;
  const peer = failure.peer;
  const code = failure.code;

  switch (code) {
    case "MCF_CANCELLED":
      return {
        kind: "cancelled",
        title: "Cancelled",
        cause: "The token request was cancelled before the token endpoint answered.",
        fix: "Run the test again.",
      };
    case "MCF_BLOCKED_ADDRESS": {
      const refusal = blockedAddressRefusal(
        host,
        failure.addresses ?? [host],
        "correct the token URL (e.g. https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token)",
      );
      return { kind: "config", title: "Address not allowed", cause: `${refusal.detail} ${refusal.cause}`, fix: refusal.fix };
    }
    case "MCF_HOST_NOT_ALLOWED":
      return {
        kind: "config",
        title: "Host not allowed",
        cause: testTargetRefusal(host) ?? `${host} is not among the hosts this console may test.`,
        fix: "Ask the operator to add the token endpoint's host to MCF_TEST_ALLOWED_HOSTS, or correct the token URL.",
      };
    case "MCF_BODY_TOO_LARGE":
      return {
        kind: "invalid_response",
        title: "Answer too large",
        cause: `${host} sent an answer far larger than a token response.`,
        fix: "Check that the token URL points to the token endpoint (…/oauth2/v2.0/token), not to a web page or download.",
      };
    case "MCF_TIMEOUT":
    case "ETIMEDOUT":
      if (failure.phase === "response") {
        return {
          kind: "timeout",
          title: `No answer within ${seconds(endpoint.timeoutMs)}`,
          cause: `Connected to ${host}, but the token endpoint did not answer within ${seconds(endpoint.timeoutMs)}.`,
          fix: "Try again. If it repeats, check Microsoft 365 service health and any proxy between this server and the internet.",
        };
      }
      if (failure.phase === "tls") {
        return {
          kind: "timeout",
          title: "TLS handshake timed out",
          cause: `${where} accepted the connection but the TLS handshake did not finish within ${seconds(endpoint.timeoutMs)}.`,
          fix: "Check that the token URL uses https:// on a port that speaks TLS (normally no port: 443), and that no firewall or proxy holds the connection.",
        };
      }
      return {
        kind: "timeout",
        title: "Connection timed out",
        cause: `Could not connect to ${where} within ${seconds(endpoint.timeoutMs)}.`,
        fix: "Check that this server may open outbound HTTPS connections to this host (firewall, proxy), and the host and port in the token URL.",
      };
    case "ENOTFOUND":
    case "EAI_NONAME":
    case "EAI_NODATA":
    case "EAI_FAIL":
      return {
        kind: "dns",
        title: "Host name not found",
        cause: `The host name ${host} does not exist in DNS (${code}).`,
        fix: "Check the token URL for typos (Global: login.microsoftonline.com). If the name is right, check this server's DNS settings.",
      };
    case "EAI_AGAIN":
      return {
        kind: "dns",
        title: "DNS did not answer",
        cause: `The DNS server did not answer for ${host} (EAI_AGAIN): a temporary DNS failure, or this server cannot reach its DNS server.`,
        fix: "Try again; if it repeats, check this server's DNS resolver and outbound network.",
      };
    case "ECONNREFUSED":
      return {
        kind: "connect",
        title: "Connection refused",
        cause: `Nothing accepts connections on ${where} (connection refused).`,
        fix: "Check the host and port in the token URL: a Microsoft token URL has no port (443). If the URL is right, a firewall is refusing the connection.",
      };
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return {
        kind: "connect",
        title: "Network unreachable",
        cause: `There is no network route from this server to ${where} (${code}).`,
        fix: "Check this server's outbound network, proxy settings and firewall rules.",
      };
    case "ECONNRESET":
    case "EPIPE":
      if (failure.phase === "response") {
        return {
          kind: "connect",
          title: "Connection dropped",
          cause: `The connection to ${host} was closed before the token endpoint answered.`,
          fix: "Try again; if it repeats, a proxy or firewall may be cutting the connection.",
        };
      }
      return {
        kind: "connect",
        title: "Connection closed by the server",
        cause: `${where} accepted the connection and closed it at once, before the TLS handshake completed.`,
        fix: "Proxies and firewalls do this for blocked destinations, and so does a port that is not an HTTPS service: check the token URL and the outbound firewall/proxy.",
      };
    case "CERT_HAS_EXPIRED":
      return {
        kind: "tls",
        title: "Server certificate expired",
        cause: `The TLS certificate of ${host}${peer?.subject ? ` (${peer.subject})` : ""} expired${peer?.validTo ? ` on ${peer.validTo}` : ""}.`,
        fix: "Check this server's clock first: a wrong date makes valid certificates look expired. Otherwise the endpoint's certificate must be renewed (a TLS-inspecting proxy can also present an expired certificate).",
      };
    case "CERT_NOT_YET_VALID":
      return {
        kind: "tls",
        title: "Server certificate not yet valid",
        cause: `The TLS certificate of ${host} is valid only from ${peer?.validFrom ?? "a later date"}.`,
        fix: "Check this server's clock and time zone (NTP).",
      };
    case "DEPTH_ZERO_SELF_SIGNED_CERT":
    case "SELF_SIGNED_CERT_IN_CHAIN":
      return {
        kind: "tls",
        title: "Self-signed certificate",
        cause: `${host} presented a self-signed certificate${peer?.issuer ? ` (${peer.issuer})` : ""} that this console does not trust.`,
        fix: `Microsoft's endpoints never use self-signed certificates. ${TRUST_FIX}`,
      };
    case "UNABLE_TO_VERIFY_LEAF_SIGNATURE":
    case "UNABLE_TO_GET_ISSUER_CERT":
    case "UNABLE_TO_GET_ISSUER_CERT_LOCALLY":
    case "CERT_UNTRUSTED":
    case "CERT_SIGNATURE_FAILURE":
      return {
        kind: "tls",
        title: "Server certificate not trusted",
        cause: `The TLS certificate of ${host}${peer?.issuer ? `, issued by "${peer.issuer}",` : ""} is not signed by a certificate authority this console trusts.`,
        fix: TRUST_FIX,
      };
    case "INVALID_PURPOSE":
      return {
        kind: "tls",
        title: "Certificate not meant for a server",
        cause: `The TLS certificate of ${host}${peer?.subject ? ` (${peer.subject})` : ""} is not issued for TLS server use (its key usage does not allow it).`,
        fix: `The endpoint must present a server certificate. ${TRUST_FIX}`,
      };
    case "ERR_TLS_CERT_ALTNAME_INVALID":
    case "HOSTNAME_MISMATCH":
      return {
        kind: "tls",
        title: "Certificate is for another host",
        cause: `The TLS certificate presented by ${host} is for ${peer?.altNames ?? peer?.subject ?? "another name"}, not for ${host}.`,
        fix: "Check the host name in the token URL (use the DNS name, not an IP address). If the name is right, a proxy may be intercepting the connection.",
      };
    default:
      if (failure.phase === "tls" || /^ERR_SSL|^EPROTO$|^ERR_TLS/.test(code)) {
        return {
          kind: "tls",
          title: "TLS handshake failed",
          cause: `${where} did not complete a TLS handshake (${code}): the port may not speak HTTPS, or it offers only TLS versions below 1.2.`,
          fix: "Use an https:// token URL on the standard port; check any proxy between this server and the internet.",
        };
      }
      return {
        kind: "connect",
        title: "Connection failed",
        cause: `The connection to ${where} failed (${code}).`,
        fix: "Check the token URL and this server's outbound network (firewall, proxy).",
      };
  }
}
