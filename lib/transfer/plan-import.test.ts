import { describe, expect, it } from "vitest";
import { newProfileInput } from "@/lib/profiles/defaults";
import type { ParsedDocument } from "@/lib/transfer/parse-import";
import { planImport, resolveDecisions, type ImportTargets } from "@/lib/transfer/plan-import";

function parsed(names: string[], extra: Partial<ParsedDocument> = {}): ParsedDocument[] {
  return names.map((name, index) => ({
    index,
    path: `$[${index}]`,
    name,
    input: { ...newProfileInput(), name },
    missingSecrets: [],
    notes: [],
    ...extra,
  }));
}

const targets: ImportTargets = {
  profiles: [
    { id: "p1", name: "Alpha", version: 3 },
    { id: "p2", name: "Beta", version: 1 },
  ],
  certificates: [{ id: "c1", name: "Connector", sha1Hex: "AB".repeat(20) }],
};

describe("planImport", () => {
  it("finds clashes without regard to case and Unicode form, and duplicates within the file", () => {
    const plan = planImport(parsed(["ALPHA", "Gamma", "gamma", "Ǆ", "ǅ"]), {
      ...targets,
      profiles: [...targets.profiles, { id: "p3", name: "ǆ", version: 1 }],
    });
    expect(plan.items.map((i) => [i.name, i.clash?.id ?? null, i.sameNameAs, i.needsDecision])).toEqual([
      ["ALPHA", "p1", null, true],
      ["Gamma", null, null, false],
      ["gamma", null, 1, true],
      ["Ǆ", "p3", null, true],
      ["ǅ", "p3", 3, true],
    ]);
    expect(plan.decisionsNeeded).toBe(4);
  });

  it("plans inline certificates: reuse by thumbprint, store with a key, keep in the profile without one", () => {
    const certificate = {
      certificatePem: "pem",
      sha1Hex: "AB".repeat(20),
      subject: "CN=x",
      notAfter: "2099-01-01T00:00:00.000Z",
      expiryStatus: "valid" as const,
    };
    const [reuse] = parsed(["A"], { certificate: { ...certificate, privateKeyPem: null }, missingSecrets: ["private_key"] });
    const [store] = parsed(["B"], { certificate: { ...certificate, sha1Hex: "CD".repeat(20), privateKeyPem: "key" } });
    const [keep] = parsed(["C"], {
      certificate: { ...certificate, sha1Hex: "CD".repeat(20), privateKeyPem: null },
      missingSecrets: ["private_key"],
    });
    const [expired] = parsed(["D"], {
      certificate: { ...certificate, sha1Hex: "EF".repeat(20), privateKeyPem: "key", expiryStatus: "expired" },
    });
    const plan = planImport(
      [reuse!, store!, keep!, expired!].map((d, index) => ({ ...d, index, path: `$[${index}]` })),
      targets,
    );
    expect(plan.items.map((i) => [i.certificate?.action, i.missingSecrets, i.problems.length])).toEqual([
      ["reuse", [], 0],
      ["store", [], 0],
      ["keep_in_profile", ["private_key"], 0],
      ["store", [], 1],
    ]);
    expect(plan.items[3]!.problems[0]).toMatchObject({
      path: "$[3].authentication.certificate.certificatePem",
      code: "certificate",
      message: expect.stringMatching(/expired on 2099-01-01/),
    });
    expect(plan.blocked).toBe(1);
  });

  it("resolves a {ref} by id or by name", () => {
    const withRef = (ref: string) => {
      const [doc] = parsed(["R"]);
      doc!.input.authentication.method = "client_certificate";
      doc!.input.authentication.certificate.certificateId = ref;
      return doc!;
    };
    expect(planImport([withRef("c1")], targets).items[0]!.certificate).toEqual({
      action: "reference",
      certificate: { id: "c1", name: "Connector" },
    });
    expect(planImport([withRef("connector")], targets).items[0]!.certificate).toEqual({
      action: "reference",
      certificate: { id: "c1", name: "Connector" },
    });
    expect(planImport([withRef("missing")], targets).items[0]!.problems).toEqual([
      expect.objectContaining({ path: "$[0].authentication.certificate.ref" }),
    ]);
  });
});

describe("resolveDecisions", () => {
  const plan = planImport(parsed(["Alpha", "Gamma", "Delta"]), targets);

  it("creates what does not clash and requires a decision for what does", () => {
    expect(resolveDecisions(plan, [], targets)).toEqual({
      ok: false,
      errors: [expect.objectContaining({ path: "$[0].name", code: "name_clash" })],
    });
    expect(resolveDecisions(plan, [{ index: 0, action: "replace", expectedVersion: 3 }], targets)).toEqual({
      ok: true,
      steps: [
        { index: 0, action: "replace", name: "Alpha", target: targets.profiles[0], expectedVersion: 3 },
        { index: 1, action: "create", name: "Gamma" },
        { index: 2, action: "create", name: "Delta" },
      ],
    });
  });

  it("refuses renames onto taken names, onto each other, and unknown or repeated decisions", () => {
    const result = resolveDecisions(
      plan,
      [
        { index: 0, action: "rename", name: "Gamma" },
        { index: 2, action: "rename", name: "beta" },
        { index: 7, action: "skip" },
        { index: 2, action: "skip" },
      ],
      targets,
    );
    expect(result).toEqual({
      ok: false,
      errors: [
        expect.objectContaining({ path: "$[7]", code: "decision" }),
        expect.objectContaining({ path: "$[2]", code: "decision", message: "Two decisions for the same document" }),
        expect.objectContaining({
          path: "$[1].name",
          code: "name_clash",
          message: expect.stringMatching(/Document 1 of this file is also named "Gamma"/),
        }),
        expect.objectContaining({
          path: "$[2].name",
          code: "name_clash",
          message: expect.stringMatching(/"Beta" already exists/),
        }),
      ],
    });
  });

  it("skips anything, even a document with problems", () => {
    const blocked = planImport(parsed(["X"]), targets);
    blocked.items[0]!.problems.push({ path: "$[0]", code: "certificate", message: "bad" });
    expect(resolveDecisions(blocked, [], targets)).toMatchObject({ ok: false, errors: [{ message: "bad" }] });
    expect(resolveDecisions(blocked, [{ index: 0, action: "skip" }], targets)).toEqual({
      ok: true,
      steps: [{ index: 0, action: "skip" }],
    });
  });
});
