import { describe, expect, it } from "vitest";
import { configuredNodes, parseConfig } from "../../../src/config/index.js";
import { CapstanError } from "../../../src/errors.js";

function problemsOf(text: string): string[] {
  try {
    parseConfig(text, "capstan.yaml");
  } catch (err) {
    expect(err).toBeInstanceOf(CapstanError);
    return (err as CapstanError).problems.map((p) => `${p.line}:${p.field ?? ""}:${p.message}`);
  }
  throw new Error("expected the configuration to be refused");
}

describe("configuration file", () => {
  it("defaults to the local engine as the only node", () => {
    expect(configuredNodes(parseConfig("", "capstan.yaml")).map((n) => n.name)).toEqual(["local"]);
  });

  it("reads nodes with addresses, labels and taints", () => {
    const c = parseConfig(
      "nodes:\n  - name: node-1\n    address: unix:///var/run/docker.sock\n    labels: {zone: a}\n    taints: [{key: gpu, effect: NoSchedule}]\n",
      "capstan.yaml",
    );
    expect(c.nodes[0]).toMatchObject({ name: "node-1", labels: { zone: "a" }, taints: [{ key: "gpu", effect: "NoSchedule" }], proxyAddress: "127.0.0.1" });
  });

  it("reports every problem with its line and field", () => {
    expect(problemsOf("nodes:\n  - name: Node_1\n  - name: b\n    taints: [{key: x, effect: Sometimes}]\n    colour: red\n")).toEqual([
      expect.stringMatching(/^2:nodes\[0\]\.name:must be a DNS-1123 label/),
      expect.stringMatching(/^4:nodes\[1\]\.taints\[0\]\.effect:Invalid enum value/),
      expect.stringMatching(/^3:nodes\[1\]:Unrecognized key\(s\) in object: 'colour'/),
    ]);
  });

  it("reports duplicate node names and YAML syntax errors with lines", () => {
    expect(problemsOf("nodes:\n  - name: a\n  - name: a\n")).toEqual(["3:nodes[1].name:duplicate node name a"]);
    expect(problemsOf("nodes:\n  - name: a\n   bad: [\n")[0]).toMatch(/^3::/);
  });
});
