// End to end for table filters on a Single Server replica: the configurations API's PUT, applied by the replica, restored on teardown.
// (A stack per file: the app reads its settings once per module registry.)
import { startE2eStack } from "./e2eStack";
import { type View, provision, replicaLink, tearDown } from "./flexibleHelpers";

jest.setTimeout(300_000);

const PARAMETER = "replicate_wild_ignore_table";

interface FilterView extends View {
  tableFilters: { parameter: string; ignoreTables: string[]; value: string; previousValue: string } | null;
}

describe("table filters (Single Server)", () => {
  it("sets the parameter on a Single Server replica (PUT), applies it, and restores it on teardown", async () => {
    const stack = await startE2eStack({ replicaKind: "single" });
    try {
      const view = (await provision(stack, {
        ...stack.exampleRequest(),
        filters: { ignoreTables: ["shop.audit%"] },
      })) as FilterView;
      expect(view.error).toBeNull();
      expect(view.state).toBe("replicating");
      expect(stack.emulators.arm.server(stack.serverName).parameters.get(PARAMETER)?.value).toBe(
        "shop.audit%",
      );
      expect((await replicaLink(stack))?.Replicate_Wild_Ignore_Table).toBe("shop.audit%");
      expect((await tearDown(stack, view.id)).state).toBe("removed");
      expect(stack.emulators.arm.server(stack.serverName).parameters.get(PARAMETER)?.value).toBe("");
    } finally {
      await stack.stop();
    }
  });
});
