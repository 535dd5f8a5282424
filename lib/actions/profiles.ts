"use server";
// Every export of a "use server" file is a public endpoint: only actions live here.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { defineAction } from "@/lib/actions/define-action";
import { createProfile, deleteProfile, duplicateProfile, updateProfile } from "@/lib/profile-operations/profile-service";

const profileId = z.string().min(1).max(64);

export const createProfileAction = defineAction(
  "createProfile",
  z.object({ profile: z.unknown() }),
  async ({ profile }, { user }) => {
    const saved = await createProfile(profile, user);
    revalidatePath("/profiles");
    return saved;
  },
);

export const updateProfileAction = defineAction(
  "updateProfile",
  z.object({ id: profileId, version: z.number().int().positive(), profile: z.unknown() }),
  async ({ id, version, profile }, { user }) => {
    const saved = await updateProfile(id, version, profile, user);
    revalidatePath("/profiles");
    return saved;
  },
);

export const duplicateProfileAction = defineAction(
  "duplicateProfile",
  z.object({ id: profileId, name: z.string().max(1000).optional(), copySecrets: z.boolean() }),
  async ({ id, name, copySecrets }, { user }) => {
    const saved = await duplicateProfile(id, { name, copySecrets }, user);
    revalidatePath("/profiles");
    return saved;
  },
);

export const deleteProfileAction = defineAction("deleteProfile", z.object({ id: profileId }), async ({ id }, { user }) => {
  await deleteProfile(id, user);
  revalidatePath("/profiles");
  return { id };
});
