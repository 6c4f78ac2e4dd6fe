import { X509Certificate, createPrivateKey, createPublicKey, sign, verify } from "node:crypto";
import bcryptjs from "bcryptjs";
import { describe, expect, it } from "vitest";
import { Certificate } from "../../../../src/template/funcs/sprig/index.js";
import { funcs } from "./helpers.js";

const call = funcs();
const DAY_MS = 24 * 3600 * 1000;

describe("Sprig hash and password functions", () => {
  it("sha1sum, sha256sum, sha512sum give hex digests of UTF-8 bytes", () => {
    expect(call("sha1sum", "Hello world!")).toBe("d3486ae9136e7856bc42212385ea797094475802");
    expect(call("sha256sum", "Hello world!")).toBe("c0535e4be2b79ffd93291305436bf889314e4a3faec05ecffcbb7df31ad9e51a");
    expect(call("sha256sum", "")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect((call("sha512sum", "x") as string).length).toBe(128);
    expect(() => call("sha256sum", null)).toThrow(/expected string/);
  });

  it("adler32sum gives the checksum in decimal", () => {
    expect(call("adler32sum", "Hello world!")).toBe("487130206");
  });

  it("bcrypt and htpasswd produce verifiable $2a$ hashes", () => {
    const h = call("bcrypt", "secret") as string;
    expect(h).toMatch(/^\$2a\$10\$/);
    expect(bcryptjs.compareSync("secret", h)).toBe(true);
    const line = call("htpasswd", "admin", "secret") as string;
    const [user, hash] = line.split(/:(.*)/s);
    expect(user).toBe("admin");
    expect(bcryptjs.compareSync("secret", hash as string)).toBe(true);
    expect(call("htpasswd", "ad:min", "x")).toBe("invalid username: ad:min");
  });

  it("derivePassword follows the Master Password algorithm", () => {
    expect(call("derivePassword", 1n, "long", "password", "user", "example.com")).toBe("ZedaFaxcZaso9*");
    expect(call("derivePassword", 1n, "nope", "p", "u", "s")).toBe("cannot find password template nope");
  });

  it("uuidv4 and randBytes are random", () => {
    expect(call("uuidv4")).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Buffer.from(call("randBytes", 12n) as string, "base64").length).toBe(12);
  });

  it("encryptAES and decryptAES round-trip and keep empty text empty", () => {
    const enc = call("encryptAES", "secretkey", "plaintext ✓") as string;
    expect(Buffer.from(enc, "base64").length).toBe(32);
    expect(call("decryptAES", "secretkey", enc)).toBe("plaintext ✓");
    expect(call("encryptAES", "k", "")).toBe("");
    expect(call("decryptAES", "k", "")).toBe("");
    expect(() => call("decryptAES", "k", "AAAA")).toThrow(/out of range/);
  });
});

