// One of a source's passwords, resolved for the login it belongs to (its binding must name that role and destination).
import { type SourceSpec } from "../request/provisionRequest";
import { sourcePurpose } from "./secretBinding";
import { type SecretResolver } from "./secretResolver";

/** `fieldPrefix` names where the reference came from ("source." in a request, "" in a rotation's PATCH). */
export function resolveSourcePassword(
  secrets: SecretResolver,
  source: SourceSpec,
  login: "replication" | "inspection",
  fieldPrefix = "source.",
): Promise<string> {
  const [reference, user] =
    login === "replication"
      ? [source.replicationPassword, source.replicationUser]
      : [source.inspectionPassword, source.inspectionUser ?? ""];
  if (!reference) throw new Error(`The source has no ${login} login.`);
  return secrets.resolve(
    reference,
    sourcePurpose(`${fieldPrefix}${login}Password`, `source-${login}`, source, user),
  );
}
