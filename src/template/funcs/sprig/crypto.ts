/** Sprig's hashing, password, AES, key and certificate functions. */
import {
  X509Certificate,
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  randomUUID,
  scryptSync,
  sign,
} from "node:crypto";
import type { KeyObject } from "node:crypto";
import { isIP } from "node:net";
import bcryptjs from "bcryptjs";
import { GoStruct, isNil } from "../../values.js";
import type { GoValue } from "../../values.js";
import type { FuncMap } from "../types.js";
import { goTypeName, needInt, needIntNum, needString } from "../args.js";
import * as der from "./der.js";
import { goSprint } from "./strval.js";

/** Sprig's certificate: PEM text of a certificate and its private key (`$ca.Cert`, `$ca.Key`). */
export class Certificate extends GoStruct {
  Cert: string;
  Key: string;
  constructor(cert: string, key: string) {
    super("sprig.certificate");
    this.Cert = cert;
    this.Key = key;
  }
}

const hash = (alg: string, s: GoValue): string => createHash(alg).update(needString(s), "utf8").digest("hex");

function adler32(s: string): number {
  let a = 1;
  let b = 0;
  for (const byte of Buffer.from(s, "utf8")) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** bcrypt at Go's default cost (10), in the $2a$ form golang.org/x/crypto/bcrypt writes. */
function bcrypt(s: string): string {
  return bcryptjs.hashSync(s, 10).replace(/^\$2b\$/, "$2a$");
}

// ---------------------------------------------------------------------------------------------
// derivePassword: the Master Password algorithm (Lyndir), as Sprig implements it.

const MP_SEED = "com.lyndir.masterpassword";
const MP_TEMPLATES: Record<string, string[]> = {
  maximum: ["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
  long: [
    "CvcvnoCvcvCvcv", "CvcvCvcvnoCvcv", "CvcvCvcvCvcvno", "CvccnoCvcvCvcv", "CvccCvcvnoCvcv",
    "CvccCvcvCvcvno", "CvcvnoCvccCvcv", "CvcvCvccnoCvcv", "CvcvCvccCvcvno", "CvcvnoCvcvCvcc",
    "CvcvCvcvnoCvcc", "CvcvCvcvCvccno", "CvccnoCvccCvcv", "CvccCvccnoCvcv", "CvccCvccCvcvno",
    "CvcvnoCvccCvcc", "CvcvCvccnoCvcc", "CvcvCvccCvccno", "CvccnoCvcvCvcc", "CvccCvcvnoCvcc",
    "CvccCvcvCvccno",
  ],
  medium: ["CvcnoCvc", "CvcCvcno"],
  short: ["Cvcn"],
  basic: ["aaanaaan", "aannaaan", "aaannaaa"],
  pin: ["nnnn"],
};
const MP_CHARS: Record<string, string> = {
  V: "AEIOU",
  C: "BCDFGHJKLMNPQRSTVWXYZ",
  v: "aeiou",
  c: "bcdfghjklmnpqrstvwxyz",
  A: "AEIOUBCDFGHJKLMNPQRSTVWXYZ",
  a: "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
  n: "0123456789",
  o: "@&%?,=[]_:-+*$#!'^~;()/.",
  x: "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
};

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

function derivePassword(counter: number, type: string, password: string, user: string, site: string): string {
  const templates = MP_TEMPLATES[type];
  if (!templates) return `cannot find password template ${type}`;
  const userB = Buffer.from(user, "utf8");
  const siteB = Buffer.from(site, "utf8");
  const salt = Buffer.concat([Buffer.from(MP_SEED), u32(userB.length), userB]);
  const key = scryptSync(Buffer.from(password, "utf8"), salt, 64, { N: 32768, r: 8, p: 2, maxmem: 256 * 1024 * 1024 });
  const seed = createHmac("sha256", key)
    .update(Buffer.concat([Buffer.from(MP_SEED), u32(siteB.length), siteB, u32(counter)]))
    .digest();
  const template = templates[(seed[0] as number) % templates.length] as string;
  let out = "";
  for (let i = 0; i < template.length; i++) {
    const chars = MP_CHARS[template[i] as string] as string;
    out += chars[(seed[i + 1] as number) % chars.length];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// AES-256-CBC with the password zero-padded (or cut) to 32 bytes, random IV prepended, base64.

function aesKey(password: string): Buffer {
  const key = Buffer.alloc(32);
  Buffer.from(password, "utf8").copy(key, 0, 0, 32);
  return key;
}

function encryptAES(password: string, plaintext: string): string {
  if (plaintext === "") return "";
  const iv = randomBytes(16);
  const cipher = createCipheriv("aes-256-cbc", aesKey(password), iv);
  return Buffer.concat([iv, cipher.update(plaintext, "utf8"), cipher.final()]).toString("base64");
}

function decryptAES(password: string, crypt64: string): string {
  if (crypt64 === "") return "";
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(crypt64.replace(/[\r\n]/g, "")) || crypt64.replace(/[\r\n]/g, "").length % 4 !== 0) {
    throw new Error("illegal base64 data at input byte 0");
  }
  const crypt = Buffer.from(crypt64, "base64");
  if (crypt.length < 16) throw new Error(`runtime error: slice bounds out of range [:16] with capacity ${crypt.length}`);
  const body = crypt.subarray(16);
  if (body.length % 16 !== 0) throw new Error("crypto/cipher: input not full blocks");
  if (body.length === 0) throw new Error("runtime error: index out of range [-1]");
  const decipher = createDecipheriv("aes-256-cbc", aesKey(password), crypt.subarray(0, 16));
  decipher.setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(body), decipher.final()]);
  // Sprig trusts the last byte as the padding length without checking it.
  const padLen = plain[plain.length - 1] as number;
  if (padLen > plain.length) throw new Error(`runtime error: slice bounds out of range [:${plain.length - padLen}]`);
  return plain.subarray(0, plain.length - padLen).toString("utf8");
}

// ---------------------------------------------------------------------------------------------
// Private keys

/** Go's traditional "DSA PRIVATE KEY": SEQUENCE { 0, p, q, g, y, x }, from Node's PKCS#8 export. */
function dsaTraditionalPem(key: KeyObject): string {
  const pk8 = der.read(key.export({ type: "pkcs8", format: "der" }));
  const [, algId, privOctets] = der.children(pk8);
  if (!algId || !privOctets) throw new Error("failed to generate private key: malformed DSA key");
  const params = der.children(der.children(algId)[1] as der.Tlv).map(der.readInteger);
  const [p, q, g] = params as [bigint, bigint, bigint];
  const x = der.readInteger(der.read(privOctets.body));
  const y = modPow(g, x, p);
  void q;
  const body = der.seq(der.integer(0n), der.integer(p), der.integer(q), der.integer(g), der.integer(y), der.integer(x));
  return pem("DSA PRIVATE KEY", body);
}

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
    e >>= 1n;
  }
  return result;
}

