// Starting a source, an Azure-like replica, every emulator and Azurite together: printed, not asserted (timing is not a test).
import { currentTestCa } from "../../dev/tls/testCa";
import { startEmulators, startAzurite } from "../../dev/emulators/startEmulators";
import { AZURE_REPLICATION_PROCEDURES, startSource, startAzureLikeReplica } from "../../dev/mysql";

jest.setTimeout(60_000);

describe("local stack start-up", () => {
  it("starts source, replica, Entra ID, Resource Manager, Key Vault and Azurite, then stops them all", async () => {
    const ca = await currentTestCa();
    const started = performance.now();
    const [source, replica, emulators, azurite] = await Promise.all([
      startSource({ ca, label: "startup-source" }),
      startAzureLikeReplica({ ca, label: "startup-replica" }),
      startEmulators({ ca }),
      startAzurite(),
    ]);
    const serversAndEmulatorsMs = performance.now() - started;
    try {
      console.log(
        `source + replica + Entra ID/ARM/Key Vault emulators + Azurite ready in ${serversAndEmulatorsMs.toFixed(0)} ms (source ${source.lastStartMs} ms, replica ${replica.lastStartMs} ms)`,
      );
      expect(source.isRunning() && replica.isRunning()).toBe(true);
      const rows = await replica.rootQuery<{ name: string }>(
        "SELECT ROUTINE_NAME AS name FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = 'mysql' AND ROUTINE_TYPE = 'PROCEDURE'",
      );
      expect(rows.map((item) => item.name)).toEqual(
        expect.arrayContaining([...AZURE_REPLICATION_PROCEDURES]),
      );
    } finally {
      await Promise.all([source.stop(), replica.stop(), emulators.stop(), azurite.stop()]);
    }
    expect(source.isRunning() || replica.isRunning()).toBe(false);
  });
});
