import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ASKPASS_SCRIPT } from "../../../src/source/askpass.js";
import { credentialFor, isSameRepository, isUnderPrefix, promptOrigin, repoLocation } from "../../../src/source/credentials.js";
import type { RepoCredential } from "../../../src/source/credentials.js";

const token = (url: string, from = url): RepoCredential => ({ url, password: { value: "t" }, from });
const key = (url: string, from = url): RepoCredential => ({ url, sshKeyPath: "/keys/id", from });

describe("credential URL prefixes", () => {
  it("match only at a path boundary", () => {
    expect(isUnderPrefix("https://h/team/app.git", "https://h/team")).toBe(true);
    expect(isUnderPrefix("https://h/team/app.git", "https://h/team/")).toBe(true);
    expect(isUnderPrefix("https://h/team/sub/app.git", "https://h/team/")).toBe(true);
    expect(isUnderPrefix("https://h/team-evil/x.git", "https://h/team")).toBe(false);
    expect(isUnderPrefix("https://h/teamx.git", "https://h/team")).toBe(false);
    expect(isUnderPrefix("https://h/tea", "https://h/team/")).toBe(false);
    expect(isUnderPrefix("https://h/anything.git", "https://h")).toBe(true);
    expect(isUnderPrefix("https://h/anything.git", "https://h/")).toBe(true);
  });

  it("let a prefix naming the repository match it with or without .git, and nothing beside it", () => {
    expect(isUnderPrefix("https://h/team/app.git", "https://h/team/app")).toBe(true);
    expect(isUnderPrefix("https://h/team/app", "https://h/team/app.git")).toBe(true);
    expect(isUnderPrefix("https://h/team/app-evil.git", "https://h/team/app")).toBe(false);
    expect(isUnderPrefix("https://h/team/app.gitx", "https://h/team/app")).toBe(false);
  });

  it("compare scheme and host case-insensitively and the path exactly", () => {
    expect(isUnderPrefix("HTTPS://Git.Example.COM/team/app.git", "https://git.example.com/team/")).toBe(true);
    expect(isUnderPrefix("https://git.example.com/Team/app.git", "https://git.example.com/team/")).toBe(false);
  });

  it("need the same scheme and port, default ports aside", () => {
    expect(isUnderPrefix("http://h/team/app.git", "https://h/team/")).toBe(false);
    expect(isUnderPrefix("https://h:443/team/app.git", "https://h/team/")).toBe(true);
    expect(isUnderPrefix("https://h:8443/team/app.git", "https://h/team/")).toBe(false);
    expect(isUnderPrefix("https://h/team/app.git", "https://h:8443/team/")).toBe(false);
    expect(isUnderPrefix("https://h.evil/team/app.git", "https://h/team/")).toBe(false);
  });

  it("ignore userinfo on either side, and are not fooled by a host in it", () => {
    expect(isUnderPrefix("https://bot:secret@h/team/app.git", "https://h/team/")).toBe(true);
    expect(isUnderPrefix("https://h/team/app.git", "https://someone@h/team/")).toBe(true);
    expect(isUnderPrefix("https://h@evil.example/team/app.git", "https://h/team/")).toBe(false);
    expect(isUnderPrefix("https://h/team@evil.example/app.git", "https://h/team/")).toBe(false);
  });

  it("match nothing when the path could be read another way", () => {
    for (const url of [
      "https://h/team/../other/app.git",
      "https://h/team/%2e%2e/other/app.git",
      "https://h/team/./app.git",
      "https://h/team%2fx/app.git",
      "https://h/team//app.git",
      "https://h/team\\..\\other/app.git",
      "https://evil\\@h/team/app.git",
      "https://a@b@h/team/app.git",
      "https://h/team/app.git?x=1",
      "https://h/team/app.git#frag",
      "https://h/team/app git",
    ]) {
      expect(isUnderPrefix(url, "https://h/team/"), url).toBe(false);
    }
    expect(repoLocation("https://h/t%65am/app.git")?.segments).toEqual(["team", "app.git"]);
  });

  it("read scp-style and ssh:// URLs as one location", () => {
    expect(repoLocation("git@Git.Example.com:team/app.git")).toEqual({ scheme: "ssh", host: "git.example.com", segments: ["team", "app.git"] });
    expect(repoLocation("ssh://git@git.example.com:22/team/app.git")).toEqual(repoLocation("git@git.example.com:team/app.git"));
    expect(repoLocation("git+ssh://git.example.com:2222/team/app.git")?.host).toBe("git.example.com:2222");
    expect(isUnderPrefix("git@git.example.com:team/app.git", "ssh://git.example.com/team/")).toBe(true);
    expect(isUnderPrefix("git@git.example.com:team-evil/app.git", "git@git.example.com:team")).toBe(false);
  });
});

