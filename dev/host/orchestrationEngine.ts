// The Durable extension's part of the local host: instance store, history, episodes through the library's own
// Orchestrator, activities, retries, timers, sub-orchestrations and external events, all in memory.
import { ActionType } from "./actionType";
import { randomUUID } from "node:crypto";
import { format } from "node:util";
import { InvocationContext, type LogLevel } from "@azure/functions";
import { type Clock, type ClockHost, type ClockTimer } from "./clock";
import { EventType, historyEvent, type HistoryEvent } from "./historyEvent";
import { type HostFunction } from "./hostFunction";
import { NotSupportedByLocalHostError } from "./notSupportedError";
import { retryDelayMs, type WireRetryOptions } from "./retryDelay";

export type RuntimeStatus = "Pending" | "Running" | "Completed" | "Failed" | "Terminated" | "ContinuedAsNew";

export const terminalStatuses: ReadonlySet<RuntimeStatus> = new Set(["Completed", "Failed", "Terminated"]);

export interface LogRecord {
  level: LogLevel;
  functionName: string;
  invocationId: string;
  message: string;
}

/** A snapshot of one instance, as getStatus would describe it plus the host's counters. */
export interface InstanceSnapshot {
  instanceId: string;
  name: string;
  executionId: string;
  runtimeStatus: RuntimeStatus;
  input: unknown;
  output: unknown;
  customStatus: unknown;
  createdTime: Date;
  lastUpdatedTime: Date;
  parentInstanceId: string | undefined;
  /** Events in the current execution's history. */
  historyEventCount: number;
  /** Orchestrator episodes (replays) run for this instance, all executions. */
  episodeCount: number;
  /** Activity function executions started for this instance, all executions, each retry attempt counted. */
  activityExecutionCount: number;
  /** Set when the instance can never progress, e.g. a retry whose retryTimeout passed (durable-js issue 629). */
  stuckReason: string | undefined;
}

export interface EngineOptions {
  clock: Clock;
  functions: ReadonlyMap<string, HostFunction>;
  executeActivitiesTwice: boolean;
  log: (record: LogRecord) => void;
}

/** What the extension sends with every episode besides history and input (schema V3, durations as .NET TimeSpans). */
const episodeSettings = {
  upperSchemaVersion: 1,
  upperSchemaVersionNew: 2,
  longRunningTimerIntervalDuration: "3.00:00:00",
  maximumShortTimerDuration: "6.00:00:00",
  defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
};
const longRunningTimerIntervalMs = 3 * 24 * 3600 * 1000;
const maximumShortTimerMs = 6 * 24 * 3600 * 1000;

const outOfProcDataLabel = "\n\n$OutOfProcData$:";

interface WireAction {
  actionType: number;
  functionName?: string;
  input?: unknown;
  instanceId?: string;
  retryOptions?: WireRetryOptions;
  fireAt?: string;
  isCanceled?: boolean;
  externalEventName?: string;
  compoundActions?: WireAction[];
}

interface WireOrchestratorState {
  isDone?: boolean;
  actions?: WireAction[][];
  output?: unknown;
  error?: string;
  customStatus?: unknown;
}

interface RetryState {
  kind: "activity" | "subOrchestration";
  name: string;
  input: unknown;
  explicitChildId: string | undefined;
  options: WireRetryOptions;
  firstAttemptMs: number;
  failures: number;
}

interface LongTimerState {
  finalFireAtMs: number;
  finalFireAt: string;
}

interface QueuedEvent {
  event: HistoryEvent;
  /** Completions belong to one execution; external events follow the instance across continueAsNew. */
  executionId: string | undefined;
}

interface Instance {
  instanceId: string;
  name: string;
  executionId: string;
  status: RuntimeStatus;
  inputJson: string | null;
  output: unknown;
  customStatus: unknown;
  createdTime: Date;
  lastUpdatedTime: Date;
  history: HistoryEvent[];
  queue: QueuedEvent[];
  running: boolean;
  nextTaskId: number;
  knownActionCount: number;
  retries: Map<number, RetryState>;
  longTimers: Map<number, LongTimerState>;
  timers: Set<ClockTimer>;
  parent: { instanceId: string; executionId: string; taskId: number } | undefined;
  episodeCount: number;
  activityExecutionCount: number;
  stuckReason: string | undefined;
}

export class EngineRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "EngineRequestError";
  }
}

