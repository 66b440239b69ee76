// The server parameters ("configurations") the emulated MySQL servers expose, with the defaults and constraints Azure documents.
import { type ServerKind } from "./emulatedServer";

export interface ServerParameter {
  name: string;
  value: string;
  defaultValue: string;
  description: string;
  dataType: "Boolean" | "Integer" | "Enumeration" | "String" | "Set";
  /** Comma-separated, as ARM reports it; empty for free text. */
  allowedValues: string;
  source: "system-default" | "user-override";
  /** Flexible Server reports these; a read-only parameter rejects PUT/PATCH. */
  isReadOnly: boolean;
  isDynamicConfig: boolean;
}

type Template = Omit<ServerParameter, "value" | "source" | "isReadOnly"> & { readOnlyOn: ServerKind[] };

const TEMPLATES: Template[] = [
  {
    name: "replicate_wild_ignore_table",
    defaultValue: "",
    description:
      "Creates a replication filter which keeps the slave thread from replicating to any table that matches the given wildcard pattern.",
    dataType: "String",
    allowedValues: "",
    isDynamicConfig: true,
    readOnlyOn: [],
  },
  {
    name: "replicate_wild_do_table",
    defaultValue: "",
    description:
      "Creates a replication filter which keeps the slave thread to replicate to any table that matches the given wildcard pattern.",
    dataType: "String",
    allowedValues: "",
    isDynamicConfig: true,
    readOnlyOn: [],
  },
  {
    name: "lower_case_table_names",
    defaultValue: "1",
    description:
      "If set to 0, table names are stored as specified and comparisons are case sensitive. If set to 1, table names are stored in lowercase on disk and comparisons are not case sensitive.",
    dataType: "Integer",
    allowedValues: "1,2",
    isDynamicConfig: false,
    // Flexible Server only takes it at creation time; afterwards the API reports it read-only.
    readOnlyOn: ["flexible"],
  },
  {
    name: "gtid_mode",
    defaultValue: "OFF",
    description: "Indicates if global transaction identifiers (GTIDs) are used to identify transactions.",
    dataType: "Enumeration",
    allowedValues: "OFF,OFF_PERMISSIVE,ON_PERMISSIVE,ON",
    isDynamicConfig: true,
    readOnlyOn: [],
  },
  {
    name: "enforce_gtid_consistency",
    defaultValue: "OFF",
    description: "Only statements that can be logged using a GTID are allowed to execute when ON.",
    dataType: "Enumeration",
    allowedValues: "OFF,WARN,ON",
    isDynamicConfig: true,
    readOnlyOn: [],
  },
  {
    name: "binlog_expire_logs_seconds",
    defaultValue: "0",
    description: "The number of seconds the binary log expiration period.",
    dataType: "Integer",
    allowedValues: "0-4294967295",
    isDynamicConfig: true,
    readOnlyOn: [],
  },
  {
    name: "require_secure_transport",
    defaultValue: "ON",
    description:
      "Whether client connections to the server are required to use some form of secure transport.",
    dataType: "Enumeration",
    allowedValues: "ON,OFF",
    isDynamicConfig: true,
    readOnlyOn: [],
  },
];

export function defaultServerParameters(kind: ServerKind): Map<string, ServerParameter> {
  const params = new Map<string, ServerParameter>();
  for (const { readOnlyOn, ...template } of TEMPLATES) {
    // Single Server controls TLS with the sslEnforcement property, not this parameter.
    if (kind === "single" && template.name === "require_secure_transport") continue;
    params.set(template.name, {
      ...template,
      value: template.defaultValue,
      source: "system-default",
      isReadOnly: readOnlyOn.includes(kind),
    });
  }
  return params;
}

/** Returns why `value` is not acceptable for `param`, or undefined when it is. */
export function invalidParameterValue(param: ServerParameter, value: string): string | undefined {
  if (param.dataType === "Integer") {
    if (!/^-?\d+$/.test(value)) return `must be an integer`;
    const range = /^(-?\d+)-(-?\d+)$/.exec(param.allowedValues);
    if (range && (Number(value) < Number(range[1]) || Number(value) > Number(range[2]))) {
      return `must be within ${param.allowedValues}`;
    }
    if (!range && param.allowedValues && !param.allowedValues.split(",").includes(value)) {
      return `must be one of ${param.allowedValues}`;
    }
  }
  if (param.dataType === "Enumeration" && !param.allowedValues.split(",").includes(value.toUpperCase())) {
    return `must be one of ${param.allowedValues}`;
  }
  if (param.name === "replicate_wild_ignore_table" || param.name === "replicate_wild_do_table") {
    // MySQL's rule for --replicate-wild-*-table: each comma-separated pattern is db.table, with a dot (mysqld refuses
    // to start otherwise, and CHANGE REPLICATION FILTER refuses it). Azure's own wording for the refusal is not documented.
    const patterns = value.split(",").map((item) => item.trim());
    if (value.trim() !== "" && patterns.some((item) => !/^[^.]+\.[\s\S]+$/.test(item)))
      return "must be a comma-separated list of db.table patterns (a dot between the database and the table pattern)";
  }
  return undefined;
}
