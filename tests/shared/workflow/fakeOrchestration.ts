// Drives an orchestrator or step generator without a host: records each scheduled task, answers it from a script.
import type * as df from "durable-functions";

export type Scheduled =
  | { kind: "activity"; name: string; input: unknown }
  | { kind: "timer"; at: string }
  | { kind: "all"; tasks: Scheduled[] };

/** What an activity returned, or the error its retries ended on; a timer takes no answer. */
export type Answer = { value: unknown } | { error: Error };

export interface Run<T> {
  result?: T;
  thrown?: unknown;
  scheduled: Scheduled[];
  statuses: unknown[];
  logs: string[];
}

export interface FakeOptions {
  input?: unknown;
  /** The orchestration clock at the start; each activity answer moves it by `activityMs`, a timer to its due time. */
  start?: string;
  activityMs?: number;
}

export function drive<T>(
  body: (context: df.OrchestrationContext) => Generator<df.Task, T, unknown>,
  answer: (task: Extract<Scheduled, { kind: "activity" }>, index: number) => Answer,
  options: FakeOptions = {},
): Run<T> {
  let now = Date.parse(options.start ?? "2026-12-01T10:00:00.000Z");
  const run: Run<T> = { scheduled: [], statuses: [], logs: [] };
  const context = {
    log: (message: string) => run.logs.push(message),
    df: {
      getInput: () => options.input,
      get currentUtcDateTime() {
        return new Date(now);
      },
      isReplaying: false,
      callActivityWithRetry: (name: string, _policy: unknown, input: unknown) => ({
        kind: "activity",
        name,
        input,
      }),
      createTimer: (at: Date) => ({ kind: "timer", at: at.toISOString() }),
      setCustomStatus: (status: unknown) => run.statuses.push(structuredClone(status)),
      Task: { all: (tasks: Scheduled[]) => ({ kind: "all", tasks }) },
    },
  } as unknown as df.OrchestrationContext;
  const generator = body(context);
  let reply: Answer = { value: undefined };
  for (let count = 0; count < 1000; count++) {
    let step: IteratorResult<df.Task, T>;
    try {
      step = "error" in reply ? generator.throw(reply.error) : generator.next(reply.value);
    } catch (error) {
      run.thrown = error;
      return run;
    }
    if (step.done) {
      run.result = step.value;
      return run;
    }
    const task = step.value as unknown as Scheduled;
    run.scheduled.push(task);
    if (task.kind === "timer") {
      now = Date.parse(task.at);
      reply = { value: undefined };
    } else if (task.kind === "activity") {
      now += options.activityMs ?? 1000;
      reply = answer(task, run.scheduled.length - 1);
    } else {
      now += options.activityMs ?? 1000;
      reply = answerAll(task.tasks, (sub) => answer(sub, run.scheduled.length - 1));
    }
  }
  throw new Error("the generator did not end within 1000 tasks");
}

/** Task.all: every value in order, or the first error with each task's own outcome set, as the library does. */
function answerAll(
  tasks: Scheduled[],
  answer: (task: Extract<Scheduled, { kind: "activity" }>) => Answer,
): Answer {
  const answers = tasks.map((task) => {
    if (task.kind !== "activity") throw new Error("only activities are scripted inside Task.all");
    return answer(task);
  });
  answers.forEach((each, index) =>
    Object.assign(tasks[index]!, {
      isFaulted: "error" in each,
      isCompleted: !("error" in each),
      result: "error" in each ? each.error : each.value,
    }),
  );
  const failed = answers.find((each) => "error" in each);
  return failed ?? { value: answers.map((each) => ("value" in each ? each.value : undefined)) };
}

/** The names of the scheduled activities and timers, in order: what a replay must find in its history. */
export function names(run: Run<unknown>): string[] {
  return run.scheduled.map((task) => (task.kind === "activity" ? task.name : task.kind));
}

/** Answers each activity with the next value queued under its name; an Error queued is the error its retries ended on. */
export function scripted(
  queues: Record<string, unknown[]>,
): (task: Extract<Scheduled, { kind: "activity" }>) => Answer {
  const left = Object.fromEntries(Object.entries(queues).map(([name, values]) => [name, [...values]]));
  return (task) => {
    const queue = left[task.name];
    if (!queue || queue.length === 0) throw new Error(`no answer scripted for ${task.name}`);
    const next = queue.shift();
    return next instanceof Error ? { error: next } : { value: next };
  };
}
