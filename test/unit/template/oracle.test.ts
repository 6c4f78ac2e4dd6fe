import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { TemplateError } from "../../../src/template/errors.js";
import { renderGoTemplate } from "../../../src/template/render.js";
import { TemplateSet } from "../../../src/template/set.js";
import type { GoValue } from "../../../src/template/values.js";
import { oracleCases } from "./oracle-cases.js";
import { fuzzCases } from "./oracle-fuzz.js";
import type { OracleCase } from "./oracle-cases.js";

interface GoResult {
  output?: string;
  error?: string;
  phase?: "parse" | "exec";
}

const cases = [...oracleCases(), ...fuzzCases(20261123, 1500)];

/** Build test/go-oracle once and run every case through Go's text/template in one batch. */
function runGo(): GoResult[] {
  const src = fileURLToPath(new URL("../../go-oracle/main.go", import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), "capstan-go-oracle-"));
  const bin = join(dir, "go-oracle");
  // A CI user may lack HOME; go then needs to be told where its cache and path may live.
  const env = { ...process.env };
  if (env["HOME"] === undefined) {
    env["GOCACHE"] ??= join(tmpdir(), "capstan-go-build-cache");
    env["GOPATH"] ??= join(tmpdir(), "capstan-go-path");
  }
  try {
    try {
      execFileSync("go", ["build", "-o", bin, src], { stdio: ["ignore", "pipe", "pipe"], cwd: tmpdir(), env });
    } catch (e) {
      const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
      if (err.code === "ENOENT") {
        throw new Error("the Go toolchain is needed for the differential template tests: install golang-go (go not found on PATH)");
      }
      throw new Error(`building test/go-oracle failed: ${err.stderr?.toString() ?? String(e)}`);
    }
    const input = JSON.stringify(cases.map((c) => ({ ...c, name: c.name.endsWith(".yaml") ? c.name : "template" })));
    const out = execFileSync(bin, [], { input, maxBuffer: 64 * 1024 * 1024 });
    return JSON.parse(out.toString("utf8")) as GoResult[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let goResults: GoResult[] | undefined;
let goFailure: Error | undefined;
try {
  goResults = runGo();
} catch (e) {
  goFailure = e as Error;
}

function ours(c: OracleCase): GoResult {
  try {
    if (c.files !== undefined) {
      const set = new TemplateSet({ funcs: "go" });
      for (const f of c.files) set.parse(f.name, f.template);
      return { output: set.execute(c.execute as string, c.data as GoValue) };
    }
    return { output: renderGoTemplate(c.template, c.data as GoValue, c.name.endsWith(".yaml") ? c.name : undefined) };
  } catch (e) {
    if (e instanceof TemplateError) {
      return { error: e.message, phase: e.code === "TEMPLATE_PARSE_FAILED" ? "parse" : "exec" };
    }
    throw e;
  }
}

describe("templates behave as Go's text/template (differential against the Go toolchain)", () => {
  it("the Go oracle runs", () => {
    if (goFailure) throw goFailure;
    expect(goResults).toHaveLength(cases.length);
  });

  cases.forEach((c, i) => {
    it(`${c.name}: same output or error as Go`, () => {
      if (goFailure) throw goFailure;
      const want = (goResults as GoResult[])[i] as GoResult;
      const got = ours(c);
      expect(got).toEqual(want);
    });
  });
});