/** Runs orchestrations the way the Durable extension drives an out-of-process (JS) worker. */
export class OrchestrationEngine implements ClockHost {
  readonly #clock: Clock;
  readonly #functions: ReadonlyMap<string, HostFunction>;
  readonly #executeTwice: boolean;
  readonly #log: (record: LogRecord) => void;
  readonly #instances = new Map<string, Instance>();
  readonly #terminalWaiters = new Map<string, ((s: InstanceSnapshot) => void)[]>();
  #inFlight = 0;
  #idleCheckScheduled = false;
  #idleWaiters: (() => void)[] = [];
  readonly #idleListeners = new Set<() => void>();
  #stopped = false;
  #totalActivityExecutions = 0;

  constructor(options: EngineOptions) {
    this.#clock = options.clock;
    this.#functions = options.functions;
    this.#executeTwice = options.executeActivitiesTwice;
    this.#log = options.log;
  }

  get totalActivityExecutions(): number {
    return this.#totalActivityExecutions;
  }

  // ---- client operations -------------------------------------------------------------------------------------

  /**
   * Mirrors the extension's default OverridableExistingInstanceStates = NonRunningStates: an existing instance that
   * is Pending/Running/ContinuedAsNew makes start fail (the HTTP API answers 500 with an InvalidOperationException);
   * a Completed/Failed/Terminated one is replaced by a fresh execution.
   */
  startNew(name: string, inputJson: string | null, instanceId?: string): string {
    if (this.#stopped) throw new EngineRequestError(503, "The local host is stopped.");
    const fn = this.#functions.get(name);
    if (!fn || fn.triggerType !== "orchestrationTrigger") {
      throw new EngineRequestError(
        400,
        `The function '${name}' doesn't exist, is disabled, or is not an orchestrator function.`,
      );
    }
    const id = instanceId ?? randomUUID().replace(/-/g, "");
    this.#createInstance(fn.name, inputJson, id, undefined);
    return id;
  }

  raiseEvent(instanceId: string, eventName: string, inputJson: string | null): void {
    const inst = this.#requireInstance(instanceId);
    if (terminalStatuses.has(inst.status)) {
      throw new EngineRequestError(410, `Instance '${instanceId}' is in the ${inst.status} state.`);
    }
    const now = this.#clock.now();
    this.#enqueue(inst, historyEvent("EventRaised", now, { Name: eventName, Input: inputJson }), undefined);
  }

  /** Terminated at once: queued events, timers and in-flight activity results of this execution are dropped. */
  terminate(instanceId: string, reason: string): void {
    const inst = this.#requireInstance(instanceId);
    if (terminalStatuses.has(inst.status)) {
      throw new EngineRequestError(410, `Instance '${instanceId}' is in the ${inst.status} state.`);
    }
    const now = this.#clock.now();
    inst.history.push(historyEvent("ExecutionTerminated", now, { Input: JSON.stringify(reason) }));
    this.#finish(inst, "Terminated", reason, now);
  }

  /** Like the extension, only a finished instance can be purged; otherwise nothing is deleted. */
  purge(instanceId: string): boolean {
    const inst = this.#instances.get(instanceId);
    if (!inst || !terminalStatuses.has(inst.status)) return false;
    this.#instances.delete(instanceId);
    return true;
  }

  snapshot(instanceId: string): InstanceSnapshot | undefined {
    const inst = this.#instances.get(instanceId);
    return inst ? this.#snapshotOf(inst) : undefined;
  }

  snapshots(): InstanceSnapshot[] {
    return [...this.#instances.values()].map((i) => this.#snapshotOf(i));
  }

  /** A deep copy of the current execution's history. */
  history(instanceId: string): HistoryEvent[] {
    const inst = this.#requireInstance(instanceId);
    return structuredClone(inst.history);
  }

  waitForTerminal(instanceId: string, timeoutMs: number): Promise<InstanceSnapshot> {
    const current = this.snapshot(instanceId);
    if (current && terminalStatuses.has(current.runtimeStatus)) return Promise.resolve(current);
    return new Promise<InstanceSnapshot>((resolve, reject) => {
      const timer = setTimeout(() => {
        remove();
        const s = this.snapshot(instanceId);
        reject(
          new Error(
            `waitForInstance(${instanceId}) timed out after ${timeoutMs} ms; status ${s?.runtimeStatus ?? "unknown"}` +
              (s?.stuckReason ? ` (stuck: ${s.stuckReason})` : "") +
              ". With a ManualClock, advance it or use autoAdvance.",
          ),
        );
      }, timeoutMs);
      const waiter = (s: InstanceSnapshot): void => {
        clearTimeout(timer);
        resolve(s);
      };
      const list = this.#terminalWaiters.get(instanceId) ?? [];
      list.push(waiter);
      this.#terminalWaiters.set(instanceId, list);
      const remove = (): void => {
        const l = this.#terminalWaiters.get(instanceId);
        if (l) l.splice(l.indexOf(waiter), 1);
      };
    });
  }

  stop(): void {
    this.#stopped = true;
    for (const inst of this.#instances.values()) this.#cancelTimers(inst);
  }

  // ---- idle tracking (ClockHost) -------------------------------------------------------------------------------

  whenIdle(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#idleWaiters.push(resolve);
      this.#scheduleIdleCheck();
    });
  }

  onIdle(listener: () => void): () => void {
    this.#idleListeners.add(listener);
    this.#scheduleIdleCheck();
    return () => this.#idleListeners.delete(listener);
  }

  /** Work outside the engine (an HTTP invocation, a client call) that must finish before the host counts as idle. */
  async track<T>(work: () => Promise<T>): Promise<T> {
    this.#begin();
    try {
      return await work();
    } finally {
      this.#end();
    }
  }

  #begin(): void {
    this.#inFlight++;
  }