describe("Sprig key and certificate functions", () => {
  it("genPrivateKey writes PEM in the form Go does for each type", () => {
    const ec = call("genPrivateKey", "ecdsa") as string;
    expect(ec).toMatch(/^-----BEGIN EC PRIVATE KEY-----\n/);
    expect(createPrivateKey(ec).asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
    const ed = call("genPrivateKey", "ed25519") as string;
    expect(ed).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(createPrivateKey(ed).asymmetricKeyType).toBe("ed25519");
    const rsa = call("genPrivateKey", "rsa") as string;
    expect(rsa).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    expect(createPrivateKey(rsa).asymmetricKeyDetails?.modulusLength).toBe(4096);
    expect(call("genPrivateKey", "foo")).toBe("Unknown type foo");
  });

  it("genPrivateKey dsa writes OpenSSL's DSA key form", () => {
    const dsa = call("genPrivateKey", "dsa") as string;
    expect(dsa).toMatch(/^-----BEGIN DSA PRIVATE KEY-----\n/);
    const key = createPrivateKey(dsa);
    expect(key.asymmetricKeyType).toBe("dsa");
    // The public value y must match x: a signature checks out against the key's public half.
    const sig = sign("sha256", Buffer.from("data"), key);
    expect(verify("sha256", Buffer.from("data"), createPublicKey(key), sig)).toBe(true);
  });

  it("genCA makes a self-signed CA certificate with its key", () => {
    const before = Date.now();
    const ca = call("genCA", "my-ca", 365n) as Certificate;
    expect(ca).toBeInstanceOf(Certificate);
    expect(ca.goTypeName).toBe("sprig.certificate");
    expect(ca.Key).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    const x = new X509Certificate(ca.Cert);
    expect(x.subject).toBe("CN=my-ca");
    expect(x.issuer).toBe("CN=my-ca");
    expect(x.ca).toBe(true);
    expect(x.checkIssued(x)).toBe(true);
    expect(x.verify(x.publicKey)).toBe(true);
    expect(x.checkPrivateKey(createPrivateKey(ca.Key))).toBe(true);
    const from = Date.parse(x.validFrom);
    const to = Date.parse(x.validTo);
    expect(Math.abs(from - before)).toBeLessThan(5000);
    expect(Math.round((to - from) / DAY_MS)).toBe(365);
    expect(x.keyUsage ?? []).toEqual(expect.arrayContaining(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]));
    expect(x.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
  });

  it("genSignedCert issues a leaf certificate with SANs from the CA", () => {
    const ca = call("genCA", "my-ca", 365n) as Certificate;
    const leaf = call("genSignedCert", "web.default.svc", ["10.0.0.1", "::1"], ["web", "web.default.svc"], 30n, ca) as Certificate;
    const x = new X509Certificate(leaf.Cert);
    const caX = new X509Certificate(ca.Cert);
    expect(x.subject).toBe("CN=web.default.svc");
    expect(x.issuer).toBe("CN=my-ca");
    expect(x.ca).toBe(false);
    expect(x.checkIssued(caX)).toBe(true);
    expect(x.verify(caX.publicKey)).toBe(true);
    expect(x.subjectAltName).toBe("DNS:web, DNS:web.default.svc, IP Address:10.0.0.1, IP Address:0:0:0:0:0:0:0:1");
    expect(Math.round((Date.parse(x.validTo) - Date.parse(x.validFrom)) / DAY_MS)).toBe(30);
    expect(x.checkPrivateKey(createPrivateKey(leaf.Key))).toBe(true);
  });

  it("genSignedCert accepts nil SAN lists and rejects bad ones", () => {
    const ca = call("genCA", "ca", 1n) as Certificate;
    const leaf = call("genSignedCert", "plain", null, null, 1n, ca) as Certificate;
    expect(new X509Certificate(leaf.Cert).subjectAltName).toBeUndefined();
    expect(() => call("genSignedCert", "x", ["not-an-ip"], null, 1n, ca)).toThrow("error parsing ip: not-an-ip");
    expect(() => call("genSignedCert", "x", [5n], null, 1n, ca)).toThrow("error parsing ip: 5 is not a string");
    expect(() => call("genSignedCert", "x", null, [true], 1n, ca)).toThrow("error processing alternate dns name: true is not a string");
    expect(() => call("genSignedCert", "x", null, null, 1n, { Cert: "", Key: "" })).toThrow(/expected sprig.certificate/);
  });

  it("genSelfSignedCert makes a non-CA certificate signed by itself", () => {
    const c = call("genSelfSignedCert", "self.example", ["127.0.0.1"], ["self.example"], 10n) as Certificate;
    const x = new X509Certificate(c.Cert);
    expect(x.subject).toBe("CN=self.example");
    expect(x.issuer).toBe("CN=self.example");
    expect(x.ca).toBe(false);
    expect(x.verify(x.publicKey)).toBe(true);
    expect(x.subjectAltName).toBe("DNS:self.example, IP Address:127.0.0.1");
  });

  it("the WithKey forms use the given key, ECDSA and Ed25519 included", () => {
    const ecKey = call("genPrivateKey", "ecdsa") as string;
    const ca = call("genCAWithKey", "ec-ca", 5n, ecKey) as Certificate;
    expect(ca.Key).toBe(ecKey);
    const caX = new X509Certificate(ca.Cert);
    expect(caX.verify(caX.publicKey)).toBe(true);
    const edKey = call("genPrivateKey", "ed25519") as string;
    const leaf = call("genSignedCertWithKey", "leaf", null, ["leaf"], 5n, ca, edKey) as Certificate;
    const x = new X509Certificate(leaf.Cert);
    expect(x.verify(caX.publicKey)).toBe(true);
    expect(x.checkPrivateKey(createPrivateKey(edKey))).toBe(true);
    const self = call("genSelfSignedCertWithKey", "s", null, null, 5n, edKey) as Certificate;
    expect(new X509Certificate(self.Cert).subject).toBe("CN=s");
    expect(() => call("genCAWithKey", "x", 1n, "nope")).toThrow("parsing private key: no PEM data in input");
  });

  it("buildCustomCert wraps base64 PEM text and checks it", () => {
    const ca = call("genCA", "custom", 1n) as Certificate;
    const built = call("buildCustomCert", Buffer.from(ca.Cert).toString("base64"), Buffer.from(ca.Key).toString("base64")) as Certificate;
    expect(built.Cert).toBe(ca.Cert);
    expect(built.Key).toBe(ca.Key);
    expect(() => call("buildCustomCert", Buffer.from("junk").toString("base64"), Buffer.from(ca.Key).toString("base64"))).toThrow("unable to decode certificate");
  });
});
