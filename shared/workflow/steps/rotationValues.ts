// What a rotation changes, from its input: the source as the link will use it, how the report names it, what comes next.
import { type SourceSpec } from "../provisionTypes";
import { type SecretReference } from "../../request/secretReference";

export interface RotatedValues {
  /** A reference to the new password of the link's replication user; never the value. */
  replicationPassword?: SecretReference;
  /** The source's new CA certificate (PEM). */
  caCertificate?: string;
}

/** The link's source with the new password reference and/or CA in place of the old. */
export function rotatedSource(source: SourceSpec, values: RotatedValues): SourceSpec {
  return {
    ...source,
    ...(values.replicationPassword ? { replicationPassword: values.replicationPassword } : {}),
    ...(values.caCertificate ? { caCertificate: values.caCertificate } : {}),
  };
}

/** "password", "CA certificate" or both, as the report's changes name them. */
export function rotatedValuesText(values: RotatedValues): string {
  return [values.replicationPassword ? "password" : "", values.caCertificate ? "CA certificate" : ""]
    .filter(Boolean)
    .join(" and ");
}

/** What the caller retires once the new values run. */
export function rotationNextSteps(values: RotatedValues): string[] {
  return [
    values.replicationPassword
      ? "Retire the old password on the source (ALTER USER ... DISCARD OLD PASSWORD if you used RETAIN CURRENT PASSWORD) and delete the old secret."
      : "",
    values.caCertificate ? "The source's old CA may now be retired." : "",
  ].filter(Boolean);
}
