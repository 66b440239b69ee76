// What the checks see of a validation request: never a secret.
import { sourceCheckInput } from "../../../shared/source/sourceCheckInput";

describe("sourceCheckInput", () => {
  it("keeps no password or CA, only the password's length in UTF-8 bytes and whether a CA was given", () => {
    const input = sourceCheckInput({
      host: "db.example.com",
      port: 3306,
      replicationUser: "repl",
      replicationPassword: "pässwörd-secret",
      caCertificate: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
      inspection: { user: "inspector", password: "inspection-secret" },
      linking: "gtid",
      allowPrivateAddresses: false,
      connectTimeoutMs: 5000,
    });
    expect(JSON.stringify(input)).not.toMatch(/secret|CERTIFICATE/);
    expect(input).toEqual({
      host: "db.example.com",
      port: 3306,
      replicationUser: "repl",
      replicationPasswordBytes: 17,
      caCertificateSupplied: true,
      linking: "gtid",
      ignoreTables: [],
    });
  });
});
