// One emulated Azure Database for MySQL server (Single or Flexible): its mutable state and the ARM JSON it is rendered as.
import { type LroOverride } from "./faultInjector";
import { defaultServerParameters, type ServerParameter } from "./serverParameters";

export type ServerKind = "single" | "flexible";
export type HaMode = "Disabled" | "ZoneRedundant" | "SameZone";

export interface ServerSpec {
  kind: ServerKind;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  /** Single: Basic | GeneralPurpose | MemoryOptimized. Flexible: Burstable | GeneralPurpose | MemoryOptimized. */
  tier: string;
  /** Derived from the tier when omitted (GP_Gen5_4, Standard_D2ds_v4, ...). */
  skuName?: string;
  /** Single: 5.6 | 5.7 | 8.0. Flexible: 5.7 | 8.0.21. */
  version: string;
  /** Single `userVisibleState` (Ready, Disabled, Dropping, Inaccessible) or Flexible `state` (Ready, Stopped, Updating, ...). */
  state: string;
  /** Default `<name>.mysql.database.azure.com`. */
  fqdn?: string;
  location?: string;
  publicNetworkAccess: "Enabled" | "Disabled";
  /** Flexible only; ignored for Single. */
  haMode?: HaMode;
  sslEnforcement?: "Enabled" | "Disabled";
  minimalTlsVersion?: "TLS1_0" | "TLS1_1" | "TLS1_2" | "TLSEnforcementDisabled";
  /** Single: None | Master | Replica. Flexible: None | Source | Replica. */
  replicationRole?: string;
  administratorLogin?: string;
  delegatedSubnetResourceId?: string;
  privateDnsZoneResourceId?: string;
  /** Where this server's FQDN really goes: the local MySQL process standing in for the Azure replica. */
  replicaProcess?: { host: string; port: number };
  /** How this server's long-running operations answer; default: direct 200/201/204. */
  lro?: LroBehavior;
  /**
   * Applies a server parameter change to the process standing in for this server (e.g. `SET GLOBAL gtid_mode`), so a
   * change made through ARM is real; its error refuses the change.
   */
  parameterSink?: (name: string, value: string) => Promise<void>;
  /**
   * Parameters this server reports read-only beyond the documented ones: MicrosoftDocs/azure-docs#85656 shows
   * replicate_wild_ignore_table read-only (ConfigurationReadOnly) on some 5.7 Flexible Servers.
   */
  readOnlyParameters?: string[];
  /** Applies a successful resetGtid to the process standing in for this server (RESET + SET GLOBAL gtid_purged). */
  gtidResetSink?: (gtidSet: string) => Promise<void>;
  /** Whether replication runs on the process standing in for this server (resetGtid refuses then). */
  replicationRunning?: () => Promise<boolean>;
}

export interface LroBehavior extends LroOverride {
  /** Number of status polls answered `InProgress` before the outcome; default 1. */
  inProgressPolls?: number;
  /** Retry-After on 202 and InProgress answers; omitted by default because it overrides the client's poll interval. */
  retryAfterSeconds?: number;
}

export interface FirewallRuleState {
  name: string;
  startIpAddress: string;
  endIpAddress: string;
}

const SINGLE_SKUS: Record<string, { prefix: string; capacity: number }> = {
  Basic: { prefix: "B", capacity: 1 },
  GeneralPurpose: { prefix: "GP", capacity: 4 },
  MemoryOptimized: { prefix: "MO", capacity: 4 },
};

const FLEXIBLE_SKUS: Record<string, string> = {
  Burstable: "Standard_B1ms",
  GeneralPurpose: "Standard_D2ds_v4",
  MemoryOptimized: "Standard_E2ds_v4",
};

const CREATED_AT = "2024-01-15T09:30:00.000+00:00";