describe("choosing a credential", () => {
  it("gives nothing to a URL under no prefix", () => {
    expect(credentialFor("http://attacker.example/x.git", [token("https://git.example.com/")])).toBeUndefined();
    expect(credentialFor("https://git.example.com.attacker.example/x.git", [token("https://git.example.com/")])).toBeUndefined();
  });

  it("lets the longest matching prefix win, whatever the order", () => {
    const creds = [token("https://h/", "host"), token("https://h/team/app.git", "repo"), token("https://h/team/", "team")];
    expect(credentialFor("https://h/team/app.git", creds)?.from).toBe("repo");
    expect(credentialFor("https://h/team/web.git", creds)?.from).toBe("team");
    expect(credentialFor("https://h/ops/web.git", creds)?.from).toBe("host");
    expect(credentialFor("https://h/team/web.git", [token("https://h/team", "first"), token("https://h/team/", "second")])?.from).toBe("first");
  });

  it("lets a credential for exactly the repository win over any prefix", () => {
    const creds = [token("https://h/team/", "team"), { ...token("https://h/team/app", "exact"), exact: true }];
    expect(credentialFor("https://h/team/app.git/", creds)?.from).toBe("exact");
    expect(credentialFor("https://h/team/app/sub.git", creds)?.from).toBe("team");
  });

  it("gives ssh keys to ssh and scp-style URLs only, and passwords to http(s) only", () => {
    const creds = [key("ssh://git.example.com/", "key"), token("https://git.example.com/", "password")];
    expect(credentialFor("git@git.example.com:team/app.git", creds)?.from).toBe("key");
    expect(credentialFor("ssh://git@git.example.com/team/app.git", creds)?.from).toBe("key");
    expect(credentialFor("https://git.example.com/team/app.git", creds)?.from).toBe("password");
    expect(credentialFor("git://git.example.com/team/app.git", creds)).toBeUndefined();
    // A key configured under an https prefix goes nowhere, a password under an ssh prefix neither.
    expect(credentialFor("https://git.example.com/x.git", [key("https://git.example.com/")])).toBeUndefined();
    expect(credentialFor("git@git.example.com:x.git", [token("git@git.example.com:")])).toBeUndefined();
  });
});

describe("own repositories", () => {
  it("are the same repository with or without userinfo, a trailing / or .git", () => {
    expect(isSameRepository("https://bot:x@H/acme/deploy.git/", "https://h/acme/deploy")).toBe(true);
    expect(isSameRepository("https://h/acme/deploy.git", "https://h/acme/deploy/sub")).toBe(false);
    expect(isSameRepository("https://h/acme/deploy", "https://h/acme")).toBe(false);
    expect(isSameRepository("https://h/acme/deploy", "http://h/acme/deploy")).toBe(false);
    expect(isSameRepository("./repo", "./repo")).toBe(false);
  });
});

describe("the askpass program", () => {
  const dir = mkdtempSync(join(tmpdir(), "capstan-askpass-"));
  const script = join(dir, "askpass.sh");
  writeFileSync(script, ASKPASS_SCRIPT, { mode: 0o700 });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function ask(prompt: string, origin: string | undefined): { out: string; ok: boolean } {
    const env: Record<string, string> = { PATH: process.env.PATH ?? "/usr/bin:/bin", CAPSTAN_GIT_USERNAME: "deploy", CAPSTAN_GIT_PASSWORD: "pa$$ 'word'" };
    if (origin !== undefined) env.CAPSTAN_GIT_ORIGIN = origin;
    try {
      return { out: execFileSync(script, [prompt], { env, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }), ok: true };
    } catch (err) {
      return { out: String((err as { stdout?: string }).stdout ?? ""), ok: false };
    }
  }

  it("answers git's prompts for the origin the credentials were chosen for", () => {
    expect(ask("Username for 'http://127.0.0.1:8080': ", "http://127.0.0.1:8080")).toEqual({ out: "deploy\n", ok: true });
    expect(ask("Password for 'http://deploy@127.0.0.1:8080': ", "http://127.0.0.1:8080")).toEqual({ out: "pa$$ 'word'\n", ok: true });
    expect(ask("Password for 'https://me@corp@Git.Example.com': ", "https://git.example.com")).toEqual({ out: "pa$$ 'word'\n", ok: true });
  });

  it("answers nothing, and fails, for any other origin or when given none", () => {
    expect(ask("Username for 'http://127.0.0.1:8081': ", "http://127.0.0.1:8080")).toEqual({ out: "", ok: false });
    expect(ask("Password for 'http://deploy@attacker.example': ", "http://127.0.0.1:8080")).toEqual({ out: "", ok: false });
    expect(ask("Username for 'https://127.0.0.1:8080': ", "http://127.0.0.1:8080")).toEqual({ out: "", ok: false });
    expect(ask("Username for 'http://127.0.0.1:8080.attacker.example': ", "http://127.0.0.1:8080")).toEqual({ out: "", ok: false });
    expect(ask("Username for 'http://127.0.0.1:8080': ", undefined)).toEqual({ out: "", ok: false });
    expect(ask("Are you sure you want to continue connecting (yes/no)? ", "http://127.0.0.1:8080")).toEqual({ out: "", ok: false });
  });

  it("is given the origin as git names it in its prompts", () => {
    expect(promptOrigin("https://git.example.com/team/app.git")).toBe("https://git.example.com");
    expect(promptOrigin("http://127.0.0.1:8080/team/app.git")).toBe("http://127.0.0.1:8080");
    expect(promptOrigin("https://bot@h:443/x")).toBe("https://h:443");
  });
});
