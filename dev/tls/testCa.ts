// A throwaway certificate authority for the local stack: one CA per run, leaf certificates for the emulators and MySQL servers.
import { webcrypto } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(webcrypto);

const RSA_ALGORITHM = {
  name: "RSASSA-PKCS1-v1_5",
  hash: "SHA-256",
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048,
} as const;

const DAY_MS = 24 * 60 * 60 * 1000;

export interface IssuedCertificate {
  certPem: string;
  keyPem: string;
  certFile: string;
  keyFile: string;
}

interface LeafOptions {
  /** File name stem under the CA directory, e.g. "emulators" gives emulators.crt / emulators.key. */
  name: string;
  commonName: string;
  dnsNames?: string[];
  ipAddresses?: string[];
}

export interface TestCa {
  dir: string;
  caCertPem: string;
  /** The file to put in NODE_EXTRA_CA_CERTS. */
  caCertFile: string;
  issue(options: LeafOptions): Promise<IssuedCertificate>;
}

const CA_CERT = "ca.crt";
const CA_KEY = "ca.key";

async function exportKeyPem(key: CryptoKey): Promise<string> {
  const pkcs8 = await webcrypto.subtle.exportKey("pkcs8", key);
  return x509.PemConverter.encode(pkcs8, "PRIVATE KEY");
}

async function importKeyPem(pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decodeFirst(pem);
  return await webcrypto.subtle.importKey("pkcs8", der, RSA_ALGORITHM, true, ["sign"]);
}

function generateKeys(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(RSA_ALGORITHM, true, ["sign", "verify"]);
}

function makeCa(dir: string, caCert: x509.X509Certificate, caKey: CryptoKey): TestCa {
  const caCertPem = caCert.toString("pem");
  return {
    dir,
    caCertPem,
    caCertFile: join(dir, CA_CERT),
    async issue(options: LeafOptions): Promise<IssuedCertificate> {
      const keys = await generateKeys();
      const names: x509.JsonGeneralName[] = [
        ...(options.dnsNames ?? []).map((value) => ({ type: "dns" as const, value })),
        ...(options.ipAddresses ?? []).map((value) => ({ type: "ip" as const, value })),
      ];
      const cert = await x509.X509CertificateGenerator.create({
        subject: `CN=${options.commonName}`,
        issuer: caCert.subject,
        notBefore: new Date(Date.now() - DAY_MS),
        notAfter: new Date(Date.now() + 30 * DAY_MS),
        publicKey: keys.publicKey,
        signingKey: caKey,
        signingAlgorithm: RSA_ALGORITHM,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(
            x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
            true,
          ),
          new x509.ExtendedKeyUsageExtension([
            x509.ExtendedKeyUsage.serverAuth,
            x509.ExtendedKeyUsage.clientAuth,
          ]),
          new x509.SubjectAlternativeNameExtension(names),
          await x509.AuthorityKeyIdentifierExtension.create(caCert),
        ],
      });
      const certPem = cert.toString("pem");
      const keyPem = await exportKeyPem(keys.privateKey);
      const certFile = join(dir, `${options.name}.crt`);
      const keyFile = join(dir, `${options.name}.key`);
      await writeFile(certFile, certPem, { mode: 0o644 });
      await writeFile(keyFile, keyPem, { mode: 0o600 });
      return { certPem, keyPem, certFile, keyFile };
    },
  };
}

/** Creates a new CA in `dir` (created if missing). */
export async function createTestCa(dir: string): Promise<TestCa> {
  await mkdir(dir, { recursive: true });
  const keys = await generateKeys();
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    name: "CN=Local Replication Sandbox CA, O=azure-mysql-data-in-replication dev",
    notBefore: new Date(Date.now() - DAY_MS),
    notAfter: new Date(Date.now() + 30 * DAY_MS),
    keys,
    signingAlgorithm: RSA_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  await writeFile(join(dir, CA_CERT), caCert.toString("pem"), { mode: 0o644 });
  await writeFile(join(dir, CA_KEY), await exportKeyPem(keys.privateKey), { mode: 0o600 });
  return makeCa(dir, caCert, keys.privateKey);
}

/** Loads a CA that createTestCa wrote earlier (the test runner writes one and exports DEV_CA_DIR). */
async function loadTestCa(dir: string): Promise<TestCa> {
  const caCert = new x509.X509Certificate(await readFile(join(dir, CA_CERT), "utf8"));
  const caKey = await importKeyPem(await readFile(join(dir, CA_KEY), "utf8"));
  return makeCa(dir, caCert, caKey);
}

/** The CA of this run, from DEV_CA_DIR; fails with a clear message when the process was not started by the runner. */
export async function currentTestCa(): Promise<TestCa> {
  const dir = process.env.DEV_CA_DIR;
  if (!dir) {
    throw new Error(
      "DEV_CA_DIR is not set: start this process through `npm test` (dev/scripts/runTests.ts) or the sandbox, which create the run's CA and set NODE_EXTRA_CA_CERTS before Node starts.",
    );
  }
  return loadTestCa(dir);
}
