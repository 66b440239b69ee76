// One batch of re-validations: each link keeps its own outcome, whether another failed or returned a wrong shape.
import { revalidateBatch } from "../../../../shared/workflow/steps/revalidateBatch";
import { drive } from "../fakeOrchestration";

const checked = (id: string) => ({
  id,
  checked: true,
  state: "healthy",
  checkedAt: "2026-12-01T10:00:00.000Z",
  secondsBehindSource: 0,
  driftCodes: [],
});

function batch(answers: Record<string, unknown>) {
  return drive(
    (context) => revalidateBatch(context, Object.keys(answers), "2026-12-01T10:00:00.000Z"),
    (task) => {
      const answer = answers[(task.input as { id: string }).id];
      return answer instanceof Error ? { error: answer } : { value: answer };
    },
  );
}

describe("revalidateBatch", () => {
  it("schedules the batch as one Task.all and keeps every result in order", () => {
    const run = batch({ a: checked("a"), b: { id: "b", checked: false } });
    expect(run.scheduled).toHaveLength(1);
    expect(run.scheduled[0]).toMatchObject({
      kind: "all",
      tasks: [{ input: { id: "a" } }, { input: { id: "b" } }],
    });
    expect(run.result).toEqual({ links: [checked("a"), { id: "b", checked: false }], failures: [] });
  });

  it("keeps the others' results when one link's retries run out", () => {
    const run = batch({ a: checked("a"), b: new Error("throttled"), c: checked("c") });
    expect(run.result).toEqual({
      links: [checked("a"), checked("c")],
      failures: [{ id: "b", message: "throttled" }],
    });
  });

  it("counts a result of the wrong shape as that link's failure", () => {
    const run = batch({ a: checked("a"), b: { checked: "yes" } });
    expect(run.result?.links).toEqual([checked("a")]);
    expect(run.result?.failures).toEqual([
      {
        id: "b",
        message: expect.stringMatching(/revalidateLink returned an unexpected result shape/) as unknown,
      },
    ]);
  });
});
