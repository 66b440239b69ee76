// What one re-validation pass collects as it goes: drift, recoveries made and not made, secrets to redact, the replica's subnet.
import { type ActionNotTaken, type DriftFinding, type RecoveryAction } from "./linkHealth";

export interface RevalidationFindings {
  drift: DriftFinding[];
  recovery: RecoveryAction[];
  notTaken: ActionNotTaken[];
  secrets: string[];
  /** The replica's delegated subnet when it is a VNet-integrated Flexible Server: a private source is then fine. */
  vnetSubnet: string | null;
}

export function emptyFindings(): RevalidationFindings {
  return { drift: [], recovery: [], notTaken: [], secrets: [], vnetSubnet: null };
}
