import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { handleWebhook, repoURLsOf } from "../../../src/triggers/webhook.js";
import type { WebhookOptions } from "../../../src/triggers/webhook.js";
import { matchRepos } from "../../../src/triggers/repo-url.js";

const secrets = { github: "gh-secret", gitlab: "gl-token", gitea: "gt-secret", generic: "gen-secret" };
const options: WebhookOptions = { secrets };
const hmac = (secret: string, body: string) => createHmac("sha256", secret).update(body).digest("hex");
const sha = "9fceb02d0ae598e95dc970b74767f19372d61af8";

const githubPush = JSON.stringify({
  ref: "refs/heads/main",
  before: "0".repeat(40),
  after: sha,
  repository: {
    full_name: "Acme/deploy",
    html_url: "https://github.com/Acme/deploy",
    clone_url: "https://github.com/Acme/deploy.git",
    ssh_url: "git@github.com:Acme/deploy.git",
    git_url: "git://github.com/Acme/deploy.git",
  },
});

const gitlabPush = JSON.stringify({
  object_kind: "push",
  ref: "refs/heads/main",
  after: sha,
  project: { git_http_url: "https://gitlab.example.com/acme/deploy.git", git_ssh_url: "ssh://git@gitlab.example.com:2222/acme/deploy.git", web_url: "https://gitlab.example.com/acme/deploy" },
  repository: { url: "git@gitlab.example.com:acme/deploy.git", homepage: "https://gitlab.example.com/acme/deploy" },
});

const giteaPush = JSON.stringify({
  ref: "refs/heads/main",
  after: sha,
  repository: { clone_url: "https://gitea.example.com/acme/deploy.git", ssh_url: "gitea@gitea.example.com:acme/deploy.git", html_url: "https://gitea.example.com/acme/deploy" },
});