  #end(): void {
    this.#inFlight--;
    if (this.#inFlight === 0) this.#scheduleIdleCheck();
  }

  #scheduleIdleCheck(): void {
    if (this.#idleCheckScheduled) return;
    this.#idleCheckScheduled = true;
    // setImmediate lets promise chains that are about to start more work (begin()) run first.
    setImmediate(() => {
      this.#idleCheckScheduled = false;
      if (this.#inFlight !== 0 || this.#stopped) {
        if (this.#stopped) this.#releaseIdleWaiters();
        return;
      }
      this.#releaseIdleWaiters();
      for (const listener of [...this.#idleListeners]) listener();
    });
  }

  #releaseIdleWaiters(): void {
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }

  // ---- instances -----------------------------------------------------------------------------------------------

  #requireInstance(instanceId: string): Instance {
    const inst = this.#instances.get(instanceId);
    if (!inst) throw new EngineRequestError(404, `No instance with ID '${instanceId}' found.`);
    return inst;
  }

  #createInstance(
    name: string,
    inputJson: string | null,
    instanceId: string,
    parent: Instance["parent"],
  ): Instance {
    const existing = this.#instances.get(instanceId);
    if (existing && !terminalStatuses.has(existing.status)) {
      throw new EngineRequestError(
        500,
        `An Orchestration instance with the status ${existing.status} already exists.`,
      );
    }
    if (existing) this.#cancelTimers(existing);
    const now = new Date(this.#clock.now());
    const inst: Instance = {
      instanceId,
      name,
      executionId: randomUUID().replace(/-/g, ""),
      status: "Pending",
      inputJson,
      output: null,
      customStatus: null,
      createdTime: now,
      lastUpdatedTime: now,
      history: [],
      queue: [],
      running: false,
      nextTaskId: 0,
      knownActionCount: 0,
      retries: new Map(),
      longTimers: new Map(),
      timers: new Set(),
      parent,
      episodeCount: 0,
      activityExecutionCount: 0,
      stuckReason: undefined,
    };
    this.#instances.set(instanceId, inst);
    this.#enqueue(inst, this.#executionStarted(inst, now.getTime()), inst.executionId);
    return inst;
  }

  #executionStarted(inst: Instance, nowMs: number): HistoryEvent {
    return historyEvent("ExecutionStarted", nowMs, {
      Name: inst.name,
      Version: "",
      Input: inst.inputJson,
      OrchestrationInstance: { InstanceId: inst.instanceId, ExecutionId: inst.executionId },
      ParentInstance: inst.parent
        ? {
            OrchestrationInstance: { InstanceId: inst.parent.instanceId },
            TaskScheduleId: inst.parent.taskId,
          }
        : null,
    });
  }

