import { describe, expect, it } from "vitest";
import {
  PROFILE_ACTIONS,
  ROLES,
  SHARE_LEVELS,
  canOnProfile,
  effectiveLevel,
  roleAbilities,
  type ProfileAction,
  type Role,
  type ShareLevel,
} from "@/lib/auth/permissions";

const ME = "user-1";
const OTHER = "user-2";
const actions = Object.keys(PROFILE_ACTIONS) as ProfileAction[];

/**
 * The whole table: role × how the profile reaches the user × action. Expected values are written out
 * independently of the implementation's rank arithmetic.
 */
const allowedByLevel: Record<ShareLevel, ProfileAction[]> = {
  use: ["view", "test", "history", "export", "duplicate"],
  edit: ["view", "test", "history", "export", "duplicate", "edit", "restore"],
  manage: actions,
};

type Reach = "owner" | "none" | `${ShareLevel}-direct` | `${ShareLevel}-everyone`;
const reaches: Reach[] = ["owner", "none", ...SHARE_LEVELS.flatMap((l) => [`${l}-direct`, `${l}-everyone`] as Reach[])];

function factsFor(reach: Reach) {
  if (reach === "owner") return { ownerId: ME, shares: [] };
  if (reach === "none") return { ownerId: OTHER, shares: [{ granteeKey: OTHER, level: "manage" as ShareLevel }] };
  const [level, how] = reach.split("-") as [ShareLevel, "direct" | "everyone"];
  return { ownerId: OTHER, shares: [{ granteeKey: how === "direct" ? ME : "*", level }] };
}

function expected(role: Role, reach: Reach, action: ProfileAction): boolean {
  if (action === "duplicate" && role === "viewer") return false;
  if (role === "owner" || role === "admin" || reach === "owner") return true;
  if (reach === "none") return false;
  const level = reach.split("-")[0] as ShareLevel;
  return allowedByLevel[level].includes(action);
}

describe("permission table", () => {
  for (const role of ROLES) {
    for (const reach of reaches) {
      it(`${role}, profile ${reach}`, () => {
        for (const action of actions) {
          expect(canOnProfile({ id: ME, role }, factsFor(reach), action), `${role}/${reach}/${action}`).toBe(
            expected(role, reach, action),
          );
        }
      });
    }
  }

  it("takes the best of a direct share and a share with everyone", () => {
    const facts = {
      ownerId: OTHER,
      shares: [
        { granteeKey: "*", level: "edit" as ShareLevel },
        { granteeKey: ME, level: "use" as ShareLevel },
      ],
    };
    expect(effectiveLevel({ id: ME, role: "viewer" }, facts)).toBe("edit");
    expect(effectiveLevel({ id: "someone-else", role: "editor" }, facts)).toBe("edit");
    expect(
      effectiveLevel({ id: "someone-else", role: "editor" }, { ownerId: OTHER, shares: [{ granteeKey: ME, level: "manage" }] }),
    ).toBeNull();
  });

  it("console abilities by role", () => {
    const table = Object.fromEntries(
      ROLES.map((role) => [
        role,
        Object.entries(roleAbilities)
          .filter(([, can]) => can(role))
          .map(([name]) => name),
      ]),
    );
    expect(table).toEqual({
      owner: ["createProfile", "manageUsers", "viewAudit", "useCertificates", "exportPrivateKey", "importProfiles"],
      admin: ["createProfile", "manageUsers", "viewAudit", "useCertificates", "exportPrivateKey", "importProfiles"],
      editor: ["createProfile", "useCertificates", "importProfiles"],
      viewer: [],
    });
  });
});