describe("webhook verification", () => {
  it("accepts a GitHub push signed with the configured secret and names the repository, ref and new head", () => {
    const res = handleWebhook({ headers: { "x-github-event": "push", "x-hub-signature-256": `sha256=${hmac("gh-secret", githubPush)}` }, body: githubPush }, options);
    expect(res).toEqual({
      status: 202,
      provider: "github",
      event: "push",
      ref: "refs/heads/main",
      after: sha,
      repos: ["https://github.com/Acme/deploy.git", "git@github.com:Acme/deploy.git", "git://github.com/Acme/deploy.git", "https://github.com/Acme/deploy"],
    });
  });

  it("accepts a GitLab push whose token matches, in any header case", () => {
    const res = handleWebhook({ headers: { "X-Gitlab-Event": "Push Hook", "X-Gitlab-Token": "gl-token" }, body: gitlabPush }, options);
    expect(res).toMatchObject({ status: 202, provider: "gitlab", ref: "refs/heads/main", after: sha });
    expect(res.status === 202 && res.repos).toContain("ssh://git@gitlab.example.com:2222/acme/deploy.git");
  });

  it("accepts a Gitea push signed in hex even though Gitea also sends GitHub's event header", () => {
    const res = handleWebhook(
      { headers: { "x-gitea-event": "push", "x-github-event": "push", "x-gitea-signature": hmac("gt-secret", giteaPush) }, body: Buffer.from(giteaPush) },
      options,
    );
    expect(res).toMatchObject({ status: 202, provider: "gitea", after: sha });
  });

  it("accepts the generic form signed with X-Capstan-Signature", () => {
    const body = JSON.stringify({ repo: "https://git.example.com/acme/deploy", ref: "refs/heads/main", after: sha });
    const res = handleWebhook({ headers: { "x-capstan-signature": `sha256=${hmac("gen-secret", body)}` }, body }, options);
    expect(res).toEqual({ status: 202, provider: "generic", event: "push", repos: ["https://git.example.com/acme/deploy"], ref: "refs/heads/main", after: sha });
  });

  it("refuses an unsigned GitHub push", () => {
    const res = handleWebhook({ headers: { "x-github-event": "push" }, body: githubPush }, options);
    expect(res).toMatchObject({ status: 401, code: "WEBHOOK_UNSIGNED", message: expect.stringContaining("X-Hub-Signature-256") });
  });

  it("refuses a push signed with another secret", () => {
    const res = handleWebhook({ headers: { "x-github-event": "push", "x-hub-signature-256": `sha256=${hmac("wrong", githubPush)}` }, body: githubPush }, options);
    expect(res).toMatchObject({ status: 401, code: "WEBHOOK_SIGNATURE_MISMATCH" });
  });

  it("refuses a signature whose body was changed after signing", () => {
    const tampered = githubPush.replace("refs/heads/main", "refs/heads/evil");
    const res = handleWebhook({ headers: { "x-github-event": "push", "x-hub-signature-256": `sha256=${hmac("gh-secret", githubPush)}` }, body: tampered }, options);
    expect(res).toMatchObject({ status: 401, code: "WEBHOOK_SIGNATURE_MISMATCH" });
  });

  it("refuses a truncated signature, and one without its sha256= prefix", () => {
    const sig = hmac("gh-secret", githubPush);
    for (const value of [`sha256=${sig.slice(0, 40)}`, sig, `sha1=${sig}`, "sha256="]) {
      const res = handleWebhook({ headers: { "x-github-event": "push", "x-hub-signature-256": value }, body: githubPush }, options);
      expect(res).toMatchObject({ status: 401, code: "WEBHOOK_SIGNATURE_MALFORMED" });
    }
  });

  it("refuses a GitLab token that differs, including one that is only a prefix of the right one", () => {
    for (const token of ["gl-toke", "gl-token2", "GL-TOKEN"]) {
      const res = handleWebhook({ headers: { "x-gitlab-event": "Push Hook", "x-gitlab-token": token }, body: gitlabPush }, options);
      expect(res).toMatchObject({ status: 401, code: "WEBHOOK_SIGNATURE_MISMATCH" });
    }
    expect(handleWebhook({ headers: { "x-gitlab-event": "Push Hook" }, body: gitlabPush }, options)).toMatchObject({ status: 401, code: "WEBHOOK_UNSIGNED" });
  });

  it("refuses every webhook of a provider that has no secret configured", () => {
    const res = handleWebhook({ headers: { "x-github-event": "push", "x-hub-signature-256": `sha256=${hmac("", githubPush)}` }, body: githubPush }, { secrets: {} });
    expect(res).toMatchObject({ status: 401, code: "WEBHOOK_SECRET_NOT_SET", message: expect.stringContaining("webhook.secrets.github") });
  });

  it("refuses an oversized body with 413 before looking at its signature or JSON", () => {
    const big = `{"pad":"${"x".repeat(1024 * 1024)}"}`;
    const res = handleWebhook({ headers: { "x-github-event": "push" }, body: big }, options);
    expect(res).toMatchObject({ status: 413, code: "WEBHOOK_PAYLOAD_TOO_LARGE" });
    const small = handleWebhook({ headers: { "x-github-event": "push", "x-hub-signature-256": `sha256=${hmac("gh-secret", githubPush)}` }, body: githubPush }, { ...options, maxBytes: 100 });
    expect(small).toMatchObject({ status: 413, message: expect.stringContaining("limit of 100 bytes") });
  });

  it("answers 400 for a correctly signed body that is not JSON", () => {
    const body = '{"ref": "refs/heads/main", ';
    const res = handleWebhook({ headers: { "x-github-event": "push", "x-hub-signature-256": `sha256=${hmac("gh-secret", body)}` }, body }, options);
    expect(res).toMatchObject({ status: 400, code: "WEBHOOK_MALFORMED_JSON" });
  });

  it("answers 204 to a signed ping and to events that are not pushes", () => {
    const ping = JSON.stringify({ zen: "Keep it logically awesome.", hook_id: 1 });
    expect(handleWebhook({ headers: { "x-github-event": "ping", "x-hub-signature-256": `sha256=${hmac("gh-secret", ping)}` }, body: ping }, options)).toMatchObject({ status: 204, reason: "ping" });
    const issue = JSON.stringify({ action: "opened" });
    expect(handleWebhook({ headers: { "x-github-event": "issues", "x-hub-signature-256": `sha256=${hmac("gh-secret", issue)}` }, body: issue }, options)).toMatchObject({ status: 204, event: "issues" });
    // A ping still has to be signed.
    expect(handleWebhook({ headers: { "x-github-event": "ping" }, body: ping }, options)).toMatchObject({ status: 401 });
  });

  it("answers 400 when no header says which host sent it, and when a push names no repository", () => {
    expect(handleWebhook({ headers: {}, body: githubPush }, options)).toMatchObject({ status: 400, code: "WEBHOOK_UNKNOWN_SENDER" });
    const body = JSON.stringify({ ref: "refs/heads/main" });
    expect(handleWebhook({ headers: { "x-github-event": "push", "x-hub-signature-256": `sha256=${hmac("gh-secret", body)}` }, body }, options)).toMatchObject({ status: 400, code: "WEBHOOK_NO_REPOSITORY" });
  });
});

describe("repository matching", () => {
  it("matches a configured repository in https, ssh and scp forms to the URLs a push names", () => {
    const configured = [
      "https://github.com/Acme/deploy",
      "git@GitHub.com:Acme/deploy.git",
      "ssh://git@github.com/Acme/deploy.git/",
      "https://deploy-bot@github.com/Acme/deploy/",
      "https://github.com/Acme/other",
      "https://gitlab.example.com/acme/deploy",
    ];
    const pushed = repoURLsOf(JSON.parse(githubPush));
    expect(matchRepos(configured, pushed)).toEqual(configured.slice(0, 4));
  });

  it("matches GitLab's ssh URL on another port to the https one", () => {
    const pushed = repoURLsOf(JSON.parse(gitlabPush));
    expect(matchRepos(["https://gitlab.example.com/acme/deploy.git", "gitlab.example.com:acme/deploy"], pushed)).toHaveLength(2);
    expect(matchRepos(["https://gitlab.example.com/acme/deploy-old"], pushed)).toEqual([]);
  });

  it("matches local repositories by absolute path, with or without file://", () => {
    expect(matchRepos(["/srv/git/deploy", "/srv/git/other"], ["file:///srv/git/deploy.git/"])).toEqual(["/srv/git/deploy"]);
  });
});