  #snapshotOf(inst: Instance): InstanceSnapshot {
    return {
      instanceId: inst.instanceId,
      name: inst.name,
      executionId: inst.executionId,
      runtimeStatus: inst.status,
      input: parseJsonOrNull(inst.inputJson),
      output: inst.output,
      customStatus: inst.customStatus,
      createdTime: inst.createdTime,
      lastUpdatedTime: inst.lastUpdatedTime,
      parentInstanceId: inst.parent?.instanceId,
      historyEventCount: inst.history.length,
      episodeCount: inst.episodeCount,
      activityExecutionCount: inst.activityExecutionCount,
      stuckReason: inst.stuckReason,
    };
  }

  #enqueue(inst: Instance, event: HistoryEvent, executionId: string | undefined): void {
    this.#begin();
    inst.queue.push({ event, executionId });
    this.#pump(inst);
  }

  /** Delivers a completion from outside (activity, timer, child) if its execution is still the live one. */
  #deliver(instanceId: string, executionId: string, event: HistoryEvent): void {
    const inst = this.#instances.get(instanceId);
    if (!inst || inst.executionId !== executionId || terminalStatuses.has(inst.status) || this.#stopped)
      return;
    this.#enqueue(inst, event, executionId);
  }

  /** One episode at a time per instance; other instances and activities keep running meanwhile. */
  #pump(inst: Instance): void {
    if (inst.running) return;
    const next = inst.queue.shift();
    if (!next) return;
    inst.running = true;
    void this.#runEpisode(inst, next)
      .catch((err: unknown) => {
        // A bug in the host itself: fail the instance loudly rather than leave it hanging.
        this.#hostLog("error", inst, `local host episode error: ${errorText(err)}`);
        if (!terminalStatuses.has(inst.status)) {
          this.#finish(inst, "Failed", `Local host error: ${errorMessage(err)}`, this.#clock.now());
        }
      })
      .finally(() => {
        inst.running = false;
        this.#end();
        this.#pump(inst);
      });
  }

  // ---- episodes ------------------------------------------------------------------------------------------------

  async #runEpisode(inst: Instance, queued: QueuedEvent): Promise<void> {
    if (terminalStatuses.has(inst.status) || this.#stopped) return;
    if (queued.executionId !== undefined && queued.executionId !== inst.executionId) return;
    const fn = this.#functions.get(inst.name);
    if (!fn) throw new Error(`orchestrator '${inst.name}' is not registered`);

    const nowMs = this.#clock.now();
    for (const e of inst.history) e.IsPlayed = true;
    const wasReplaying = inst.history.length > 0;
    inst.history.push(historyEvent("OrchestratorStarted", nowMs));
    const newEvent = { ...queued.event, IsPlayed: false };
    inst.history.push(newEvent);
    if (inst.status === "Pending") inst.status = "Running";

    // The extension's own follow-ups to the new event (retry timers, retry attempts, long-timer pieces). The library
    // numbers them while it processes that event, before any task the orchestrator yields in this episode.
    const afterEpisode: (() => void)[] = [];
    const followUpEvents = this.#planFollowUps(inst, newEvent, nowMs, afterEpisode);

    const invocationId = randomUUID();
    const context = new InvocationContext({
      invocationId,
      functionName: fn.name,
      logHandler: (level, ...args) =>
        this.#log({ level, functionName: fn.name, invocationId, message: format(...args) }),
      options: { trigger: fn.trigger, extraInputs: [], extraOutputs: [] },
    });
    const payload = {
      history: structuredClone(inst.history),
      input: parseJsonOrNull(inst.inputJson),
      instanceId: inst.instanceId,
      isReplaying: wasReplaying,
      parentInstanceId: inst.parent?.instanceId ?? "",
      ...episodeSettings,
    };

    let state: WireOrchestratorState;
    let failure: string | undefined;
    try {
      const result = await fn.handler(payload, context);
      state = toWire(result) as WireOrchestratorState;
    } catch (err) {
      const parsed = parseOrchestrationFailure(err);
      state = parsed.state;
      // durable-functions 3.5 builds the thrown error from `orchestratorReturned` (so its text is "false"); the real
      // message is the state's `error`, which is also what the extension reports.
      failure = typeof state.error === "string" && state.error !== "" ? state.error : parsed.message;
    }
    inst.episodeCount++;
    if (terminalStatuses.has(inst.status)) return; // terminated while the episode ran
    const statusTooLarge = customStatusTooLarge(state.customStatus);
    if (statusTooLarge !== undefined) {
      // The extension sets the custom status before it looks at the actions: the episode schedules nothing, the
      // status keeps its previous value, and the instance fails with the ArgumentException's message.
      inst.history.push(...followUpEvents);
      this.#completeEpisode(inst, nowMs);
      this.#finish(inst, "Failed", statusTooLarge, nowMs);
      return;
    }
    if (state.customStatus !== undefined) inst.customStatus = state.customStatus;
    inst.history.push(...followUpEvents);

    if (failure !== undefined) {
      this.#completeEpisode(inst, nowMs);
      this.#finish(inst, "Failed", `Orchestrator function '${inst.name}' failed: ${failure}`, nowMs);
      return;
    }

    const allActions = (state.actions ?? []).flat();
    const newActions = allActions.slice(inst.knownActionCount);
    inst.knownActionCount = allActions.length;
    const continueAsNew = newActions.find((a) => a.actionType === ActionType.ContinueAsNew);
    try {
      for (const action of newActions) {
        if (action.actionType === ActionType.ContinueAsNew) continue;
        this.#scheduleAction(inst, action, nowMs, afterEpisode);
      }
    } catch (err) {
      if (!(err instanceof NotSupportedByLocalHostError)) throw err;
      this.#hostLog("error", inst, err.message);
      this.#completeEpisode(inst, nowMs);
      this.#finish(inst, "Failed", `Orchestrator function '${inst.name}' failed: ${err.message}`, nowMs);
      return;
    }
    this.#completeEpisode(inst, nowMs);

    if (continueAsNew) {
      this.#continueAsNew(inst, continueAsNew, nowMs);
      return;
    }
    if (state.isDone) {
      this.#finish(inst, "Completed", state.output ?? null, nowMs);
      return;
    }
    for (const start of afterEpisode) start();
  }

  #completeEpisode(inst: Instance, nowMs: number): void {
    inst.history.push(historyEvent("OrchestratorCompleted", nowMs));
    inst.lastUpdatedTime = new Date(nowMs);
  }

  #allocateTaskId(inst: Instance): number {
    return inst.nextTaskId++;
  }

  /** Task ids are handed out in the order the library's TaskOrchestrationExecutor.trackOpenTask does. */
  #scheduleAction(inst: Instance, action: WireAction, nowMs: number, afterEpisode: (() => void)[]): void {
    switch (action.actionType) {
      case ActionType.WhenAny:
      case ActionType.WhenAll:
        for (const child of action.compoundActions ?? [])
          this.#scheduleAction(inst, child, nowMs, afterEpisode);
        return;
      case ActionType.WaitForExternalEvent: // matched by name, no task id, nothing to schedule
        return;
      case ActionType.CallActivity:
      case ActionType.CallActivityWithRetry: {
        const name = requireString(action.functionName, "functionName");
        const input = activityInput(action.input);
        const taskId = this.#allocateTaskId(inst);
        inst.history.push(
          historyEvent("TaskScheduled", nowMs, { Name: name, Input: toJsonText(input) }, taskId),
        );
        if (action.actionType === ActionType.CallActivityWithRetry) {
          inst.retries.set(taskId, {
            kind: "activity",
            name,
            input,
            explicitChildId: undefined,
            options: requireRetryOptions(action.retryOptions),
            firstAttemptMs: nowMs,
            failures: 0,
          });
        }
        afterEpisode.push(() => this.#startActivity(inst, taskId, name, input));
        return;
      }
      case ActionType.CallSubOrchestrator:
      case ActionType.CallSubOrchestratorWithRetry: {
        const name = requireString(action.functionName, "functionName");
        const taskId = this.#allocateTaskId(inst);
        const childId = action.instanceId || `${inst.instanceId}:${taskId}`;
        if (action.actionType === ActionType.CallSubOrchestratorWithRetry) {
          inst.retries.set(taskId, {
            kind: "subOrchestration",
            name,
            input: action.input,
            explicitChildId: action.instanceId || undefined,
            options: requireRetryOptions(action.retryOptions),
            firstAttemptMs: nowMs,
            failures: 0,
          });
        }
        inst.history.push(
          historyEvent(
            "SubOrchestrationInstanceCreated",
            nowMs,
            { Name: name, InstanceId: childId, Input: toJsonText(action.input) },
            taskId,
          ),
        );
        afterEpisode.push(() => this.#startChild(inst, taskId, name, childId, action.input));
        return;
      }
      case ActionType.CreateTimer: {
        const fireAt = requireString(action.fireAt, "fireAt");
        const fireAtMs = Date.parse(fireAt);
        const taskId = this.#allocateTaskId(inst);
        // The library yields the final fireAt and waits on 3-day pieces once it is more than 6 days away (schema V3).
        if (fireAtMs - nowMs > maximumShortTimerMs) {
          const pieceAt = new Date(nowMs + longRunningTimerIntervalMs).toISOString();
          inst.longTimers.set(taskId, { finalFireAtMs: fireAtMs, finalFireAt: fireAt });
          this.#createTimer(inst, taskId, pieceAt, nowMs, afterEpisode);
        } else {
          this.#createTimer(inst, taskId, fireAt, nowMs, afterEpisode);
        }
        return;
      }
      case ActionType.CallEntity:
        throw new NotSupportedByLocalHostError("callEntity (CallEntity action)");
      case ActionType.CallHttp:
        throw new NotSupportedByLocalHostError("callHttp (CallHttp action)");
      case ActionType.SignalEntity:
        throw new NotSupportedByLocalHostError("signalEntity (SignalEntity action)");
      case ActionType.LockEntities:
      case ActionType.ReleaseEntities:
        throw new NotSupportedByLocalHostError("Entity locking (lock/release actions)");
      default:
        throw new NotSupportedByLocalHostError(`Action type ${action.actionType}`);
    }
  }

  #createTimer(
    inst: Instance,
    timerId: number,
    fireAt: string,
    nowMs: number,
    afterEpisode: (() => void)[],
    into: HistoryEvent[] = inst.history,
  ): void {
    into.push(historyEvent("TimerCreated", nowMs, { FireAt: fireAt }, timerId));
    afterEpisode.push(() => {
      const executionId = inst.executionId;
      const handle = this.#clock.setTimer(Date.parse(fireAt), () => {
        inst.timers.delete(handle);
        this.#deliver(
          inst.instanceId,
          executionId,
          historyEvent("TimerFired", this.#clock.now(), { TimerId: timerId, FireAt: fireAt }),
        );
      });
      inst.timers.add(handle);
    });
  }

  /** DTFx RetryInterceptor and the extension's long-timer loop, decided at this episode's time. */
  #planFollowUps(
    inst: Instance,
    event: HistoryEvent,
    nowMs: number,
    afterEpisode: (() => void)[],
  ): HistoryEvent[] {
    const out: HistoryEvent[] = [];
    const type = event.EventType;
    if (type === EventType.TaskFailed || type === EventType.SubOrchestrationInstanceFailed) {
      const taskId = event.TaskScheduledId as number;
      const retry = inst.retries.get(taskId);
      if (!retry) return out;
      inst.retries.delete(taskId);
      const delay = retryDelayMs(retry.options, retry.failures, retry.firstAttemptMs, nowMs);
      retry.failures++;
      if (delay <= 0) {
        // DTFx rethrows without a timer; the JS RetryableTask keeps waiting for one (durable-js issue 629).
        inst.stuckReason = `retry of '${retry.name}' gave up without a timer (retryTimeout passed); the orchestrator will wait forever`;
        this.#hostLog("warning", inst, inst.stuckReason);
        return out;
      }
      const timerId = this.#allocateTaskId(inst);
      inst.retries.set(timerId, retry);
      this.#createTimer(inst, timerId, new Date(nowMs + delay).toISOString(), nowMs, afterEpisode, out);
      return out;
    }
    if (type === EventType.TimerFired) {
      const timerId = event.TimerId as number;
      const retry = inst.retries.get(timerId);
      if (retry) {
        inst.retries.delete(timerId);
        // After the last attempt's timer the library fails the task itself; nothing more to schedule.
        if (retry.failures >= retry.options.maxNumberOfAttempts) return out;
        const taskId = this.#allocateTaskId(inst);
        inst.retries.set(taskId, retry);
        if (retry.kind === "activity") {
          out.push(
            historyEvent(
              "TaskScheduled",
              nowMs,
              { Name: retry.name, Input: toJsonText(retry.input) },
              taskId,
            ),
          );
          afterEpisode.push(() => this.#startActivity(inst, taskId, retry.name, retry.input));
        } else {
          const childId = retry.explicitChildId ?? `${inst.instanceId}:${taskId}`;
          out.push(
            historyEvent(
              "SubOrchestrationInstanceCreated",
              nowMs,
              { Name: retry.name, InstanceId: childId, Input: toJsonText(retry.input) },
              taskId,
            ),
          );
          afterEpisode.push(() => this.#startChild(inst, taskId, retry.name, childId, retry.input));
        }
        return out;
      }
      const long = inst.longTimers.get(timerId);
      if (long) {
        inst.longTimers.delete(timerId);
        if (long.finalFireAtMs > nowMs) {
          const pieceId = this.#allocateTaskId(inst);
          const remaining = long.finalFireAtMs - nowMs;
          const pieceAt =
            remaining > maximumShortTimerMs
              ? new Date(nowMs + longRunningTimerIntervalMs).toISOString()
              : long.finalFireAt;
          if (remaining > maximumShortTimerMs) inst.longTimers.set(pieceId, long);
          this.#createTimer(inst, pieceId, pieceAt, nowMs, afterEpisode, out);
        }
      }
    }
    return out;
  }

  #continueAsNew(inst: Instance, action: WireAction, nowMs: number): void {
    this.#cancelTimers(inst);
    inst.history.push(
      historyEvent("ExecutionCompleted", nowMs, { OrchestrationStatus: "ContinuedAsNew", Result: null }),
    );
    inst.status = "Running";
    inst.executionId = randomUUID().replace(/-/g, "");
    inst.inputJson = toJsonText(activityInput(action.input));
    inst.output = null;
    inst.history = [];
    inst.nextTaskId = 0;
    inst.knownActionCount = 0;
    inst.retries.clear();
    inst.longTimers.clear();
    inst.lastUpdatedTime = new Date(nowMs);
    // External events not yet delivered carry over to the new execution, as in DTFx; completions of the old one die.
    const carried = inst.queue.filter((q) => q.executionId === undefined);
    for (let i = carried.length; i < inst.queue.length; i++) this.#end();
    inst.queue = [];
    this.#enqueue(inst, this.#executionStarted(inst, nowMs), inst.executionId);
    inst.queue.push(...carried);
  }

  #finish(inst: Instance, status: RuntimeStatus, output: unknown, nowMs: number): void {
    inst.status = status;
    inst.output = output;
    inst.lastUpdatedTime = new Date(nowMs);
    if (status !== "Terminated") {
      inst.history.push(
        historyEvent("ExecutionCompleted", nowMs, {
          OrchestrationStatus: status,
          Result: toJsonText(output),
        }),
      );
    } else {
      inst.history.push(
        historyEvent("ExecutionCompleted", nowMs, { OrchestrationStatus: status, Result: output }),
      );
    }
    this.#cancelTimers(inst);
    inst.retries.clear();
    inst.longTimers.clear();
    for (let i = 0; i < inst.queue.length; i++) this.#end();
    inst.queue = [];
    if (inst.parent) this.#notifyParent(inst, status, output, nowMs);
    const snapshot = this.#snapshotOf(inst);
    const waiters = this.#terminalWaiters.get(inst.instanceId) ?? [];
    this.#terminalWaiters.delete(inst.instanceId);
    for (const w of waiters) w(snapshot);
  }

  #notifyParent(child: Instance, status: RuntimeStatus, output: unknown, nowMs: number): void {
    const parent = child.parent;
    if (!parent) return;
    const event =
      status === "Completed"
        ? historyEvent("SubOrchestrationInstanceCompleted", nowMs, {
            TaskScheduledId: parent.taskId,
            Result: toJsonText(output),
          })
        : historyEvent("SubOrchestrationInstanceFailed", nowMs, {
            TaskScheduledId: parent.taskId,
            Reason:
              typeof output === "string"
                ? output
                : `Sub-orchestration '${child.name}' ${status.toLowerCase()}`,
            Details: status === "Terminated" ? `Instance ${child.instanceId} was terminated.` : "",
          });
    this.#deliver(parent.instanceId, parent.executionId, event);
  }

  #cancelTimers(inst: Instance): void {
    for (const t of inst.timers) t.cancel();
    inst.timers.clear();
  }

  // ---- work the orchestrator asked for ---------------------------------------------------------------------------

  #startChild(parent: Instance, taskId: number, name: string, childId: string, input: unknown): void {
    const executionId = parent.executionId;
    const fn = this.#functions.get(name);
    const fail = (reason: string): void =>
      this.#deliver(
        parent.instanceId,
        executionId,
        historyEvent("SubOrchestrationInstanceFailed", this.#clock.now(), {
          TaskScheduledId: taskId,
          Reason: reason,
          Details: "",
        }),
      );
    if (!fn || fn.triggerType !== "orchestrationTrigger") {
      fail(`The function '${name}' doesn't exist, is disabled, or is not an orchestrator function.`);
      return;
    }
    try {
      this.#createInstance(name, toJsonText(input), childId, {
        instanceId: parent.instanceId,
        executionId,
        taskId,
      });
    } catch (err) {
      fail(errorMessage(err));
    }
  }

  #startActivity(inst: Instance, taskId: number, name: string, input: unknown): void {
    const executionId = inst.executionId;
    const instanceId = inst.instanceId;
    this.#begin();
    void (async () => {
      let event: HistoryEvent;
      try {
        const fn = this.#functions.get(name);
        if (!fn || fn.triggerType !== "activityTrigger") {
          throw new Error(
            `The function '${name}' doesn't exist, is disabled, or is not an activity function.`,
          );
        }
        let result = await this.#invokeActivity(fn, inst, input);
        if (this.#executeTwice) {
          // At-least-once delivery: the same input again, and the second answer is the one recorded.
          result = await this.#invokeActivity(fn, inst, input);
        }
        event = historyEvent("TaskCompleted", this.#clock.now(), {
          TaskScheduledId: taskId,
          Result: JSON.stringify(result ?? null) ?? "null",
        });
      } catch (err) {
        // The extension reports "Activity function 'X' failed: <message>"; the library rebuilds
        // new Error(Reason + " \n " + Details), so the orchestrator sees the message and the stack.
        event = historyEvent("TaskFailed", this.#clock.now(), {
          TaskScheduledId: taskId,
          Reason: `Activity function '${name}' failed: ${errorMessage(err)}`,
          Details: err instanceof Error ? (err.stack ?? "") : "",
        });
      }
      this.#deliver(instanceId, executionId, event);
    })().finally(() => this.#end());
  }

  async #invokeActivity(fn: HostFunction, inst: Instance, input: unknown): Promise<unknown> {
    inst.activityExecutionCount++;
    this.#totalActivityExecutions++;
    const invocationId = randomUUID();
    const context = new InvocationContext({
      invocationId,
      functionName: fn.name,
      logHandler: (level, ...args) =>
        this.#log({ level, functionName: fn.name, invocationId, message: format(...args) }),
      options: { trigger: fn.trigger, extraInputs: [], extraOutputs: [] },
      triggerMetadata: { instanceId: inst.instanceId, name: fn.name },
    });
    // Activities get their own copy of the input, as they would after a trip through the extension.
    return await fn.handler(input === undefined ? undefined : structuredClone(input), context);
  }

  #hostLog(level: LogLevel, inst: Instance, message: string): void {
    this.#log({ level, functionName: inst.name, invocationId: `host:${inst.instanceId}`, message });
  }
}

