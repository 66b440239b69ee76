// Activity: create or update the link's firewall rule on the replica for the source's IPv4 address.
import { z } from "zod";
import { activity } from "./activityHandler";
import { armOutcome, outcomeSchema } from "./activityOutcome";
import { type WorkflowDependencies } from "../dependencies";
import { replicaTargetSchema } from "../../request/provisionRequest";

export const OPEN_FIREWALL_ACTIVITY = "openFirewall";

export const openFirewallInputSchema = z.object({
  replica: replicaTargetSchema,
  ruleName: z.string().min(1),
  ipv4: z.ipv4(),
});
export type OpenFirewallInput = z.infer<typeof openFirewallInputSchema>;

export const openFirewallResultSchema = outcomeSchema(
  z.object({ ruleName: z.string(), address: z.string() }),
);
export type OpenFirewallResult = z.infer<typeof openFirewallResultSchema>;

export function createOpenFirewallActivity(deps: () => WorkflowDependencies) {
  return activity({
    name: OPEN_FIREWALL_ACTIVITY,
    input: openFirewallInputSchema,
    run: (input): Promise<OpenFirewallResult> => {
      const manager = deps().replicaManager(input.replica);
      return armOutcome(
        async () => {
          const existing = await manager.getFirewallRule(input.ruleName);
          // Already in the wanted state: a retry or a replay after a crash lands here.
          if (!existing || existing.startIpAddress !== input.ipv4 || existing.endIpAddress !== input.ipv4) {
            await manager.putFirewallRule(input.ruleName, input.ipv4);
          }
          return { ruleName: input.ruleName, address: input.ipv4 };
        },
        (failure) => ({
          code: "FIREWALL_RULE_FAILED",
          message: `Resource Manager refused firewall rule ${input.ruleName} for ${input.ipv4}: ${failure.code}: ${failure.message}`,
          remedy:
            failure.statusCode === 403
              ? "Grant this app's identity Microsoft.DBforMySQL/servers/firewallRules/write on the replica (the custom role of infra/)."
              : "See the Resource Manager error above.",
        }),
      );
    },
  });
}