export class EmulatedServer {
  readonly kind: ServerKind;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly name: string;
  readonly location: string;
  readonly fqdn: string;
  tier: string;
  version: string;
  state: string;
  publicNetworkAccess: "Enabled" | "Disabled";
  haMode: HaMode;
  /** Flexible HA state; derived from haMode unless set. */
  haState: string | undefined;
  sslEnforcement: "Enabled" | "Disabled";
  minimalTlsVersion: string;
  replicationRole: string;
  administratorLogin: string;
  delegatedSubnetResourceId: string | undefined;
  privateDnsZoneResourceId: string | undefined;
  replicaProcess: { host: string; port: number } | undefined;
  lro: LroBehavior;
  readonly parameterSink: ((name: string, value: string) => Promise<void>) | undefined;
  readonly gtidResetSink: ((gtidSet: string) => Promise<void>) | undefined;
  readonly replicationRunning: (() => Promise<boolean>) | undefined;
  private explicitSkuName: string | undefined;
  private readonly rules = new Map<string, FirewallRuleState>();
  readonly parameters: Map<string, ServerParameter>;

  constructor(spec: ServerSpec) {
    this.kind = spec.kind;
    this.subscriptionId = spec.subscriptionId;
    this.resourceGroup = spec.resourceGroup;
    this.name = spec.name;
    this.location = spec.location ?? "westeurope";
    this.fqdn = spec.fqdn ?? `${spec.name}.mysql.database.azure.com`;
    this.tier = spec.tier;
    this.explicitSkuName = spec.skuName;
    this.version = spec.version;
    this.state = spec.state;
    this.publicNetworkAccess = spec.publicNetworkAccess;
    this.haMode = spec.haMode ?? "Disabled";
    this.haState = undefined;
    this.sslEnforcement = spec.sslEnforcement ?? "Enabled";
    this.minimalTlsVersion = spec.minimalTlsVersion ?? "TLS1_2";
    // Both kinds report "None" for a server that is neither source nor replica (az mysql server show / REST samples).
    this.replicationRole = spec.replicationRole ?? "None";
    this.administratorLogin = spec.administratorLogin ?? "azureadmin";
    this.delegatedSubnetResourceId = spec.delegatedSubnetResourceId;
    this.privateDnsZoneResourceId = spec.privateDnsZoneResourceId;
    this.replicaProcess = spec.replicaProcess;
    this.lro = spec.lro ?? { mode: "direct" };
    this.parameterSink = spec.parameterSink;
    this.gtidResetSink = spec.gtidResetSink;
    this.replicationRunning = spec.replicationRunning;
    this.parameters = defaultServerParameters(spec.kind);
    for (const name of spec.readOnlyParameters ?? []) {
      const param = this.parameters.get(name);
      if (param) param.isReadOnly = true;
    }
  }

  get skuName(): string {
    if (this.explicitSkuName) return this.explicitSkuName;
    if (this.kind === "flexible") return FLEXIBLE_SKUS[this.tier] ?? "Standard_D2ds_v4";
    const sku = SINGLE_SKUS[this.tier] ?? { prefix: this.tier.slice(0, 2).toUpperCase(), capacity: 2 };
    return `${sku.prefix}_Gen5_${sku.capacity}`;
  }

  /** Setting an explicit SKU name; assign undefined to go back to the tier's default. */
  set skuName(value: string | undefined) {
    this.explicitSkuName = value;
  }

  get resourceType(): string {
    return this.kind === "single" ? "Microsoft.DBforMySQL/servers" : "Microsoft.DBforMySQL/flexibleServers";
  }

  get id(): string {
    return `/subscriptions/${this.subscriptionId}/resourceGroups/${this.resourceGroup}/providers/${this.resourceType}/${this.name}`;
  }

  firewallRules(): FirewallRuleState[] {
    return [...this.rules.values()].map((r) => ({ ...r }));
  }

  firewallRule(name: string): FirewallRuleState | undefined {
    const rule = this.rules.get(name.toLowerCase());
    return rule ? { ...rule } : undefined;
  }

  /** Creates or replaces a rule; returns true when it was created. */
  setFirewallRule(rule: FirewallRuleState): boolean {
    const key = rule.name.toLowerCase();
    const existing = this.rules.get(key);
    // ARM keeps the casing of the name the rule was created with.
    this.rules.set(key, { ...rule, name: existing?.name ?? rule.name });
    return existing === undefined;
  }

  /** Deletes a rule behind the app's back, or as the emulated DELETE does; returns whether it existed. */
  deleteFirewallRule(name: string): boolean {
    return this.rules.delete(name.toLowerCase());
  }

  setParameter(name: string, value: string): void {
    const param = this.parameters.get(name);
    if (!param) throw new Error(`unknown server parameter ${name}`);
    param.value = value;
    param.source = value === param.defaultValue ? "system-default" : "user-override";
  }

