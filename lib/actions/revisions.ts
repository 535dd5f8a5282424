"use server";
// Every export of a "use server" file is a public endpoint: only actions live here.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { defineAction } from "@/lib/actions/define-action";
import { restoreRevision } from "@/lib/profile-operations/revisions";

export const restoreRevisionAction = defineAction(
  "restoreRevision",
  z.object({
    profileId: z.string().min(1).max(64),
    number: z.number().int().positive(),
    expectedVersion: z.number().int().positive(),
  }),
  async ({ profileId, number, expectedVersion }, { user }) => {
    const saved = await restoreRevision(profileId, number, expectedVersion, user);
    revalidatePath(`/profiles/${profileId}`);
    revalidatePath("/profiles");
    return saved;
  },
);
