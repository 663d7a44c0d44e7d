import { describe, expect, it } from "vitest";
import { z } from "zod";
import { sampleData } from "../../framework/models/scripted/sample-data.ts";

const schema = (zod: z.ZodType) => z.toJSONSchema(zod);
const Issues = z.object({ issues: z.array(z.object({ file: z.string(), title: z.string(), severity: z.enum(["high", "low"]), detail: z.string() })) });
const Verdict = z.object({ passed: z.boolean(), issues: z.array(z.string()) });

describe("sampleData()", () => {
  it("lists one finding per file the run was shown, each naming its file", () => {
    expect(sampleData(schema(Issues), "Review the code", "value", { files: ["src/a.ts", "src/b.ts"] })).toEqual({
      issues: [
        { file: "src/a.ts", title: "Issue 1 in src/a.ts", severity: "high", detail: 'A scripted sample for "Review the code": a real model says here what is wrong in src/a.ts and where.' },
        { file: "src/b.ts", title: "Issue 2 in src/b.ts", severity: "high", detail: 'A scripted sample for "Review the code": a real model says here what is wrong in src/b.ts and where.' },
      ],
    });
  });

  it("lists no finding when no file was shown: there was nothing to review", () => {
    expect(sampleData(schema(Issues), "Review the code")).toEqual({ issues: [] });
  });

  it("keeps a verdict's issues empty, files or not, so a scripted verification passes", () => {
    expect(sampleData(schema(Verdict), "Is it right?", "value", { files: ["src/a.ts"] })).toEqual({ passed: true, issues: [] });
  });
});