  toArm(): Record<string, unknown> {
    const base = { id: this.id, name: this.name, type: this.resourceType, location: this.location, tags: {} };
    if (this.kind === "single") {
      const sku = SINGLE_SKUS[this.tier];
      const capacity = Number(/_(\d+)$/.exec(this.skuName)?.[1] ?? sku?.capacity ?? 2);
      return {
        ...base,
        sku: { name: this.skuName, tier: this.tier, family: "Gen5", capacity },
        properties: {
          administratorLogin: this.administratorLogin,
          storageProfile: {
            storageMB: 102400,
            backupRetentionDays: 7,
            geoRedundantBackup: "Disabled",
            storageAutogrow: "Enabled",
          },
          version: this.version,
          sslEnforcement: this.sslEnforcement,
          minimalTlsVersion: this.minimalTlsVersion,
          userVisibleState: this.state,
          fullyQualifiedDomainName: this.fqdn,
          earliestRestoreDate: CREATED_AT,
          replicationRole: this.replicationRole,
          masterServerId: "",
          replicaCapacity: 5,
          byokEnforcement: "Disabled",
          infrastructureEncryption: "Disabled",
          publicNetworkAccess: this.publicNetworkAccess,
          privateEndpointConnections: [],
        },
      };
    }
    return {
      ...base,
      sku: { name: this.skuName, tier: this.tier },
      systemData: {
        createdBy: "emulator",
        createdByType: "Application",
        createdAt: CREATED_AT,
        lastModifiedBy: "emulator",
        lastModifiedByType: "Application",
        lastModifiedAt: CREATED_AT,
      },
      properties: {
        administratorLogin: this.administratorLogin,
        storage: {
          storageSizeGB: 128,
          iops: 684,
          autoGrow: "Enabled",
          autoIoScaling: "Disabled",
          storageSku: "Premium_LRS",
        },
        version: this.version,
        state: this.state,
        fullyQualifiedDomainName: this.fqdn,
        availabilityZone: "1",
        maintenanceWindow: { customWindow: "Disabled", dayOfWeek: 0, startHour: 0, startMinute: 0 },
        replicationRole: this.replicationRole,
        replicaCapacity: 10,
        network: {
          publicNetworkAccess: this.publicNetworkAccess,
          ...(this.delegatedSubnetResourceId
            ? { delegatedSubnetResourceId: this.delegatedSubnetResourceId }
            : {}),
          ...(this.privateDnsZoneResourceId
            ? { privateDnsZoneResourceId: this.privateDnsZoneResourceId }
            : {}),
        },
        backup: { backupRetentionDays: 7, geoRedundantBackup: "Disabled", earliestRestoreDate: CREATED_AT },
        highAvailability: {
          mode: this.haMode,
          state: this.haState ?? (this.haMode === "Disabled" ? "NotEnabled" : "Healthy"),
          standbyAvailabilityZone:
            this.haMode === "ZoneRedundant" ? "2" : this.haMode === "SameZone" ? "1" : "",
        },
      },
    };
  }

  firewallRuleToArm(rule: FirewallRuleState): Record<string, unknown> {
    return {
      id: `${this.id}/firewallRules/${rule.name}`,
      name: rule.name,
      type: `${this.resourceType}/firewallRules`,
      properties: { startIpAddress: rule.startIpAddress, endIpAddress: rule.endIpAddress },
      ...(this.kind === "flexible"
        ? { systemData: { createdAt: CREATED_AT, lastModifiedAt: CREATED_AT } }
        : {}),
    };
  }

  parameterToArm(param: ServerParameter): Record<string, unknown> {
    const common = {
      value: param.value,
      description: param.description,
      defaultValue: param.defaultValue,
      dataType: param.dataType,
      allowedValues: param.allowedValues,
      source: param.source,
    };
    return {
      id: `${this.id}/configurations/${param.name}`,
      name: param.name,
      type: `${this.resourceType}/configurations`,
      properties:
        this.kind === "single"
          ? common
          : {
              ...common,
              isReadOnly: param.isReadOnly ? "True" : "False",
              isConfigPendingRestart: "False",
              isDynamicConfig: param.isDynamicConfig ? "True" : "False",
            },
    };
  }
}
