// The activity scaffold decodes its input on entry: a malformed input fails naming the activity and the fields.
import { InvocationContext } from "@azure/functions";
import { z } from "zod";
import { activity } from "../../../../shared/workflow/activities/activityHandler";
import { createLinkReplicaActivity } from "../../../../shared/workflow/activities/linkReplicaActivity";
import { type WorkflowDependencies } from "../../../../shared/workflow/dependencies";

const context = new InvocationContext({ functionName: "test" });

describe("activity", () => {
  const echo = activity({
    name: "echo",
    input: z.object({ id: z.string().min(1), count: z.number().int() }),
    run: (input) => Promise.resolve(input),
  });

  it("runs on the decoded input, fields the schema does not know dropped", async () => {
    await expect(echo({ id: "a", count: 2, extra: "x" } as never, context)).resolves.toEqual({
      id: "a",
      count: 2,
    });
  });

  it("refuses a malformed input, naming the activity and every field at fault", async () => {
    await expect(echo({ id: "", count: "2" } as never, context)).rejects.toThrow(
      /^Activity echo got a malformed input: id: .*; count: /,
    );
    await expect(echo(null as never, context)).rejects.toThrow(
      /Activity echo got a malformed input: \(input\)/,
    );
    await expect(echo({ id: "", count: 1 }, context)).rejects.toMatchObject({ name: "ActivityInputError" });
  });

  it("refuses a real activity's input before anything is resolved or opened", async () => {
    const touched: string[] = [];
    const deps = () =>
      ({
        secrets: {
          resolve: () => {
            touched.push("secret");
            return Promise.resolve("pw");
          },
        },
      }) as unknown as WorkflowDependencies;
    const input = {
      replica: {
        kind: "single",
        subscriptionId: "00000000-0000-0000-0000-000000000000",
        resourceGroup: "rg-data",
        serverName: "my-replica",
        adminUser: "azureadmin",
        adminPassword: { appSetting: "REPLICATION_SECRET_ADMIN" },
      },
      fqdn: "my-replica.mysql.database.azure.com",
      // A password where a reference belongs: exactly what an input must never carry.
      source: {
        host: "db.example.com",
        port: 3306,
        replicationUser: "repl",
        replicationPassword: "hunter22",
      },
    };
    await expect(createLinkReplicaActivity(deps)(input as never, context)).rejects.toThrow(
      /^Activity linkReplica got a malformed input: source\.replicationPassword: /,
    );
    expect(touched).toEqual([]);
  });
});