function toWire(value: unknown): unknown {
  return value === undefined ? {} : JSON.parse(JSON.stringify(value));
}

function parseOrchestrationFailure(err: unknown): { message: string; state: WireOrchestratorState } {
  const text = err instanceof Error ? err.message : String(err);
  const at = text.indexOf(outOfProcDataLabel);
  if (at < 0) return { message: text, state: {} };
  const message = text.slice(0, at);
  try {
    return {
      message,
      state: JSON.parse(text.slice(at + outOfProcDataLabel.length)) as WireOrchestratorState,
    };
  } catch {
    return { message, state: {} };
  }
}

/** The library JSON-encodes string inputs of activities and continueAsNew (Utils.processInput); undo that. */
function activityInput(input: unknown): unknown {
  if (typeof input !== "string") return input;
  try {
    return JSON.parse(input);
  } catch {
    return input;
  }
}

function toJsonText(value: unknown): string | null {
  if (value === undefined) return null;
  return JSON.stringify(value) ?? null;
}

function parseJsonOrNull(text: string | null): unknown {
  if (text === null || text === "") return null;
  return JSON.parse(text);
}

function requireString(value: unknown, field: string): string {
  if (typeof value !== "string" || value === "") throw new Error(`action field ${field} is missing`);
  return value;
}

