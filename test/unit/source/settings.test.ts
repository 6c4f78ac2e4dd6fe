import { describe, expect, it } from "vitest";
import { CapstanError } from "../../../src/errors.js";
import { gitSourceOptions } from "../../../src/source/settings.js";

describe("git settings from the configuration", () => {
  it("reads http permission, timeout, token and SSH key, with CAPSTAN_GIT_TOKEN taking precedence", () => {
    const options = gitSourceOptions(
      { git: { allowInsecureHttp: true, timeoutSeconds: 5, token: "from-file", sshKeyPath: "~/.ssh/deploy" } },
      { stateDir: "/state", env: { HOME: "/home/me", CAPSTAN_GIT_TOKEN: "from-env" } },
    );
    expect(options).toMatchObject({
      stateDir: "/state",
      allowInsecureHttp: true,
      timeoutMs: 5000,
      credentials: { token: "from-env", sshKeyPath: "/home/me/.ssh/deploy" },
    });
    expect(gitSourceOptions({}, { stateDir: "/s", env: {} }).credentials).toEqual({});
  });

  it("reports unknown or mistyped git settings by field", () => {
    let err: unknown;
    try {
      gitSourceOptions({ git: { allowInsecureHTTP: true, timeoutSeconds: "5" } }, { stateDir: "/s", env: {} });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CapstanError);
    expect((err as CapstanError).code).toBe("CONFIG_INVALID");
    expect((err as CapstanError).problems.map((p) => p.field)).toEqual(["git.timeoutSeconds", "git"]);
  });
});
