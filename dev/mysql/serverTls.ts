// TLS material for throwaway servers: one leaf certificate per CA and process, valid for 127.0.0.1 and localhost.
import { currentTestCa, type TestCa } from "../tls/testCa";
import { type ServerTls } from "./mysqlServer";

const leaves = new Map<string, Promise<ServerTls>>();

/**
 * `undefined` means the run's CA (DEV_CA_DIR, set by `npm test`), `null` means no TLS at all.
 * Leaf keys are RSA-2048: generating one costs about as much as starting a server, so it is shared.
 */
export async function serverTlsFor(ca: TestCa | null | undefined): Promise<ServerTls | undefined> {
  if (ca === null) return undefined;
  const authority = ca ?? (await currentTestCa());
  let leaf = leaves.get(authority.dir);
  if (!leaf) {
    leaf = authority
      .issue({
        name: `mysql-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
        commonName: "127.0.0.1",
        dnsNames: ["localhost"],
        ipAddresses: ["127.0.0.1"],
      })
      .then((issued) => ({
        caCertPem: authority.caCertPem,
        caFile: authority.caCertFile,
        certFile: issued.certFile,
        keyFile: issued.keyFile,
      }));
    leaf.catch(() => leaves.delete(authority.dir));
    leaves.set(authority.dir, leaf);
  }
  return leaf;
}
