// Initial load under faults, every activity run twice (at-least-once, as after an app crash): a source restart and a lost replica connection mid-copy restart the copy at a new snapshot with nothing lost or doubled; a failure after the copy undoes it.
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

jest.setTimeout(150_000);

interface View {
  id: string;
  state: string;
  rolledBack: boolean | null;
  error: { code: string; message: string } | null;
  changes: string[];
  initialLoad: { coordinates: { file: string; position: number }; stats: { attempt: number } } | null;
  coordinates: { file: string; position: number } | null;
}

describe("initial load: faults, and every activity executed twice", () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startE2eStack({ executeActivitiesTwice: true });
    await grantLoadPrivileges(stack);
    await stack.replica.rootQuery("SET GLOBAL log_bin_trust_function_creators = ON");
    await createLoadData(stack.source, 15_000);
  });
  afterAll(async () => {
    if (!stack) return;
    expectNoSecrets(await everythingRecorded(stack), stack.secrets);
    await stack.stop();
  });

  async function replicaDatabases(): Promise<string[]> {
    const rows = await stack.replica.rootQuery<{ s: string }>(
      "SELECT SCHEMA_NAME AS s FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN ('loadtest', 'loadextra')",
    );
    return rows.map((row) => row.s);
  }

  async function removeLinkAndData(id: string): Promise<void> {
    await stack.host.invokeHttp({ method: "DELETE", path: `/api/replications/${id}` });
    await stack.host.waitForInstance(`${id}-teardown`, { timeoutMs: 60_000 }).catch(() => undefined);
    for (const database of LOAD_DATABASES)
      await stack.replica.rootQuery(`DROP DATABASE IF EXISTS ${database}`);
  }

  /** Provisions with a load while a writer runs and `fault` strikes once after the given batch; returns the view. */
  async function loadWithFault(afterBatch: number, fault: () => Promise<void>): Promise<View> {
    let fired = false;
    const restore = setLoadHooks({
      tuning: { batchRows: 500, chunkRows: 3_000 },
      afterBatch: async (batches) => {
        if (fired || batches < afterBatch) return;
        fired = true;
        await fault();
      },
    });
    const writer = startWriter(stack.source);
    try {
      const { view } = await provisionAndWait(stack, loadRequest(stack));
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(fired).toBe(true);
      return view as unknown as View;
    } finally {
      await writer.stop();
      restore();
    }
  }

  async function expectEqualAfterCatchUp(): Promise<void> {
    await waitForCatchUp(stack);
    const [onSource, onReplica] = await Promise.all([
      checksums(stack.source, LOAD_DATABASES),
      checksums(stack.replica, LOAD_DATABASES),
    ]);
    expect(Object.keys(onSource)).toHaveLength(7);
    expect(onReplica).toEqual(onSource);
  }

  it("a permanent failure after the copy (replication password rotated) removes the link and every loaded database", async () => {
    // Not awaited: the copy holds LOCK INSTANCE FOR BACKUP, which blocks account management until it ends, so the
    // ALTER USER lands right after the copy, before the link starts (awaiting it inside the copy would deadlock).
    let rotated: Promise<unknown> = Promise.resolve();
    const view = await loadWithFault(3, () => {
      rotated = stack.source.rootQuery("ALTER USER 'repl'@'%' IDENTIFIED BY 'rotated-elsewhere'");
      return Promise.resolve();
    });
    await rotated;
    try {
      expect(view).toMatchObject({ state: "failed", rolledBack: true, error: { code: "MYSQL_1045" } });
      expect(view.changes.join("\n")).toMatch(/loaded 7 table\(s\)/);
      // The undo ran twice (every activity does here): the second finds nothing left to drop, and which of the two
      // results the history keeps is the host's choice, so the outcome is asserted on the replica, not in the wording.
      expect(await replicaDatabases()).toEqual([]);
      expect(await stack.replica.rootQuery("SHOW REPLICA STATUS")).toEqual([]);
    } finally {
      await stack.source.rootQuery("ALTER USER 'repl'@'%' IDENTIFIED BY ?", [
        stack.secrets.replicationPassword,
      ]);
    }
  });

  it("a source restart mid-copy: the copy starts again at a new snapshot, and nothing is lost or applied twice", async () => {
    const view = await loadWithFault(5, () => stack.source.restart());
    expect(view.error).toBeNull();
    expect(view.state).toBe("replicating");
    expect(view.coordinates).toEqual({
      file: view.initialLoad?.coordinates.file,
      position: view.initialLoad?.coordinates.position,
    });
    await expectEqualAfterCatchUp();
    await removeLinkAndData(view.id);
  });

  it("the replica's connections lost mid-copy: the copy starts again clean, checksums equal", async () => {
    const view = await loadWithFault(5, async () => {
      const sessions = await stack.replica.rootQuery<{ id: number }>(
        "SELECT ID AS id FROM information_schema.PROCESSLIST WHERE USER LIKE 'azureadmin%'",
      );
      for (const { id } of sessions)
        await stack.replica.rootQuery(`KILL ${Number(id)}`).catch(() => undefined);
    });
    expect(view.error).toBeNull();
    expect(view.state).toBe("replicating");
    await expectEqualAfterCatchUp();
    await removeLinkAndData(view.id);
  });
});
