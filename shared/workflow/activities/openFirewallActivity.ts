// Activity: create or update the link's firewall rule on the replica for the source's IPv4 address.
import { z } from "zod";
import { type ActivityHandler } from "./activityHandler";
import { failed, outcomeSchema, succeeded, transientError } from "./activityOutcome";
import { type WorkflowDependencies } from "../dependencies";
import { type ReplicaTarget, isTransientArmError, toArmFailure } from "../../replica/replicaManager";

export const OPEN_FIREWALL_ACTIVITY = "openFirewall";

export interface OpenFirewallInput {
  replica: ReplicaTarget;
  ruleName: string;
  ipv4: string;
}

export const openFirewallResultSchema = outcomeSchema(
  z.object({ ruleName: z.string(), address: z.string() }),
);
export type OpenFirewallResult = z.infer<typeof openFirewallResultSchema>;

export function createOpenFirewallActivity(
  deps: () => WorkflowDependencies,
): ActivityHandler<OpenFirewallInput, OpenFirewallResult> {
  return async (input: OpenFirewallInput): Promise<OpenFirewallResult> => {
    const manager = deps().replicaManager(input.replica);
    try {
      const existing = await manager.getFirewallRule(input.ruleName);
      // Already in the wanted state: a retry or a replay after a crash lands here.
      if (!existing || existing.startIpAddress !== input.ipv4 || existing.endIpAddress !== input.ipv4) {
        await manager.putFirewallRule(input.ruleName, input.ipv4);
      }
      return succeeded({ ruleName: input.ruleName, address: input.ipv4 });
    } catch (error) {
      if (isTransientArmError(error)) throw transientError(error, []);
      const failure = toArmFailure(error);
      return failed(
        "FIREWALL_RULE_FAILED",
        `Resource Manager refused firewall rule ${input.ruleName} for ${input.ipv4}: ${failure.code}: ${failure.message}`,
        failure.statusCode === 403
          ? "Grant this app's identity Microsoft.DBforMySQL/servers/firewallRules/write on the replica (the custom role of infra/)."
          : "See the Resource Manager error above.",
      );
    }
  };
}
