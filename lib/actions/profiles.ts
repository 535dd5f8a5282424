"use server";
// Every export of a "use server" file is a public endpoint: only actions live here.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { defineAction } from "@/lib/actions/define-action";
import { createProfile, deleteProfile, duplicateProfile, updateProfile } from "@/lib/profiles/profile-service";

const profileId = z.string().min(1).max(64);

export const createProfileAction = defineAction("createProfile", z.object({ profile: z.unknown() }), async ({ profile }) => {
  const saved = await createProfile(profile);
  revalidatePath("/profiles");
  return saved;
});

export const updateProfileAction = defineAction(
  "updateProfile",
  z.object({ id: profileId, version: z.number().int().positive(), profile: z.unknown() }),
  async ({ id, version, profile }) => {
    const saved = await updateProfile(id, version, profile);
    revalidatePath("/profiles");
    return saved;
  },
);

export const duplicateProfileAction = defineAction(
  "duplicateProfile",
  z.object({ id: profileId, name: z.string().max(1000).optional(), copySecrets: z.boolean() }),
  async ({ id, name, copySecrets }) => {
    const saved = await duplicateProfile(id, { name, copySecrets });
    revalidatePath("/profiles");
    return saved;
  },
);

export const deleteProfileAction = defineAction("deleteProfile", z.object({ id: profileId }), async ({ id }) => {
  await deleteProfile(id);
  revalidatePath("/profiles");
  return { id };
});
