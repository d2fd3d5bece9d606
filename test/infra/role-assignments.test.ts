/**
 * Least privilege, read from the compiled template: each identity gets exactly the built-in roles its code paths need
 * (role definition ids checked against Azure's published ids, test/infra/azure-built-in-roles.ts), each on exactly
 * the resource it touches, and nothing else.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { builtInRoles, type BuiltInRole, roleName } from "./azure-built-in-roles.js";
import {
  type CompiledTemplate,
  compileTemplate,
  deployment,
  ofType,
  type PredictedResource,
  single,
  skipReason,
} from "./compiled-template.js";

interface Grant {
  principal: "app" | "deploying user" | string;
  role: BuiltInRole | string;
  scope: string;
}

const storage = "Microsoft.Storage/storageAccounts";
const serviceBus = "Microsoft.ServiceBus/namespaces";
const eventHubs = "Microsoft.EventHub/namespaces";
const insights = "Microsoft.Insights/components";
const keyVault = "Microsoft.KeyVault/vaults";

/** What each identity needs, on which resource type, and why. */
const needed: Record<"app" | "deploying user", { type: string; role: BuiltInRole; why: string }[]> = {
  app: [
    { type: storage, role: "Storage Blob Data Owner", why: "AzureWebJobsStorage, the Flex package container" },
    { type: storage, role: "Storage Table Data Contributor", why: "TicketingStorage: event store, read models" },
    { type: serviceBus, role: "Azure Service Bus Data Sender", why: "the outbox relay sends commands and events" },
    { type: serviceBus, role: "Azure Service Bus Data Receiver", why: "the topic triggers receive" },
    { type: eventHubs, role: "Azure Event Hubs Data Sender", why: "the relay produces to festival-events over Kafka" },
    { type: eventHubs, role: "Azure Event Hubs Data Receiver", why: "Kafka consumers with an Entra token" },
    { type: "Microsoft.EventGrid/topics", role: "EventGrid Data Sender", why: "the relay publishes the notify events" },
    { type: insights, role: "Monitoring Metrics Publisher", why: "telemetry with local auth off" },
    { type: keyVault, role: "Key Vault Secrets User", why: "AnalyticsKafkaConnection's Key Vault reference" },
  ],
  // The same data roles, to run the repo's tools (sb, analytics:replay, projections:rebuild) against Azure, and
  // Secrets Officer instead of User: the postprovision hook writes the analytics trigger's secret as this user.
  "deploying user": [],
};
needed["deploying user"] = needed.app.map((n) =>
  n.role === "Key Vault Secrets User"
    ? { ...n, role: "Key Vault Secrets Officer", why: "the postprovision hook writes the secret" }
    : n,
);

const assignmentPath = "/providers/Microsoft.Authorization/roleAssignments/";

function grantsOf(t: CompiledTemplate): Grant[] {
  const identity = single(t.resources, "Microsoft.ManagedIdentity/userAssignedIdentities");
  return ofType(t.resources, "Microsoft.Authorization/roleAssignments").map((a) => {
    // The id is `<scope>/providers/Microsoft.Authorization/roleAssignments/<guid>`, or, while the guid depends on a
    // value known only when deployed (the identity's principal id), an extensionResourceId('<scope>', ...) expression.
    const scope = /extensionResourceId\('([^']+)'/.exec(a.id)?.[1] ?? a.id.split(assignmentPath)[0];
    const principalId: string = a.properties.principalId;
    const principal = principalId.startsWith(`[reference('${identity.id}'`) && principalId.endsWith(".principalId]")
      ? "app"
      : principalId === deployment.principalId ? "deploying user" : principalId;
    return { principal, role: roleName(a.properties.roleDefinitionId) ?? a.properties.roleDefinitionId, scope };
  });
}

const expectedGrants = (t: CompiledTemplate) =>
  Object.entries(needed).flatMap(([principal, list]) =>
    list.map((n) => ({ principal, role: n.role, scope: single(t.resources, n.type).id })),
  );

describe.skipIf(Boolean(skipReason))("role assignments in the compiled template", () => {
  let t: CompiledTemplate;
  beforeAll(() => {
    t = compileTemplate();
  }, 120_000);

  it("every role definition id is one of Azure's built-in roles, named in the table", () => {
    const assignments = ofType(t.resources, "Microsoft.Authorization/roleAssignments");
    const ids = assignments.map((a) => a.properties.roleDefinitionId as string);
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) {
      const subscription = `/subscriptions/${deployment.subscriptionId}`;
      const definitions = `${subscription}/providers/Microsoft.Authorization/roleDefinitions`;
      expect(id.startsWith(`${definitions}/`), id).toBe(true);
      expect(roleName(id), id).toBeDefined();
    }
  });

  it.each(Object.entries(needed).flatMap(([who, list]) => list.map((n) => [who, n.role, n.type, n.why] as const)))(
    "%s gets %s on the %s it uses (%s)",
    (who, role, type) => {
      expect(grantsOf(t)).toContainEqual({ principal: who, role, scope: single(t.resources, type).id });
    },
  );

  it("grants nothing beyond that: no other role, resource or principal", () => {
    const key = (g: Grant) => `${g.principal} | ${g.role} | ${g.scope}`;
    expect(grantsOf(t).map(key).sort()).toEqual(expectedGrants(t).map(key).sort());
  });

  it("each principal type says what it is (ServicePrincipal for the app's identity)", () => {
    const assignments: PredictedResource[] = ofType(t.resources, "Microsoft.Authorization/roleAssignments");
    const identity = single(t.resources, "Microsoft.ManagedIdentity/userAssignedIdentities");
    for (const a of assignments) {
      const app = String(a.properties.principalId).includes(identity.id);
      expect(a.properties.principalType).toBe(app ? "ServicePrincipal" : "User");
    }
  });

  it("the table's role names and ids are distinct (one id per role)", () => {
    expect(new Set(Object.values(builtInRoles)).size).toBe(Object.keys(builtInRoles).length);
  });
});
