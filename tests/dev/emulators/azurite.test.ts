// Azurite's Table service as a child process: the real TableClient round-trips an entity, and stop() leaves no process behind.
import { TableClient } from "@azure/data-tables";
import { startAzurite, type RunningAzurite } from "../../../dev/emulators/startEmulators";

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("Azurite", () => {
  let azurite: RunningAzurite | undefined;
  afterAll(() => azurite?.stop());

  it("round-trips an entity with TableClient and stops cleanly", async () => {
    const started = performance.now();
    azurite = await startAzurite();
    console.log(
      `Azurite table service ready in ${(performance.now() - started).toFixed(0)} ms on ${azurite.tablePort}`,
    );

    const table = TableClient.fromConnectionString(azurite.connectionString, "ReplicationLinks", {
      allowInsecureConnection: true,
    });
    await table.createTable();
    await table.createEntity({
      partitionKey: "flex-replica",
      rowKey: "link-1",
      state: "Running",
      lagSeconds: 0,
    });
    const entity = await table.getEntity<{ state: string; lagSeconds: number }>("flex-replica", "link-1");
    expect(entity).toMatchObject({ state: "Running", lagSeconds: 0 });

    const { pid } = azurite;
    expect(isAlive(pid)).toBe(true);
    await azurite.stop();
    azurite = undefined;
    expect(isAlive(pid)).toBe(false);
  });
});
