// End to end for table filters on a Flexible replica whose replicate_wild_ignore_table is read-only: refused at validation, nothing changed.
// (A stack per file: the app reads its settings once per module registry.)
import { startE2eStack } from "./e2eStack";
import { type View, checkOf, provision, replicaLink } from "./flexibleHelpers";

jest.setTimeout(300_000);

const PARAMETER = "replicate_wild_ignore_table";

interface FilterView extends View {
  tableFilters: { parameter: string; ignoreTables: string[]; value: string; previousValue: string } | null;
}

describe("table filters (Flexible Server, parameter read-only)", () => {
  it("refuses filters, changing nothing, where the server reports the parameter read-only", async () => {
    // As MicrosoftDocs/azure-docs#85656 shows on some MySQL 5.7 Flexible Servers (ConfigurationReadOnly).
    const stack = await startE2eStack({ replicaKind: "flexible", replicaReadOnlyParameters: [PARAMETER] });
    try {
      const view = (await provision(stack, {
        ...stack.exampleRequest(),
        filters: { ignoreTables: ["shop.audit%"] },
      })) as FilterView;
      expect(view).toMatchObject({ state: "failed", rolledBack: null, error: { code: "VALIDATION_FAILED" } });
      expect(checkOf(view, "TABLE_FILTER_PARAMETER")).toMatchObject({ status: "fail" });
      expect(checkOf(view, "TABLE_FILTER_PARAMETER")?.message).toMatch(/read-only/);
      expect(await replicaLink(stack)).toBeUndefined();
    } finally {
      await stack.stop();
    }
  });
});
