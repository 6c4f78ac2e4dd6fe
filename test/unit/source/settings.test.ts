import { describe, expect, it } from "vitest";
import { configSchema } from "../../../src/config/index.js";
import { credentialFor } from "../../../src/source/credentials.js";
import { createGitSource, credentialTable } from "../../../src/source/git.js";
import { gitSourceOptions } from "../../../src/source/settings.js";

const config = (raw: unknown) => configSchema.parse(raw);

describe("git settings from the configuration", () => {
  it("reads http permission and timeout from git:", () => {
    const options = gitSourceOptions(config({ git: { allowInsecureHttp: true, timeoutSeconds: 5 } }), { stateDir: "/state", env: {} });
    expect(options).toMatchObject({ stateDir: "/state", allowInsecureHttp: true, timeoutMs: 5000, credentials: [], ownRepos: [] });
    expect(gitSourceOptions(config({}), { stateDir: "/s", env: {} }).allowInsecureHttp).toBeUndefined();
  });

  it("turns credentials: into prefix credentials with their secrets named, paths made absolute", () => {
    const options = gitSourceOptions(
      config({
        credentials: [
          { url: "https://git.example.com/team/", username: "deploy", passwordFile: "secrets/team-token" },
          { url: "https://git.example.com/", passwordEnv: "EXAMPLE_TOKEN" },
          { url: "git@git.example.com:ops/", sshKeyPath: "~/.ssh/deploy" },
        ],
      }),
      { stateDir: "/state", cwd: "/work", env: { HOME: "/home/me" } },
    );
    expect(options.credentials).toEqual([
      { url: "https://git.example.com/team/", username: "deploy", password: { file: "/work/secrets/team-token" }, from: "credentials[0] (https://git.example.com/team/)" },
      { url: "https://git.example.com/", password: { env: "EXAMPLE_TOKEN" }, from: "credentials[1] (https://git.example.com/)" },
      { url: "git@git.example.com:ops/", sshKeyPath: "/home/me/.ssh/deploy", from: "credentials[2] (git@git.example.com:ops/)" },
    ]);
    const configDir = gitSourceOptions(config({ credentials: [{ url: "https://h/", passwordFile: "tok" }] }), { stateDir: "/s", cwd: "/work", configDir: "/etc/capstan", env: {} });
    expect(configDir.credentials?.[0]?.password).toEqual({ file: "/etc/capstan/tok" });
  });

  it("counts --repo and the daemon's repositories as the own repositories CAPSTAN_GIT_TOKEN goes to", () => {
    const fromRepositories = gitSourceOptions(config({ daemon: { repositories: [{ url: "https://h/a.git" }, { url: "https://h/b.git" }] } }), {
      stateDir: "/s",
      env: {},
      ownRepos: ["https://h/cli.git"],
    });
    expect(fromRepositories.ownRepos).toEqual(["https://h/cli.git", "https://h/a.git", "https://h/b.git"]);
    expect(gitSourceOptions(config({ daemon: { repo: "https://h/one.git" } }), { stateDir: "/s", env: {} }).ownRepos).toEqual(["https://h/one.git"]);
  });

  it("still builds a source from the options the daemon passes today", () => {
    expect(() => createGitSource({ stateDir: "/tmp/capstan-never-written", env: {} })).not.toThrow();
  });
});

describe("the credential table a source reads", () => {
  const prefix = { url: "https://h/team/", password: { env: "TEAM_TOKEN" }, from: "credentials[0]" };

  it("sends CAPSTAN_GIT_TOKEN to the own repositories only, under any prefix credential", () => {
    const table = credentialTable([prefix], ["https://h/team/deploy.git"], { CAPSTAN_GIT_TOKEN: "t" });
    expect(credentialFor("https://h/team/deploy", table)?.from).toBe("CAPSTAN_GIT_TOKEN");
    expect(credentialFor("https://h/team/app.git", table)?.from).toBe("credentials[0]");
    expect(credentialFor("https://h/other/app.git", table)).toBeUndefined();
    expect(credentialFor("https://h/team/deploy.git", credentialTable([], ["https://h/team/deploy.git"], {}))).toBeUndefined();
  });

  it("turns userinfo in an own repository into a credential for exactly that repository and keeps it out of the URL", () => {
    const table = credentialTable([prefix], ["https://bot:s3cret@h/team/deploy.git"], { CAPSTAN_GIT_TOKEN: "t" });
    const chosen = credentialFor("https://h/team/deploy.git", table);
    expect(chosen).toMatchObject({ url: "https://h/team/deploy.git", exact: true, username: "bot", password: { value: "s3cret" } });
    expect(chosen?.from).not.toContain("s3cret");
    expect(credentialFor("https://h/team/deploy.git/sub", table)?.from).toBe("credentials[0]");
  });
});
