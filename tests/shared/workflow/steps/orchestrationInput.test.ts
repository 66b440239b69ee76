// An orchestrator's input is checked before anything is scheduled; a bad one names every wrong field.
import { z } from "zod";
import { orchestrationInput } from "../../../../shared/workflow/steps/orchestrationInput";
import { timingInputSchema } from "../../../../shared/workflow/provisionTypes";
import { drive } from "../fakeOrchestration";

const schema = z.object({ id: z.string().min(1), timing: timingInputSchema });
const read = (input: unknown) =>
  drive(
    // eslint-disable-next-line require-yield
    function* (context) {
      return orchestrationInput(context, schema);
    },
    () => ({ value: null }),
    { input },
  );

describe("orchestrationInput", () => {
  it("returns a valid input as parsed", () => {
    const input = {
      id: "rpl-1",
      timing: { verifyBudgetSeconds: 60, verifyFirstIntervalSeconds: 0.1 },
    };
    expect(read(input).result).toEqual(input);
  });

  it("accepts the timing of a run started while checks still waited inside their activity, dropping that wait", () => {
    const timing = { verifyBudgetSeconds: 60, verifyFirstIntervalSeconds: 2 };
    const run = read({ id: "rpl-1", timing: { ...timing, verifyWaitSeconds: 10 } });
    expect(run.result).toEqual({ id: "rpl-1", timing });
  });

  it("ends the orchestration naming every wrong field, before any task", () => {
    const run = read({ id: "", timing: { verifyBudgetSeconds: 0 } });
    expect(run.scheduled).toEqual([]);
    expect(String(run.thrown)).toMatch(
      /Invalid orchestration input: id, timing\.verifyBudgetSeconds, timing\.verifyFirstIntervalSeconds/,
    );
  });
});
