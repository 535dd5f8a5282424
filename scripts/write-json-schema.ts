// Regenerates public/mcf-profile.schema.json from the zod schema (a unit test checks they match).
import fs from "node:fs";
import { profileJsonSchema } from "../lib/profiles/document";

fs.writeFileSync("public/mcf-profile.schema.json", `${JSON.stringify(profileJsonSchema(), null, 2)}\n`);
console.log("wrote public/mcf-profile.schema.json");