function pem(type: string, body: Buffer): string {
  const b64 = body.toString("base64").replace(/(.{64})/g, "$1\n").replace(/\n$/, "");
  return `-----BEGIN ${type}-----\n${b64}\n-----END ${type}-----\n`;
}

/** The PEM block Sprig writes for a key: PKCS#1 for RSA, SEC 1 for ECDSA, PKCS#8 for the rest. */
function keyToPem(key: KeyObject): string {
  switch (key.asymmetricKeyType) {
    case "rsa":
      return key.export({ type: "pkcs1", format: "pem" }).toString();
    case "ec":
      return key.export({ type: "sec1", format: "pem" }).toString();
    case "dsa":
      return dsaTraditionalPem(key);
    default:
      return key.export({ type: "pkcs8", format: "pem" }).toString();
  }
}

function generatePrivateKey(type: string): string {
  switch (type) {
    case "":
    case "rsa":
      return keyToPem(generateKeyPairSync("rsa", { modulusLength: 4096 }).privateKey);
    case "dsa":
      return keyToPem(generateKeyPairSync("dsa", { modulusLength: 2048, divisorLength: 256 }).privateKey);
    case "ecdsa":
      return keyToPem(generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey);
    case "ed25519":
      return keyToPem(generateKeyPairSync("ed25519").privateKey);
    default:
      return "Unknown type " + type;
  }
}

