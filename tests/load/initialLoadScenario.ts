// The initial-load scenario (issue 18), run by one test file per replica kind (each file has its own stack and settings).
import { type LocalStack } from "../../dev/stack/localStack";
import { setLoadHooks } from "../../shared/load/loadHooks";
import { everythingRecorded, expectNoSecrets, provisionAndWait, startE2eStack } from "../e2e/e2eStack";
import {
  LOAD_DATABASES,
  checksums,
  createLoadData,
  grantLoadPrivileges,
  loadRequest,
  startWriter,
  waitForCatchUp,
} from "./loadFixtures";

interface View {
  id: string;
  state: string;
  rolledBack: boolean | null;
  error: { code: string; message: string } | null;
  checks: { code: string; status: string; message: string }[];
  coordinates: { file: string; position: number } | null;
  changes: string[];
  initialLoad: {
    coordinates: { file: string; position: number };
    method: string;
    stats: {
      tables: number;
      rows: number;
      views: number;
      routines: number;
      triggers: number;
      events: number;
      definersRewritten: number;
      attempt: number;
    };
    notes: string[];
  } | null;
  load: { tablesDone: number; rows: number } | null;
}

async function removeLink(stack: LocalStack, id: string): Promise<void> {
  await stack.host.invokeHttp({ method: "DELETE", path: `/api/replications/${id}` });
  await stack.host.waitForInstance(`${id}-teardown`, { timeoutMs: 60_000 }).catch(() => undefined);
}

export function describeInitialLoad(kind: "single" | "flexible"): void {
  describe(`initial load into a ${kind} replica`, () => {
    let stack: LocalStack;
    let restoreHooks: () => void;
    beforeAll(async () => {
      stack = await startE2eStack({ replicaKind: kind });
      await grantLoadPrivileges(stack);
      // Azure's server parameter (OFF by default on Single Server): without it the trigger cannot be created (1419).
      await stack.replica.rootQuery("SET GLOBAL log_bin_trust_function_creators = ON");
      await createLoadData(stack.source, 20_000);
      restoreHooks = setLoadHooks({ tuning: { batchRows: 700, chunkRows: 4_000 } });
    });
    afterAll(async () => {
      restoreHooks?.();
      if (!stack) return;
      expectNoSecrets(await everythingRecorded(stack), stack.secrets);
      await stack.stop();
    });

    it("refuses, before any change, a replica that already has tables in the databases to load", async () => {
      await stack.replica.rootQuery("CREATE DATABASE loadtest");
      await stack.replica.rootQuery("CREATE TABLE loadtest.stray (id INT PRIMARY KEY)");
      try {
        const { view } = await provisionAndWait(stack, loadRequest(stack));
        const failed = view as unknown as View;
        expect(failed).toMatchObject({
          state: "failed",
          rolledBack: null,
          error: { code: "VALIDATION_FAILED" },
        });
        expect(failed.checks).toEqual(
          expect.arrayContaining([expect.objectContaining({ code: "LOAD_REPLICA_EMPTY", status: "fail" })]),
        );
        expect(failed.checks.find((c) => c.code === "LOAD_REPLICA_EMPTY")?.message).toContain(
          "loadtest.stray",
        );
        expect(await stack.replica.rootQuery("SELECT * FROM loadtest.stray")).toEqual([]);
      } finally {
        await stack.replica.rootQuery("DROP DATABASE loadtest");
      }
    });

    it("copies at one snapshot while a writer runs, links at its coordinates, and the checksums match after catch-up", async () => {
      const writer = startWriter(stack.source);
      // Mid-copy (held at a batch, after the progress row's 2 s write interval has passed once), GET shows live progress.
      const seenWhileCopying: { rows: number; tablesTotal: number }[] = [];
      const restoreProgressProbe = setLoadHooks({
        afterBatch: async (batches) => {
          if (batches === 2) await new Promise((resolve) => setTimeout(resolve, 2_100));
          if (batches !== 4) return;
          const running = stack.host
            .instances()
            .find(
              (instance) => instance.name === "provisionReplication" && instance.runtimeStatus === "Running",
            );
          const id = running?.instanceId ?? "";
          // The progress row is written asynchronously: give the write that batch 3 started a moment to land.
          const deadline = Date.now() + 3_000;
          for (;;) {
            const response = await stack.host.invokeHttp({ method: "GET", path: `/api/replications/${id}` });
            const load = response.json<{
              state: string;
              load: { rows: number; tablesTotal: number } | null;
            }>();
            if (load.state === "loading" && load.load && (load.load.rows > 0 || Date.now() > deadline)) {
              seenWhileCopying.push(load.load);
              return;
            }
            if (Date.now() > deadline) return;
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        },
      });
      let view: View;
      try {
        const outcome = await provisionAndWait(stack, loadRequest(stack));
        view = outcome.view as unknown as View;
        // Keep writing after the link runs: the binlog from the snapshot on must apply cleanly on top of the copy.
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      } finally {
        restoreProgressProbe();
        const written = await writer.stop();
        expect(written).toBeGreaterThan(50);
      }
      expect(seenWhileCopying).toEqual([expect.objectContaining({ tablesTotal: 7 })]);
      expect(seenWhileCopying[0]!.rows).toBeGreaterThan(0);
      expect(view.error).toBeNull();
      expect(view.state).toBe("replicating");
      expect(view.initialLoad).toMatchObject({
        method: "backupLockAndReadLock",
        stats: { tables: 7, views: 2, routines: 1, triggers: 1, events: 1 },
      });
      expect(view.initialLoad?.stats.definersRewritten).toBe(5);
      expect(view.initialLoad?.notes.join(" ")).toContain("DEFINER");
      expect(view.coordinates).toEqual({
        file: view.initialLoad?.coordinates.file,
        position: view.initialLoad?.coordinates.position,
      });
      expect(view.load).toMatchObject({ tablesDone: 7 });

      await waitForCatchUp(stack);
      const [onSource, onReplica] = await Promise.all([
        checksums(stack.source, LOAD_DATABASES),
        checksums(stack.replica, LOAD_DATABASES),
      ]);
      expect(Object.keys(onSource)).toHaveLength(7);
      expect(onReplica).toEqual(onSource);
      // The copied event does not run on the replica; the view and the procedure work there.
      const [event] = await stack.replica.rootQuery<{ STATUS: string }>(
        "SELECT STATUS FROM information_schema.EVENTS WHERE EVENT_SCHEMA = 'loadtest'",
      );
      expect(event?.STATUS).toMatch(/DISABLED/);
      const [definer] = await stack.replica.rootQuery<{ DEFINER: string }>(
        "SELECT DEFINER FROM information_schema.VIEWS WHERE TABLE_NAME = 'cheap'",
      );
      expect(definer?.DEFINER).toMatch(/^azureadmin/);
      expect(await stack.replica.rootQuery("SELECT COUNT(*) AS n FROM loadtest.cheap_names")).toEqual([
        { n: expect.any(Number) as number },
      ]);
      await removeLink(stack, view.id);
      for (const database of LOAD_DATABASES) await stack.replica.rootQuery(`DROP DATABASE ${database}`);
    });
  });
}