function requireRetryOptions(value: WireRetryOptions | undefined): WireRetryOptions {
  if (!value || typeof value.firstRetryIntervalInMilliseconds !== "number") {
    throw new Error("retry action without retryOptions");
  }
  return value;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function errorText(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

/**
 * The Durable extension's limit on custom status: `SetCustomStatus` serializes it with a 16 KB maximum
 * (azure-functions-durable-extension, DurableOrchestrationContext.SetCustomStatus, MaxCustomStatusPayloadSizeInKB = 16),
 * measured as UTF-16 (`Encoding.Unicode.GetByteCount(json) / 1024.0`, truncated to an int, in
 * MessagePayloadDataConverter.Serialize), and throws an ArgumentException. For out-of-process orchestrators it is
 * called from OutOfProcOrchestrationShim.ScheduleDurableTaskEvents, outside the shim's try/catch, so DTFx fails the
 * orchestration with the exception's message as its output (TaskOrchestrationContext.FailOrchestration: reason =
 * failure.Message). Returns that message, or undefined when the status fits.
 */
function customStatusTooLarge(customStatus: unknown): string | undefined {
  if (customStatus === undefined || customStatus === null) return undefined;
  const json = JSON.stringify(customStatus);
  // A JS string's length counts UTF-16 code units: two bytes each, as Encoding.Unicode counts them.
  const sizeInKB = Math.floor((json.length * 2) / 1024);
  if (sizeInKB <= MAX_CUSTOM_STATUS_KB) return undefined;
  return `The UTF-16 size of the JSON-serialized payload must not exceed ${MAX_CUSTOM_STATUS_KB} KB. The current payload size is ${sizeInKB} KB.`;
}

const MAX_CUSTOM_STATUS_KB = 16;