function parsePrivateKeyPem(text: string): KeyObject {
  const m = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(text);
  if (!m) throw new Error("no PEM data in input");
  const type = m[1] as string;
  if (type !== "PRIVATE KEY" && !type.endsWith(" PRIVATE KEY")) throw new Error(`no private key data in PEM block of type ${type}`);
  try {
    return createPrivateKey({ key: text, format: "pem" });
  } catch (e) {
    if (type === "PRIVATE KEY") throw new Error(`decoding PEM as PKCS#8: ${(e as Error).message}`);
    throw new Error(`parsing ${type.slice(0, -12)} private key from PEM: ${(e as Error).message}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Certificates, laid out as Go's x509.CreateCertificate does for Sprig's templates.

const OID = {
  cn: "2.5.4.3",
  keyUsage: "2.5.29.15",
  extKeyUsage: "2.5.29.37",
  basicConstraints: "2.5.29.19",
  subjectKeyId: "2.5.29.14",
  authorityKeyId: "2.5.29.35",
  subjectAltName: "2.5.29.17",
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
};

interface Signer {
  key: KeyObject;
  /** Raw DER of the issuer Name. */
  subject: Buffer;
  subjectKeyId: Buffer | null;
}

function signatureAlgorithm(key: KeyObject): { alg: Buffer; digest: string | null } {
  switch (key.asymmetricKeyType) {
    case "rsa":
      return { alg: der.seq(der.oid("1.2.840.113549.1.1.11"), der.nul()), digest: "sha256" };
    case "ec": {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      if (curve === "secp384r1") return { alg: der.seq(der.oid("1.2.840.10045.4.3.3")), digest: "sha384" };
      if (curve === "secp521r1") return { alg: der.seq(der.oid("1.2.840.10045.4.3.4")), digest: "sha512" };
      return { alg: der.seq(der.oid("1.2.840.10045.4.3.2")), digest: "sha256" };
    }
    case "ed25519":
      return { alg: der.seq(der.oid("1.3.101.112")), digest: null };
    default:
      throw new Error("error creating certificate: x509: only RSA, ECDSA and Ed25519 keys supported");
  }
}

function nameDer(cn: string): Buffer {
  return der.seq(der.set(der.seq(der.oid(OID.cn), der.directoryString(cn))));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return der.seq(der.oid(id), ...(critical ? [der.bool(true)] : []), der.octets(value));
}

/** Key usage bits in the minimal BIT STRING Go writes. */
function keyUsageExt(isCA: boolean): Buffer {
  // digitalSignature (bit 0) | keyEncipherment (bit 2) [| keyCertSign (bit 5)]
  const byte = isCA ? 0xa4 : 0xa0;
  const bitLength = isCA ? 6 : 3;
  return der.bitString(Buffer.from([byte]), 8 - bitLength);
}

function ipBytes(ip: string): Buffer {
  if (isIP(ip) === 4) return Buffer.from(ip.split(".").map(Number));
  // IPv6, with an embedded IPv4 tail allowed; an IPv4-mapped address is written as 4 bytes like Go's To4.
  let text = ip;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  let tail: number[] = [];
  if (v4?.[1]) {
    tail = v4[1].split(".").map(Number);
    text = text.slice(0, -v4[1].length) + "0:0";
  }
  const [head, rest] = text.split("::") as [string, string | undefined];
  const h = head ? head.split(":") : [];
  const r = rest !== undefined && rest !== "" ? rest.split(":") : [];
  const groups = rest !== undefined ? [...h, ...Array(8 - h.length - r.length).fill("0"), ...r] : h;
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  if (tail.length) Buffer.from(tail).copy(out, 12);
  const mapped = out.subarray(0, 10).every((b) => b === 0) && out[10] === 0xff && out[11] === 0xff;
  return mapped ? out.subarray(12) : out;
}

function stringList(v: GoValue, what: "ip" | "dns"): string[] {
  if (isNil(v)) return [];
  if (!Array.isArray(v)) throw new Error(`wrong type for value; expected []interface {}; got ${goTypeName(v)}`);
  return v.map((x) => {
    if (typeof x !== "string") {
      throw new Error(what === "ip" ? `error parsing ip: ${goSprint(x)} is not a string` : `error processing alternate dns name: ${goSprint(x)} is not a string`);
    }
    if (what === "ip" && isIP(x) === 0) throw new Error(`error parsing ip: ${x}`);
    return x;
  });
}

function randomSerial(): bigint {
  // rand.Int(rand.Reader, 2^128): uniform in [0, 2^128).
  return BigInt("0x" + randomBytes(16).toString("hex"));
}

interface CertRequest {
  cn: string;
  ips: string[];
  dnsNames: string[];
  daysValid: number;
  isCA: boolean;
  key: KeyObject;
  signer: Signer | null;
}

function createCertificate(req: CertRequest): Certificate {
  const pub = createPublicKey(req.key);
  const spki = pub.export({ type: "spki", format: "der" });
  const spkiBits = der.children(der.read(spki))[1] as der.Tlv;
  const subject = nameDer(req.cn);
  const signer: Signer = req.signer ?? { key: req.key, subject, subjectKeyId: null };
  const { alg, digest } = signatureAlgorithm(signer.key);

  const now = Date.now();
  const notBefore = new Date(now);
  const notAfter = new Date(now + req.daysValid * 24 * 3600 * 1000);

  const exts: Buffer[] = [
    extension(OID.keyUsage, true, keyUsageExt(req.isCA)),
    extension(OID.extKeyUsage, false, der.seq(der.oid(OID.serverAuth), der.oid(OID.clientAuth))),
    extension(OID.basicConstraints, true, req.isCA ? der.seq(der.bool(true)) : der.seq()),
  ];
  if (req.isCA) {
    // Go derives the subject key id of a CA from the SHA-1 of its public key bits.
    const ski = createHash("sha1").update(spkiBits.body.subarray(1)).digest();
    exts.push(extension(OID.subjectKeyId, false, der.octets(ski)));
  }
  if (req.signer && req.signer.subjectKeyId && !req.signer.subject.equals(subject)) {
    exts.push(extension(OID.authorityKeyId, false, der.seq(der.implicitPrim(0, req.signer.subjectKeyId))));
  }
  if (req.dnsNames.length || req.ips.length) {
    const names = [
      ...req.dnsNames.map((d) => der.implicitPrim(2, Buffer.from(d, "ascii"))),
      ...req.ips.map((ip) => der.implicitPrim(7, ipBytes(ip))),
    ];
    exts.push(extension(OID.subjectAltName, false, der.seq(...names)));
  }

  const tbs = der.seq(
    der.explicit(0, der.integer(2n)),
    der.integer(randomSerial()),
    alg,
    signer.subject,
    der.seq(der.time(notBefore), der.time(notAfter)),
    subject,
    spki,
    der.explicit(3, der.seq(...exts)),
  );
  const signature = sign(digest, tbs, signer.key);
  const cert = der.seq(tbs, alg, der.bitString(signature));
  return new Certificate(pem("CERTIFICATE", cert), keyToPem(req.key));
}

function signerFrom(ca: GoValue): Signer {
  const rec = ca instanceof GoStruct ? (ca as unknown as Record<string, GoValue>) : null;
  const certPem = rec?.["Cert"];
  const keyPem = rec?.["Key"];
  if (typeof certPem !== "string" || typeof keyPem !== "string") {
    throw new Error(`wrong type for value; expected sprig.certificate; got ${goTypeName(ca)}`);
  }
  const m = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(certPem);
  if (!m) throw new Error("unable to decode certificate");
  const certDer = Buffer.from((m[1] as string).replace(/\s+/g, ""), "base64");
  try {
    new X509Certificate(certDer);
  } catch (e) {
    throw new Error(`error parsing certificate: decodedSignerCert.Bytes: ${(e as Error).message}`);
  }
  let key: KeyObject;
  try {
    key = parsePrivateKeyPem(keyPem);
  } catch (e) {
    throw new Error(`error parsing private key: ${(e as Error).message}`);
  }
  const tbs = der.children(der.read(certDer))[0] as der.Tlv;
  const fields = der.children(tbs);
  const offset = fields[0]?.tag === 0xa0 ? 1 : 0;
  const subject = (fields[offset + 4] as der.Tlv).raw;
  let subjectKeyId: Buffer | null = null;
  const extsField = fields.find((f) => f.tag === 0xa3);
  if (extsField) {
    for (const ext of der.children(der.children(extsField)[0] as der.Tlv)) {
      const parts = der.children(ext);
      if (der.readOid(parts[0] as der.Tlv) === OID.subjectKeyId) {
        const value = parts[parts.length - 1] as der.Tlv;
        subjectKeyId = der.read(value.body).body;
      }
    }
  }
  return { key, subject, subjectKeyId };
}

function rsaKey(bits: number): KeyObject {
  return generateKeyPairSync("rsa", { modulusLength: bits }).privateKey;
}

function keyArg(v: GoValue): KeyObject {
  try {
    return parsePrivateKeyPem(needString(v));
  } catch (e) {
    throw new Error(`parsing private key: ${(e as Error).message}`);
  }
}

function buildCustomCert(b64cert: string, b64key: string): Certificate {
  const cert = Buffer.from(b64cert, "base64");
  if (!/^[A-Za-z0-9+/\r\n]*={0,2}\s*$/.test(b64cert)) throw new Error("unable to decode base64 certificate");
  if (!/^[A-Za-z0-9+/\r\n]*={0,2}\s*$/.test(b64key)) throw new Error("unable to decode base64 private key");
  const key = Buffer.from(b64key, "base64").toString("utf8");
  const certText = cert.toString("utf8");
  const m = /-----BEGIN [A-Z ]+-----([\s\S]*?)-----END [A-Z ]+-----/.exec(certText);
  if (!m) throw new Error("unable to decode certificate");
  try {
    new X509Certificate(Buffer.from((m[1] as string).replace(/\s+/g, ""), "base64"));
  } catch (e) {
    throw new Error(`error parsing certificate: decodedCert.Bytes: ${(e as Error).message}`);
  }
  try {
    parsePrivateKeyPem(key);
  } catch (e) {
    throw new Error(`error parsing private key: ${(e as Error).message}`);
  }
  return new Certificate(certText, key);
}

export function cryptoFuncs(): FuncMap {
  const selfSigned = (cn: GoValue, ips: GoValue, dns: GoValue, days: GoValue, key: KeyObject): Certificate =>
    createCertificate({
      cn: needString(cn),
      ips: stringList(ips, "ip"),
      dnsNames: stringList(dns, "dns"),
      daysValid: needIntNum(days),
      isCA: false,
      key,
      signer: null,
    });
  const signed = (cn: GoValue, ips: GoValue, dns: GoValue, days: GoValue, ca: GoValue, key: () => KeyObject): Certificate => {
    const signer = signerFrom(ca);
    return createCertificate({
      cn: needString(cn),
      ips: stringList(ips, "ip"),
      dnsNames: stringList(dns, "dns"),
      daysValid: needIntNum(days),
      isCA: false,
      key: key(),
      signer,
    });
  };
  const ca = (cn: GoValue, days: GoValue, key: KeyObject): Certificate =>
    createCertificate({ cn: needString(cn), ips: [], dnsNames: [], daysValid: needIntNum(days), isCA: true, key, signer: null });
  return {
    sha1sum: (s) => hash("sha1", s),
    sha256sum: (s) => hash("sha256", s),
    sha512sum: (s) => hash("sha512", s),
    adler32sum: (s) => String(adler32(needString(s))),
    bcrypt: (s) => bcrypt(needString(s)),
    htpasswd: (user, pass) => {
      const u = needString(user);
      if (u.includes(":")) return `invalid username: ${u}`;
      return `${u}:${bcrypt(needString(pass))}`;
    },
    randBytes: (n) => randomBytes(needIntNum(n)).toString("base64"),
    uuidv4: () => randomUUID(),
    derivePassword: (counter, type, password, user, site) =>
      derivePassword(Number(needInt(counter)), needString(type), needString(password), needString(user), needString(site)),
    encryptAES: (password, text) => encryptAES(needString(password), needString(text)),
    decryptAES: (password, text) => decryptAES(needString(password), needString(text)),
    genPrivateKey: (type) => generatePrivateKey(needString(type)),
    buildCustomCert: (c, k) => buildCustomCert(needString(c), needString(k)),
    genCA: (cn, days) => ca(cn, days, rsaKey(2048)),
    genCAWithKey: (cn, days, key) => ca(cn, days, keyArg(key)),
    genSelfSignedCert: (cn, ips, dns, days) => selfSigned(cn, ips, dns, days, rsaKey(2048)),
    genSelfSignedCertWithKey: (cn, ips, dns, days, key) => selfSigned(cn, ips, dns, days, keyArg(key)),
    genSignedCert: (cn, ips, dns, days, caCert) => signed(cn, ips, dns, days, caCert, () => rsaKey(2048)),
    genSignedCertWithKey: (cn, ips, dns, days, caCert, key) => signed(cn, ips, dns, days, caCert, () => keyArg(key)),
  };
}
