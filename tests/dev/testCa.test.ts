// The run's CA is trusted by Node's TLS stack through NODE_EXTRA_CA_CERTS, and its leaves verify.
import { createServer } from "node:https";
import { get } from "node:https";
import { type AddressInfo } from "node:net";
import { currentTestCa } from "../../dev/tls/testCa";

describe("test CA", () => {
  it("issues a leaf that a default https client accepts without extra options", async () => {
    const ca = await currentTestCa();
    const leaf = await ca.issue({
      name: "ca-test",
      commonName: "localhost",
      dnsNames: ["localhost"],
      ipAddresses: ["127.0.0.1"],
    });
    const server = createServer({ cert: leaf.certPem, key: leaf.keyPem }, (_req, res) => res.end("trusted"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const body = await new Promise<string>((resolve, reject) => {
        get(`https://127.0.0.1:${port}/`, (res) => {
          let data = "";
          res.on("data", (chunk: Buffer) => (data += chunk.toString()));
          res.on("end", () => resolve(data));
        }).on("error", reject);
      });
      expect(body).toBe("trusted");
    } finally {
      server.close();
    }
  });
});
