/**
 * What a personal API token is made of, and the form that creates one. Client-safe: the create
 * dialog validates with the same schema as the server action.
 */
import { z } from "zod";

/** `mcf_` + 32 random bytes as base64url (43 characters): 256 bits, nothing derived from the user. */
export const API_TOKEN_PREFIX = "mcf_";
export const API_TOKEN_PATTERN = /^mcf_[A-Za-z0-9_-]{43}$/;
/** How much of a token lists show ("mcf_Ab12cd34…"): enough to tell tokens apart, far too little to guess the rest. */
export const API_TOKEN_VISIBLE_CHARS = 12;

export const API_TOKEN_EXPIRY_CHOICES = [
  { value: "7", label: "7 days" },
  { value: "30", label: "30 days" },
  { value: "90", label: "90 days" },
  { value: "365", label: "1 year" },
  { value: "never", label: "No expiry" },
] as const;

export const MAX_API_TOKEN_DAYS = 3650;

export const createApiTokenSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, "Enter a name, e.g. the script or machine that will use it")
    .max(100, "At most 100 characters")
    .refine((v) => !/[\x00-\x1f\x7f]/.test(v), "Line breaks and control characters are not allowed here"),
  /** whole days from now; null = the token does not expire (it can still be revoked) */
  expiresInDays: z
    .number()
    .int("Whole days only")
    .min(1, "At least 1 day")
    .max(MAX_API_TOKEN_DAYS, `At most ${MAX_API_TOKEN_DAYS} days`)
    .nullable(),
});

export type CreateApiTokenInput = z.infer<typeof createApiTokenSchema>;

export type ApiTokenStatus = "active" | "expired" | "revoked";

/** A token as lists show it: never the token itself, which exists only in the creator's copy. */
export interface ApiTokenSummary {
  id: string;
  name: string;
  /** the first characters, e.g. "mcf_Ab12cd34" */
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  status: ApiTokenStatus;
  /** whose token it is (admins see other users' tokens) */
  owner: { id: string; name: string; email: string };
}
