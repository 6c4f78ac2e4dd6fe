import { describe, expect, it } from "vitest";
import { CapstanError } from "../../../src/errors.js";
import { parseRepoURL, redactURL, splitUserinfo, stripUserinfo } from "../../../src/source/url.js";

function refusal(url: string, options = {}): CapstanError {
  try {
    parseRepoURL(url, options);
  } catch (err) {
    if (err instanceof CapstanError) return err;
    throw err;
  }
  throw new Error(`${url} was accepted`);
}

describe("repository URLs", () => {
  it("accepts https, ssh, scp-like, git://, file:// and local paths", () => {
    expect(parseRepoURL("https://github.com/acme/deploy.git").transport).toBe("https");
    expect(parseRepoURL("ssh://git@github.com/acme/deploy.git").transport).toBe("ssh");
    expect(parseRepoURL("git@github.com:acme/deploy.git").transport).toBe("ssh");
    expect(parseRepoURL("git://127.0.0.1:9418/deploy").transport).toBe("git");
    expect(parseRepoURL("file:///srv/git/deploy.git").transport).toBe("file");
    expect(parseRepoURL("./deploy", { cwd: "/home/me" })).toMatchObject({ transport: "file", url: "/home/me/deploy" });
    expect(parseRepoURL("/srv/deploy").url).toBe("/srv/deploy");
  });

  it("refuses the ext:: and fd:: remote helpers and any other transport:: form", () => {
    for (const url of ["ext::sh -c touch% /tmp/pwned", "ext::ssh", "fd::3", "custom+x::foo"]) {
      const err = refusal(url);
      expect(err.code).toBe("GIT_URL_REFUSED");
    }
    expect(refusal("fd::7").message).toContain("'fd::' remote-helper form can run arbitrary commands");
  });

  it("refuses values git would read as options", () => {
    expect(refusal("-uhttps://evil").message).toContain("starts with '-'");
    expect(refusal("--upload-pack=touch /tmp/x").message).toContain("starts with '-'");
    expect(refusal("https://host/repo.git--upload-pack=x").message).toContain("carries git options");
    expect(refusal("git@-oProxy:repo").message).toContain("host starts with '-'");
    expect(refusal("ssh://-oProxyCommand=x/repo").message).toContain("host starts with '-'");
  });

  it("refuses URLs with whitespace or control characters", () => {
    expect(refusal("https://host/a b").message).toContain("whitespace or control characters");
    expect(refusal("https://host/a\nb").code).toBe("GIT_URL_REFUSED");
  });

  it("refuses plain http unless allowInsecureHttp is configured", () => {
    const err = refusal("http://git.internal/deploy.git");
    expect(err.message).toContain("plain http is off (set allowInsecureHttp");
    expect(parseRepoURL("http://git.internal/deploy.git", { allowInsecureHttp: true }).transport).toBe("http");
  });

  it("refuses unknown schemes", () => {
    expect(refusal("ftp://host/repo").message).toContain("'ftp' scheme is not supported");
  });

  it("never shows credentials from a URL, nor hands them to git inside the URL", () => {
    const url = parseRepoURL("https://bot:s3cret@github.com/acme/deploy.git");
    expect(url.display).toBe("https://github.com/acme/deploy.git");
    expect(url.url).toBe("https://github.com/acme/deploy.git");
    expect(url.credentials).toEqual({ username: "bot", password: "s3cret" });
    expect(parseRepoURL("ssh://git:pw@github.com/acme/deploy.git")).toMatchObject({ url: "ssh://git@github.com/acme/deploy.git", display: "ssh://github.com/acme/deploy.git" });
    expect(refusal("ftp://bot:s3cret@host/x").message).not.toContain("s3cret");
    expect(redactURL("fatal: unable to access 'https://x:tok@h/r.git/'")).toBe("fatal: unable to access 'https://h/r.git/'");
    expect(redactURL("see https://x:p@ss@h/r.git and http://h/y")).toBe("see https://h/r.git and http://h/y");
  });

  it("refuses a backslash before the path, where URL parsers disagree about the host", () => {
    expect(refusal("https://evil.example\\@git.example.com/x.git").message).toContain("backslash");
  });
});

describe("userinfo in URLs", () => {
  it("is stripped from scheme URLs, up to the last @ before the path", () => {
    expect(stripUserinfo("https://bot:s3cret@h/acme/deploy.git")).toBe("https://h/acme/deploy.git");
    expect(stripUserinfo("https://bot:p@ss?w#rd@h:8443/x")).toBe("https://h:8443/x");
    expect(stripUserinfo("ssh://git@h/x.git")).toBe("ssh://h/x.git");
    expect(stripUserinfo("https://h/a@b")).toBe("https://h/a@b");
    expect(stripUserinfo("git@h:acme/x.git")).toBe("git@h:acme/x.git");
    expect(stripUserinfo("/srv/repo")).toBe("/srv/repo");
  });

  it("splits into the URL to keep and the credentials for exactly that repository", () => {
    expect(splitUserinfo("https://bot:s%40cret@h/acme/deploy.git")).toEqual({
      url: "https://h/acme/deploy.git",
      credentials: { username: "bot", password: "s@cret" },
    });
    expect(splitUserinfo("https://ghp_token@h/x.git")).toEqual({ url: "https://h/x.git", credentials: { username: "ghp_token", password: "" } });
    expect(splitUserinfo("https://h/x.git")).toEqual({ url: "https://h/x.git" });
    expect(splitUserinfo("ssh://git:pw@h/x.git")).toEqual({ url: "ssh://git@h/x.git" });
    expect(splitUserinfo("ssh://git@h/x.git")).toEqual({ url: "ssh://git@h/x.git" });
    expect(splitUserinfo("git://u:p@h/x.git")).toEqual({ url: "git://h/x.git" });
    expect(splitUserinfo("git@h:x.git")).toEqual({ url: "git@h:x.git" });
  });
});
