// Orchestration semantics of the local host: histories, task ids, retries, timers, fan-out, sub-orchestrations.
import { join } from "node:path";
import * as df from "durable-functions";
import { LocalHost } from "../../../dev/host/localHost";
import { ManualClock } from "../../../dev/host/manualClock";
import { flakyFailuresLeft, greetCalls } from "./fixtures/sampleApp";

const sampleApp = join(__dirname, "fixtures", "sampleApp.ts");

/** The history without the per-episode bookkeeping events, as [name, id-ish] pairs. */
function workEvents(host: LocalHost, instanceId: string): [string, number][] {
  return host
    .history(instanceId)
    .filter(
      (e) =>
        !["OrchestratorStarted", "OrchestratorCompleted", "ExecutionStarted", "ExecutionCompleted"].includes(
          e.EventTypeName,
        ),
    )
    .map((e) => [
      e.EventTypeName,
      e.EventId >= 0 ? e.EventId : ((e.TaskScheduledId ?? e.TimerId ?? -1) as number),
    ]);
}

describe("LocalHost orchestrations", () => {
  let host: LocalHost;
  let clock: ManualClock;

  beforeEach(async () => {
    clock = new ManualClock({ autoAdvance: false });
    host = await LocalHost.start({ functionModules: [sampleApp], clock });
    flakyFailuresLeft.clear();
    greetCalls.length = 0;
  });

  afterEach(async () => {
    await host.stop();
  });

  it("runs a chain of three activities and records the extension's history", async () => {
    const id = await host.client.startNew("Chain", { instanceId: "chain-1" });
    const status = await host.waitForInstance(id, { timeoutMs: 5000 });
    expect(status.runtimeStatus).toBe("Completed");
    expect(status.output).toEqual(["Hello A", "Hello Hello A", "Hello Hello Hello A"]);
    expect(host.history(id).map((e) => e.EventTypeName)).toEqual([
      "OrchestratorStarted",
      "ExecutionStarted",
      "TaskScheduled",
      "OrchestratorCompleted",
      "OrchestratorStarted",
      "TaskCompleted",
      "TaskScheduled",
      "OrchestratorCompleted",
      "OrchestratorStarted",
      "TaskCompleted",
      "TaskScheduled",
      "OrchestratorCompleted",
      "OrchestratorStarted",
      "TaskCompleted",
      "OrchestratorCompleted",
      "ExecutionCompleted",
    ]);
    expect(workEvents(host, id)).toEqual([
      ["TaskScheduled", 0],
      ["TaskCompleted", 0],
      ["TaskScheduled", 1],
      ["TaskCompleted", 1],
      ["TaskScheduled", 2],
      ["TaskCompleted", 2],
    ]);
    expect(host.history(id)[5]?.Result).toBe(JSON.stringify("Hello A"));
    expect(host.instance(id)?.activityExecutionCount).toBe(3);
    expect(host.logs.some((l) => l.functionName === "Greet" && l.message === "greeting A")).toBe(true);
  });

  it("retries a failing activity with DTFx RetryInterceptor timing and the real host's task ids", async () => {
    flakyFailuresLeft.set("k", 2);
    const t0 = clock.now();
    const id = await host.client.startNew("RetryFlaky", { input: { key: "k", attempts: 3 } });
    await host.idle();
    // First failure at t0: retry timer at t0 + 1000.
    expect(clock.pendingTimers()).toEqual([t0 + 1000]);
    await clock.advance(1000);
    // Second failure at t0 + 1000: 1000 * 2^1 = 2000 is capped at 1500.
    expect(clock.pendingTimers()).toEqual([t0 + 2500]);
    await clock.advance(1500);
    const status = await host.waitForInstance(id, { timeoutMs: 5000 });
    expect(status.runtimeStatus).toBe("Completed");
    expect(status.output).toBe("ok k");
    expect(workEvents(host, id)).toEqual([
      ["TaskScheduled", 0],
      ["TaskFailed", 0],
      ["TimerCreated", 1],
      ["TimerFired", 1],
      ["TaskScheduled", 2],
      ["TaskFailed", 2],
      ["TimerCreated", 3],
      ["TimerFired", 3],
      ["TaskScheduled", 4],
      ["TaskCompleted", 4],
    ]);
    const timers = host.history(id).filter((e) => e.EventTypeName === "TimerCreated");
    expect(timers.map((e) => e.FireAt)).toEqual([
      new Date(t0 + 1000).toISOString(),
      new Date(t0 + 2500).toISOString(),
    ]);
    const failed = host.history(id).find((e) => e.EventTypeName === "TaskFailed");
    expect(failed?.Reason).toBe("Activity function 'Flaky' failed: transient failure for k");
    expect(String(failed?.Details)).toContain("transient failure for k");
  });

  it("fails the orchestration with the activity's error once the attempts are exhausted", async () => {
    flakyFailuresLeft.set("never", 99);
    const auto = new ManualClock({ autoAdvance: true });
    const autoHost = await LocalHost.start({ functionModules: [sampleApp], clock: auto });
    try {
      const id = await autoHost.client.startNew("RetryFlaky", { input: { key: "never", attempts: 2 } });
      const status = await autoHost.waitForInstance(id, { timeoutMs: 5000 });
      expect(status.runtimeStatus).toBe("Failed");
      expect(String(status.output)).toContain("Orchestrator function 'RetryFlaky' failed: ");
      expect(String(status.output)).toContain(
        "Activity function 'Flaky' failed: transient failure for never",
      );
      // A timer follows the last failure too; the library gives up when it fires.
      expect(workEvents(autoHost, id).map(([name]) => name)).toEqual([
        "TaskScheduled",
        "TaskFailed",
        "TimerCreated",
        "TimerFired",
        "TaskScheduled",
        "TaskFailed",
        "TimerCreated",
        "TimerFired",
      ]);
      expect(autoHost.instance(id)?.activityExecutionCount).toBe(2);
    } finally {
      await autoHost.stop();
    }
  });

  it("lets the orchestrator catch an activity error as new Error(Reason + ' \\n ' + Details)", async () => {
    flakyFailuresLeft.set("once", 1);
    const id = await host.client.startNew("CatchesActivityError", { input: "once" });
    const status = await host.waitForInstance(id, { timeoutMs: 5000 });
    const caught = (status.output as { caught: string }).caught;
    expect(
      caught.startsWith(
        "Activity function 'Flaky' failed: transient failure for once \n Error: transient failure for once",
      ),
    ).toBe(true);
  });

  it("fires a durable timer on a manual clock at exactly the requested FireAt, without sleeping", async () => {
    const t0 = clock.now();
    const id = await host.client.startNew("TimerThenDone");
    await host.idle();
    expect(host.instance(id)?.runtimeStatus).toBe("Running");
    await clock.advance(59 * 60 * 1000);
    expect(host.instance(id)?.runtimeStatus).toBe("Running");
    await clock.advance(60 * 1000);
    const status = await host.waitForInstance(id, { timeoutMs: 5000 });
    const expected = new Date(t0 + 3600_000).toISOString();
    expect(status.output).toEqual({ fireAt: expected, now: expected });
    const created = host.history(id).find((e) => e.EventTypeName === "TimerCreated");
    expect(created?.FireAt).toBe(expected);
  });

  it("splits a timer longer than six days into three-day pieces like the extension", async () => {
    const auto = new ManualClock({ autoAdvance: true });
    const autoHost = await LocalHost.start({ functionModules: [sampleApp], clock: auto });
    try {
      const t0 = auto.now();
      const id = await autoHost.client.startNew("LongTimer");
      const status = await autoHost.waitForInstance(id, { timeoutMs: 5000 });
      expect(status.runtimeStatus).toBe("Completed");
      expect(status.output).toBe(new Date(t0 + 10 * 86400_000).toISOString());
      const fireAts = autoHost
        .history(id)
        .filter((e) => e.EventTypeName === "TimerCreated")
        .map((e) => [e.EventId, e.FireAt]);
      expect(fireAts).toEqual([
        [0, new Date(t0 + 3 * 86400_000).toISOString()],
        // At day 3 the end is still 7 (> 6) days away, so another 3-day piece; at day 6 the final one.
        [1, new Date(t0 + 6 * 86400_000).toISOString()],
        [2, new Date(t0 + 10 * 86400_000).toISOString()],
      ]);
    } finally {
      await autoHost.stop();
    }
  });

  it("fans out with Task.all and sums the results", async () => {
    const id = await host.client.startNew("FanOut", { input: [1, 2, 3, 4] });
    const status = await host.waitForInstance(id, { timeoutMs: 5000 });
    expect(status.output).toBe(30);
    expect(
      workEvents(host, id)
        .filter(([n]) => n === "TaskScheduled")
        .map(([, i]) => i),
    ).toEqual([0, 1, 2, 3]);
  });

  it("races an external event against a timer with Task.any: the event wins", async () => {
    const id = await host.client.startNew("ApprovalRace");
    await host.idle();
    expect((await host.client.getStatus(id)).customStatus).toEqual({ waiting: "Approval" });
    await host.client.raiseEvent(id, "Approval", { by: "alice" });
    const status = await host.waitForInstance(id, { timeoutMs: 5000 });
    expect(status.output).toEqual({ approved: { by: "alice" } });
    expect(workEvents(host, id)).toEqual([
      ["TimerCreated", 0],
      ["EventRaised", -1],
    ]);
  });

  it("races an external event against a timer with Task.any: the timer wins", async () => {
    const id = await host.client.startNew("ApprovalRace");
    await host.idle();
    await clock.advance(30 * 60 * 1000);
    const status = await host.waitForInstance(id, { timeoutMs: 5000 });
    expect(status.output).toBe("timed out");
  });

  it("fails an orchestration whose custom status exceeds 16 KB of UTF-16 JSON, as the Durable extension does", async () => {
    // {"text":"..."} is 11 characters plus the text; 16 KB of UTF-16 is 8192 characters, and the extension truncates
    // the size to whole kilobytes, so 8,703 characters (16.998 KB) pass and 8,704 (17 KB) fail.
    const fits = await host.client.startNew("GrowingStatus", { input: 8703 - 11 });
    const fitsStatus = await host.waitForInstance(fits, { timeoutMs: 5000 });
    expect(fitsStatus.runtimeStatus).toBe("Completed");

    const id = await host.client.startNew("GrowingStatus", { input: 8704 - 11 });
    const status = await host.waitForInstance(id, { timeoutMs: 5000 });
    expect(status.runtimeStatus).toBe("Failed");
    expect(status.output).toBe(
      "The UTF-16 size of the JSON-serialized payload must not exceed 16 KB. The current payload size is 17 KB.",
    );
    // The status keeps its last accepted value, and nothing the failing episode asked for was scheduled.
    expect(status.customStatus).toEqual({ step: "small" });
    expect(greetCalls.filter((name) => name === "B")).toHaveLength(1);
  });

  it("buffers events raised before the orchestrator waits for them", async () => {
    const id = await host.client.startNew("WaitForTwoEvents");
    await host.client.raiseEvent(id, "Second", 2);
    await host.client.raiseEvent(id, "First", 1);
    const status = await host.waitForInstance(id, { timeoutMs: 5000 });
    expect(status.output).toEqual([1, 2]);
  });

  it("runs sub-orchestrations with explicit and generated child instance ids", async () => {
    const id = await host.client.startNew("Parent", { instanceId: "parent-1" });
    const status = await host.waitForInstance(id, { timeoutMs: 5000 });
    expect(status.output).toEqual({
      child: ["Hello A", "Hello Hello A", "Hello Hello Hello A"],
      generated: 5,
    });
    const created = host.history(id).filter((e) => e.EventTypeName === "SubOrchestrationInstanceCreated");
    expect(created.map((e) => [e.EventId, e.InstanceId])).toEqual([
      [0, "parent-1-child"],
      [1, "parent-1:1"],
    ]);
    expect(host.instance("parent-1-child")?.parentInstanceId).toBe("parent-1");
    expect(host.instance("parent-1:1")?.runtimeStatus).toBe("Completed");
  });

  it("continues as new with a fresh history and the new input", async () => {
    const id = await host.client.startNew("Counter", { input: 0 });
    const status = await host.waitForInstance(id, { timeoutMs: 5000 });
    expect(status.runtimeStatus).toBe("Completed");
    expect(status.output).toBe("done at 3");
    expect(status.input).toBe(3);
    const history = host.history(id);
    expect(history[1]?.EventTypeName).toBe("ExecutionStarted");
    expect(history[1]?.Input).toBe("3");
    expect(history.filter((e) => e.EventTypeName === "TaskScheduled").map((e) => e.EventId)).toEqual([0]);
    expect(host.instance(id)?.activityExecutionCount).toBe(4);
  });

  it("stores an undefined activity result as null", async () => {
    const id = await host.client.startNew("ReturnsNothingActivity");
    const status = await host.waitForInstance(id, { timeoutMs: 5000 });
    expect(status.output).toEqual({ value: "was null" });
    expect(host.history(id).find((e) => e.EventTypeName === "TaskCompleted")?.Result).toBe("null");
  });

  it("fails an orchestration that calls callHttp, saying the local host does not support it", async () => {
    const id = await host.client.startNew("CallsHttp");
    const status = await host.waitForInstance(id, { timeoutMs: 5000 });
    expect(status.runtimeStatus).toBe("Failed");
    expect(String(status.output)).toContain("not supported by the local host");
    expect(host.logs.some((l) => l.level === "error" && l.message.includes("callHttp"))).toBe(true);
  });

  it("terminates a waiting instance and drops its pending timer", async () => {
    const id = await host.client.startNew("ApprovalRace");
    await host.idle();
    expect(clock.pendingTimers()).toHaveLength(1);
    await host.client.terminate(id, "operator said so");
    const status = await host.waitForInstance(id, { timeoutMs: 5000 });
    expect(status.runtimeStatus).toBe("Terminated");
    expect(status.output).toBe("operator said so");
    expect(clock.pendingTimers()).toHaveLength(0);
    await expect(host.client.raiseEvent(id, "Approval", 1)).resolves.toBeUndefined(); // 410 is not an error
    const purged = await host.client.purgeInstanceHistory(id);
    expect(purged.instancesDeleted).toBe(1);
    await expect(host.client.getStatus(id)).rejects.toThrow(/404/);
  });

  it("refuses to start an instance id that is still running, and replaces a finished one", async () => {
    await host.client.startNew("ApprovalRace", { instanceId: "dup" });
    await host.idle();
    await expect(host.client.startNew("Chain", { instanceId: "dup" })).rejects.toThrow(
      /500.*An Orchestration instance with the status Running already exists/,
    );
    await host.client.terminate("dup", "done");
    await host.client.startNew("Chain", { instanceId: "dup" });
    const status = await host.waitForInstance("dup", { timeoutMs: 5000 });
    expect(status.name).toBe("Chain");
    expect(status.runtimeStatus).toBe("Completed");
  });

  it("lists instances with runtimeStatus filters through getStatusBy", async () => {
    const a = await host.client.startNew("Chain");
    await host.waitForInstance(a, { timeoutMs: 5000 });
    const b = await host.client.startNew("ApprovalRace");
    await host.idle();
    const running = await host.client.getStatusBy({ runtimeStatus: [df.OrchestrationRuntimeStatus.Running] });
    expect(running.map((s) => s.instanceId)).toEqual([b]);
    const all = await host.client.getStatusAll();
    expect(all.map((s) => s.instanceId).sort()).toEqual([a, b].sort());
  });

  it("runs every activity twice with executeActivitiesTwice and keeps the second result", async () => {
    const twice = await LocalHost.start({
      functionModules: [sampleApp],
      clock,
      executeActivitiesTwice: true,
    });
    try {
      const id = await twice.client.startNew("Chain");
      const status = await twice.waitForInstance(id, { timeoutMs: 5000 });
      expect(status.output).toEqual(["Hello A", "Hello Hello A", "Hello Hello Hello A"]);
      expect(greetCalls).toEqual(["A", "A", "Hello A", "Hello A", "Hello Hello A", "Hello Hello A"]);
      expect(twice.stats().activityExecutions).toBe(6);
    } finally {
      await twice.stop();
    }
  });
});
