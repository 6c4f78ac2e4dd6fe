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

  it("reports every problem with its line and field, in the order of the file", () => {
    expect(problemsOf("nodes:\n  - name: Node_1\n  - name: b\n    taints: [{key: x, effect: Sometimes}]\n    colour: red\n")).toEqual([
      expect.stringMatching(/^2:nodes\[0\]\.name:must be a DNS-1123 label/),
      expect.stringMatching(/^3:nodes\[1\]:Unrecognized key\(s\) in object: 'colour'/),
      expect.stringMatching(/^4:nodes\[1\]\.taints\[0\]\.effect:Invalid enum value/),
    ]);
  });

  it("reports duplicate node names and YAML syntax errors with lines", () => {
    expect(problemsOf("nodes:\n  - name: a\n  - name: a\n")).toEqual(["3:nodes[1].name:duplicate node name a"]);
    expect(problemsOf("nodes:\n  - name: a\n   bad: [\n")[0]).toMatch(/^3::/);
  });

  it("reads the daemon section with several repositories, defaulting each one's apps path", () => {
    const c = parseConfig(
      "daemon:\n  listen: 127.0.0.1:7421\n  concurrency: 2\n  syncTimeout: 5m\n  repositories:\n    - url: ./team-a\n    - url: https://git.example.com/b.git\n      appsPath: deploy/apps\n      poll: '*/10 * * * * *'\n",
      "capstan.yaml",
    );
    expect(c.daemon).toEqual({
      listen: "127.0.0.1:7421",
      concurrency: 2,
      syncTimeout: "5m",
      repositories: [
        { url: "./team-a", appsPath: "apps" },
        { url: "https://git.example.com/b.git", appsPath: "deploy/apps", poll: "*/10 * * * * *" },
      ],
    });
  });

  it("reports every problem of the daemon section with its line and field", () => {
    expect(
      problemsOf("daemon:\n  listen: localhost\n  concurrency: 0\n  syncTimeout: soon\n  repositories:\n    - appsPath: apps\n    - url: ./a\n      branch: main\n"),
    ).toEqual([
      expect.stringMatching(/^2:daemon\.listen:must be HOST:PORT/),
      expect.stringMatching(/^3:daemon\.concurrency:Number must be greater than or equal to 1/),
      expect.stringMatching(/^4:daemon\.syncTimeout:must be a duration/),
      expect.stringMatching(/^6:daemon\.repositories\[0\]\.url:Required/),
      expect.stringMatching(/^7:daemon\.repositories\[1\]:Unrecognized key\(s\) in object: 'branch'/),
    ]);
    expect(problemsOf("daemon:\n  repo: ./a\n  repositories:\n    - url: ./b\n    - url: ./b\n")).toEqual([
      "2:daemon.repo:give either daemon.repo or daemon.repositories, not both",
      "5:daemon.repositories[1].url:duplicate repository ./b",
    ]);
  });

  it("refuses unknown top-level keys, naming them", () => {
    expect(problemsOf("nodes: []\ndeamon: {}\n")).toEqual([expect.stringMatching(/^1::Unrecognized key\(s\) in object: 'deamon'/)]);
  });
});
