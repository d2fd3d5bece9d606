/**
 * The Azure built-in roles infra/ assigns, by name, with the role definition ids Azure publishes for them (the same
 * in every tenant). Source: Microsoft Learn "Azure built-in roles"
 * (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles, tables "Storage", "Integration",
 * "Analytics", "Monitor", "Security"). The contract tests compare the compiled template's role definition ids with
 * this table, so a mistyped id fails here rather than in a deployment that grants the wrong role, or none.
 */
export const builtInRoles = {
  "Storage Blob Data Owner": "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
  "Storage Table Data Contributor": "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
  "Azure Service Bus Data Sender": "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39",
  "Azure Service Bus Data Receiver": "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0",
  "Azure Event Hubs Data Sender": "2b629674-e913-4c01-ae53-ef4638d8f975",
  "Azure Event Hubs Data Receiver": "a638d3c7-ab3a-418d-83e6-5f17a39d4fde",
  "EventGrid Data Sender": "d5a91429-5739-47e2-a06b-3470a27159e7",
  "Monitoring Metrics Publisher": "3913510d-42f4-4e42-8a64-420c390055eb",
  "Key Vault Secrets User": "4633458b-17de-408a-b874-0445c86b69e6",
  "Key Vault Secrets Officer": "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
} as const;

export type BuiltInRole = keyof typeof builtInRoles;

/** The role name of a role definition id, or undefined for an id that is not in the table. */
export function roleName(id: string): BuiltInRole | undefined {
  const guid = id.split("/").at(-1)?.toLowerCase();
  return (Object.keys(builtInRoles) as BuiltInRole[]).find((name) => builtInRoles[name] === guid);
}
