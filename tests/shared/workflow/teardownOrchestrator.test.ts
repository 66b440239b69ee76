// Teardown as its history records it: load the row, remove the link, record the outcome; nothing scheduled for a gone link.
import { teardownOrchestrator } from "../../../shared/workflow/teardownOrchestrator";
import { drive, names } from "./fakeOrchestration";
import { earlierFlatLinkRecord, linkRecord } from "./linkRecordFixture";

const removed = { ok: true, actions: [{ action: "removeLink", outcome: "done", detail: "removed" }] };

function teardown(results: Record<string, unknown>, input: unknown = "rpl-1") {
  return drive(teardownOrchestrator, (task) => ({ value: results[task.name] }), { input });
}

describe("teardownOrchestrator", () => {
  it("removes the link and marks the row removed", () => {
    const run = teardown({ loadLink: linkRecord(), rollbackProvisioning: removed, setLinkState: null });
    expect(names(run)).toEqual(["loadLink", "rollbackProvisioning", "setLinkState"]);
    expect(run.scheduled[2]).toMatchObject({ input: { id: "rpl-1", state: "removed", lastError: null } });
    expect(run.result).toEqual({ id: "rpl-1", state: "removed", actions: removed.actions, error: null });
    expect(run.statuses).toEqual([{ step: "removing" }]);
  });

  it("replays a history recorded by the earlier version, whose loadLink result is the flat row, to the same end", () => {
    const results = { rollbackProvisioning: removed, setLinkState: null };
    const earlier = teardown({ ...results, loadLink: earlierFlatLinkRecord() });
    const current = teardown({ ...results, loadLink: linkRecord() });
    expect(earlier.thrown).toBeUndefined();
    expect(earlier.scheduled).toEqual(current.scheduled);
    expect(earlier.result).toEqual(current.result);
  });

  it("keeps the row's state when removing fails, and says why", () => {
    const failed = { ok: false, actions: [], error: "the replica refused" };
    const run = teardown({
      loadLink: linkRecord({ state: "failed" }),
      rollbackProvisioning: failed,
      setLinkState: null,
    });
    expect(run.scheduled[2]).toMatchObject({
      input: { state: "failed", lastError: "Teardown failed: the replica refused" },
    });
    expect(run.result).toMatchObject({ state: "failed", error: "the replica refused" });
  });

  it("schedules nothing more for a link not registered or already removed", () => {
    expect(teardown({ loadLink: null }).result).toMatchObject({
      state: "failed",
      error: "The link is not registered.",
    });
    const gone = teardown({ loadLink: linkRecord({ state: "removed" }) });
    expect(names(gone)).toEqual(["loadLink"]);
    expect(gone.result).toMatchObject({ state: "removed", error: null });
  });

  it("refuses an empty id, and a registry row of the wrong shape", () => {
    expect(String(teardown({}, "").thrown)).toMatch(/Invalid orchestration input/);
    expect(String(teardown({ loadLink: { id: 7 } }).thrown)).toMatch(
      /loadLink returned an unexpected result shape/,
    );
  });
});
