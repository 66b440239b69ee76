// Teardown: stop replication, remove the link, put the table filter back, delete the rule this app created, mark the link removed.
import type * as df from "durable-functions";
import { z } from "zod";
import { type RollbackAction } from "./provisionTypes";
import { orchestrationInput } from "./steps/orchestrationInput";
import { loadLink } from "./steps/loadLink";
import { unlinkReplica } from "./steps/unlinkReplica";
import { setLinkState } from "./steps/setLinkState";

export const TEARDOWN_ORCHESTRATOR = "teardownReplication";

export function teardownInstanceId(linkId: string): string {
  return `${linkId}-teardown`;
}

export interface TeardownOutput {
  id: string;
  state: "removed" | "failed";
  actions: RollbackAction[];
  error: string | null;
}

export function* teardownOrchestrator(
  context: df.OrchestrationContext,
): Generator<df.Task, TeardownOutput, unknown> {
  const id = orchestrationInput(context, z.string().min(1));
  const at = () => context.df.currentUtcDateTime.toISOString();
  const record = yield* loadLink(context, id);
  if (!record) return { id, state: "failed", actions: [], error: "The link is not registered." };
  if (record.state === "removed") return { id, state: "removed", actions: [], error: null };
  context.df.setCustomStatus({ step: "removing" });
  const result = yield* unlinkReplica(context, record);
  // A failed teardown leaves the row's state as it was: the link may still be there.
  yield* setLinkState(
    context,
    result.ok
      ? { id, state: "removed", at: at(), lastError: null }
      : { id, state: record.state, at: at(), lastError: `Teardown failed: ${result.error}` },
  );
  return {
    id,
    state: result.ok ? "removed" : "failed",
    actions: result.actions,
    error: result.ok ? null : result.error,
  };
}
