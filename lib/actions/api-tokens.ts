"use server";
// Every export of a "use server" file is a public endpoint: only actions live here.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { defineAction } from "@/lib/actions/define-action";
import { createApiTokenSchema } from "@/lib/api/token-schema";
import { createApiToken, revokeApiToken } from "@/lib/api/tokens";

/** Any signed-in user may create tokens for themselves: a token can do only what its creator can. */
export const createApiTokenAction = defineAction("createApiToken", createApiTokenSchema, async (input, { user, ip }) => {
  const created = await createApiToken(user, input, ip);
  revalidatePath("/account/tokens");
  // the one and only time the token leaves the server
  return created;
});

export const revokeApiTokenAction = defineAction(
  "revokeApiToken",
  z.object({ id: z.string().min(1).max(64) }),
  async ({ id }, { user, ip }) => {
    const revoked = await revokeApiToken(user, id, ip);
    revalidatePath("/account/tokens");
    return revoked;
  },
);
