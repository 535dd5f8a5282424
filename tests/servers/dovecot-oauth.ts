/**
 * Signs Exchange-Online-shaped app-only access tokens for the test Dovecot: RS256 with a `kid`,
 * `aud`, `iss`, `tid`, `appid`, `roles`, `exp`. Dovecot 2.3.19's local validation also requires
 * `sub` (Microsoft's app-only tokens carry it: the service principal's object id).
 */
import * as jose from "jose";
import type { DovecotOAuthOptions } from "./dovecot";

export interface TokenClaims {
  appid: string;
  tid?: string;
  roles?: string[];
  sub?: string;
  /** seconds from now; negative for an already expired token */
  expiresIn?: number;
  audience?: string;
  issuer?: string;
  kid?: string;
  extra?: Record<string, unknown>;
}

export interface TestTokenSigner {
  /** what startDovecot needs to validate these tokens */
  dovecot: DovecotOAuthOptions;
  sign(claims: TokenClaims): Promise<string>;
  /** the same claims signed with a key Dovecot does not know (same kid) */
  signWithWrongKey(claims: TokenClaims): Promise<string>;
}

export async function createTestTokenSigner(
  options: { issuer?: string; audience?: string; kid?: string; tenantId?: string } = {},
): Promise<TestTokenSigner> {
  const tenantId = options.tenantId ?? "11111111-2222-3333-4444-555555555555";
  const issuer = options.issuer ?? `https://sts.windows.net/${tenantId}/`;
  const audience = options.audience ?? "https://outlook.office365.com";
  const kid = options.kid ?? "mcf-test-key-1";
  const { publicKey, privateKey } = await jose.generateKeyPair("RS256", { extractable: true });
  const wrong = await jose.generateKeyPair("RS256");

  const signWith = (key: CryptoKey) => async (claims: TokenClaims) => {
    const now = Math.floor(Date.now() / 1000);
    const expiresIn = claims.expiresIn ?? 3600;
    return new jose.SignJWT({
      tid: claims.tid ?? tenantId,
      appid: claims.appid,
      roles: claims.roles ?? ["IMAP.AccessAsApp", "POP.AccessAsApp"],
      sub: claims.sub ?? `sp-${claims.appid}`,
      oid: claims.sub ?? `sp-${claims.appid}`,
      ...claims.extra,
    })
      .setProtectedHeader({ alg: "RS256", kid: claims.kid ?? kid, typ: "JWT" })
      .setIssuer(claims.issuer ?? issuer)
      .setAudience(claims.audience ?? audience)
      .setIssuedAt(Math.min(now, now + expiresIn - 60))
      .setNotBefore(Math.min(now - 60, now + expiresIn - 60))
      .setExpirationTime(now + expiresIn)
      .sign(key);
  };

  return {
    dovecot: { issuer, audience, kid, publicKeyPem: await jose.exportSPKI(publicKey), clientIdClaim: "appid" },
    sign: signWith(privateKey),
    signWithWrongKey: signWith(wrong.privateKey),
  };
}
