"use server";
// Every export of a "use server" file is a public endpoint: only actions live here.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { defineAction } from "@/lib/actions/define-action";
import { SHARE_LEVELS } from "@/lib/auth/permissions";
import { getProfileSharing, removeProfileShare, setProfileShare } from "@/lib/profile-operations/sharing";

const profileId = z.string().min(1).max(64);
const grantee = z.union([z.literal("*"), z.string().min(1).max(64)]);

export const getProfileSharingAction = defineAction(
  "getProfileSharing",
  z.object({ profileId }),
  async ({ profileId }, { user }) => getProfileSharing(profileId, user),
);

export const setProfileShareAction = defineAction(
  "setProfileShare",
  z.object({ profileId, grantee, level: z.enum(SHARE_LEVELS) }),
  async ({ profileId, grantee, level }, { user }) => {
    await setProfileShare(profileId, grantee, level, user);
    revalidatePath(`/profiles/${profileId}`);
    return getProfileSharing(profileId, user);
  },
);

export const removeProfileShareAction = defineAction(
  "removeProfileShare",
  z.object({ profileId, grantee }),
  async ({ profileId, grantee }, { user }) => {
    await removeProfileShare(profileId, grantee, user);
    revalidatePath(`/profiles/${profileId}`);
    return getProfileSharing(profileId, user);
  },
);
