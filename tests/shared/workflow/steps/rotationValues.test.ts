// What a rotation changes: only the values it was given, named in the report, with what to retire next.
import {
  rotatedSource,
  rotatedValuesText,
  rotationNextSteps,
} from "../../../../shared/workflow/steps/rotationValues";

const source = {
  host: "db.example.com",
  port: 3306,
  replicationUser: "repl",
  replicationPassword: { appSetting: "REPLICATION_SECRET_OLD" },
  caCertificate: "OLD CA",
};

describe("rotation values", () => {
  it("replaces only the values given", () => {
    const password = { appSetting: "REPLICATION_SECRET_NEW" };
    expect(rotatedSource(source, { replicationPassword: password })).toEqual({
      ...source,
      replicationPassword: password,
    });
    expect(rotatedSource(source, { caCertificate: "NEW CA" })).toEqual({
      ...source,
      caCertificate: "NEW CA",
    });
  });

  it("names the new values and what to retire", () => {
    const both = { replicationPassword: { appSetting: "REPLICATION_SECRET_NEW" }, caCertificate: "NEW CA" };
    expect(rotatedValuesText(both)).toBe("password and CA certificate");
    expect(rotatedValuesText({ caCertificate: "NEW CA" })).toBe("CA certificate");
    expect(rotationNextSteps(both)).toHaveLength(2);
    expect(rotationNextSteps({ caCertificate: "NEW CA" })).toEqual([
      "The source's old CA may now be retired.",
    ]);
  });
});
