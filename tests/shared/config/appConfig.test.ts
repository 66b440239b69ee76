// App settings: defaults apply, and every malformed or missing setting is named in one startup error.
import { parseAppConfig, startVerifyTiming } from "../../../shared/config/appConfig";

describe("app settings", () => {
  it("applies defaults for public Azure", () => {
    const config = parseAppConfig({ AzureWebJobsStorage: "UseDevelopmentStorage=true" });
    expect(config.ARM_ENDPOINT).toBe("https://management.azure.com");
    expect(config.ALLOW_PRIVATE_SOURCE_ADDRESSES).toBe(false);
    expect(config.SINGLE_SERVER_ALLOWED_TIERS).toEqual(["GeneralPurpose", "MemoryOptimized"]);
    expect(config.REVALIDATION_SCHEDULE).toBe("0 */15 * * * *");
  });

  it("names every bad setting at once", () => {
    expect(() =>
      parseAppConfig({
        ARM_ENDPOINT: "http://insecure.example",
        ALLOW_PRIVATE_SOURCE_ADDRESSES: "maybe",
        SINGLE_SERVER_ALLOWED_TIERS: "GeneralPurpose,Premium",
        REPLICA_ADDRESS_OVERRIDES: "{not json",
      }),
    ).toThrow(
      /ARM_ENDPOINT .*; ALLOW_PRIVATE_SOURCE_ADDRESSES must be true or false; REPLICA_ADDRESS_OVERRIDES .*; SINGLE_SERVER_ALLOWED_TIERS\.1 .*; AzureWebJobsStorage is required/,
    );
  });

  it("takes the start verification's first interval in fractional seconds, 2 by default", () => {
    const storage = { AzureWebJobsStorage: "UseDevelopmentStorage=true" };
    expect(parseAppConfig(storage).START_VERIFY_FIRST_INTERVAL_SECONDS).toBe(2);
    expect(
      parseAppConfig({ ...storage, START_VERIFY_FIRST_INTERVAL_SECONDS: "0.1" })
        .START_VERIFY_FIRST_INTERVAL_SECONDS,
    ).toBe(0.1);
    expect(() => parseAppConfig({ ...storage, START_VERIFY_FIRST_INTERVAL_SECONDS: "0.05" })).toThrow(
      /START_VERIFY_FIRST_INTERVAL_SECONDS must be at least 0.1/,
    );
    expect(() => parseAppConfig({ ...storage, START_VERIFY_FIRST_INTERVAL_SECONDS: "soon" })).toThrow(
      /START_VERIFY_FIRST_INTERVAL_SECONDS must be a number of seconds/,
    );
  });

  it("parses replica address overrides case-insensitively", () => {
    const config = parseAppConfig({
      AzureWebJobsStorage__accountName: "stacct",
      REPLICA_ADDRESS_OVERRIDES: '{"Replica-01.mysql.database.azure.com":"127.0.0.1:33061"}',
    });
    expect(config.REPLICA_ADDRESS_OVERRIDES).toEqual({
      "replica-01.mysql.database.azure.com": "127.0.0.1:33061",
    });
  });

  it("hands the start-and-verify settings to the orchestrators as their timing", () => {
    const config = parseAppConfig({
      AzureWebJobsStorage: "UseDevelopmentStorage=true",
      START_VERIFY_BUDGET_SECONDS: "120",
      START_VERIFY_FIRST_INTERVAL_SECONDS: "0.5",
    });
    expect(startVerifyTiming(config)).toEqual({
      verifyBudgetSeconds: 120,
      verifyFirstIntervalSeconds: 0.5,
    });
  });
});
