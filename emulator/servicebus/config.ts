/**
 * The official Service Bus emulator's `Config.json` format, validated into the model's shapes.
 *
 * Differences from Microsoft's emulator, on purpose: any namespace name, no caps on the number of entities, no 1-hour
 * TTL cap, lock durations down to 1 s (tests), MaxDeliveryCount above 10, and `MaxMessageSizeInKilobytes` on queues
 * and topics. Rules reference the SQL filter language; a filter that does not parse is a config error that names the
 * rule's JSON path, the expression and the position.
 */
import { z } from "zod";
import { ConfigError, formatJsonPath, loadConfigFile, validateConfig } from "../common/config-file.js";
import { parseIsoDuration } from "../common/duration.js";
import { compileAction, compileFilter, FilterSyntaxError } from "./filters/index.js";
import {
  type FilterDescription,
  type QueueOptions,
  type RuleDescription,
  type SubscriptionOptions,
  type TopicOptions,
  DEFAULT_RULE_NAME,
  queueDefaults,
  subscriptionDefaults,
  topicDefaults,
} from "./model/entity-options.js";

export interface QueueConfig {
  name: string;
  options: QueueOptions;
}
export interface SubscriptionConfig {
  name: string;
  options: SubscriptionOptions;
  rules: RuleDescription[];
}
export interface TopicConfig {
  name: string;
  options: TopicOptions;
  subscriptions: SubscriptionConfig[];
}
export interface ServiceBusNamespaceConfig {
  name: string;
  queues: QueueConfig[];
  topics: TopicConfig[];
}

const ENTITY_NAME = /^[A-Za-z0-9]$|^[A-Za-z0-9][\w\-./]*[A-Za-z0-9]$/;
const entityName = z.string().regex(ENTITY_NAME, "must start and end with a letter or digit and contain only letters, digits, '-', '_', '.' and '/'");

const duration = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.string().transform((text, ctx) => {
    const ms = parseIsoDuration(text);
    if (ms === undefined) {
      ctx.addIssue({ code: "custom", message: `"${text}" is not an ISO 8601 duration such as PT30S, PT1M or P1D` });
      return z.NEVER;
    }
    if (ms < min || ms > max) {
      ctx.addIssue({ code: "custom", message: `"${text}" must be between ${min / 1000} s and ${max / 1000} s` });
      return z.NEVER;
    }
    return ms;
  });

const forwardName = z.string().refine((s) => s === "" || ENTITY_NAME.test(s), "must be empty or an entity name");
const maxDeliveryCount = z.number().int().min(1).max(2_147_483_647);
const lockDuration = duration(1000, 5 * 60_000);
const ttl = duration(1000);
const dupWindow = duration(1000, 7 * 86_400_000);
const maxMessageSizeKb = z.number().int().min(1).max(100 * 1024);

const queueProps = z
  .object({
    DeadLetteringOnMessageExpiration: z.boolean().optional(),
    DefaultMessageTimeToLive: ttl.optional(),
    DuplicateDetectionHistoryTimeWindow: dupWindow.optional(),
    ForwardDeadLetteredMessagesTo: forwardName.optional(),
    ForwardTo: forwardName.optional(),
    LockDuration: lockDuration.optional(),
    MaxDeliveryCount: maxDeliveryCount.optional(),
    RequiresDuplicateDetection: z.boolean().optional(),
    RequiresSession: z.boolean().optional(),
    MaxMessageSizeInKilobytes: maxMessageSizeKb.optional(),
  })
  .strict();

const topicProps = z
  .object({
    DefaultMessageTimeToLive: ttl.optional(),
    DuplicateDetectionHistoryTimeWindow: dupWindow.optional(),
    RequiresDuplicateDetection: z.boolean().optional(),
    MaxMessageSizeInKilobytes: maxMessageSizeKb.optional(),
  })
  .strict();

const subscriptionProps = z
  .object({
    DeadLetteringOnMessageExpiration: z.boolean().optional(),
    DefaultMessageTimeToLive: ttl.optional(),
    LockDuration: lockDuration.optional(),
    MaxDeliveryCount: maxDeliveryCount.optional(),
    ForwardDeadLetteredMessagesTo: forwardName.optional(),
    ForwardTo: forwardName.optional(),
    RequiresSession: z.boolean().optional(),
    DeadLetteringOnFilterEvaluationExceptions: z.boolean().optional(),
  })
  .strict();

const correlationValue = z.union([z.string(), z.number(), z.boolean()]);
const correlationFilter = z
  .object({
    ContentType: z.string().optional(),
    CorrelationId: z.string().optional(),
    Label: z.string().optional(),
    MessageId: z.string().optional(),
    ReplyTo: z.string().optional(),
    ReplyToSessionId: z.string().optional(),
    SessionId: z.string().optional(),
    To: z.string().optional(),
    Properties: z.record(z.string(), correlationValue).optional(),
  })
  .strict()
  .refine((f) => Object.keys(f).length > 0, "a correlation filter needs at least one property");

const sqlExpression = z.object({ SqlExpression: z.string().min(1) }).strict();

const ruleSchema = z
  .object({
    Name: z.string().regex(/^\$Default$|^[A-Za-z0-9]$|^[A-Za-z0-9][\w\-./]*[A-Za-z0-9]$/, "is not a valid rule name"),
    Properties: z
      .object({
        FilterType: z.enum(["Correlation", "Sql"]),
        CorrelationFilter: correlationFilter.optional(),
        SqlFilter: sqlExpression.optional(),
        Action: sqlExpression.optional(),
      })
      .strict()
      .superRefine((p, ctx) => {
        if (p.FilterType === "Correlation" && !p.CorrelationFilter)
          ctx.addIssue({ code: "custom", path: ["CorrelationFilter"], message: 'FilterType "Correlation" needs a CorrelationFilter' });
        if (p.FilterType === "Sql" && !p.SqlFilter) ctx.addIssue({ code: "custom", path: ["SqlFilter"], message: 'FilterType "Sql" needs a SqlFilter' });
      }),
  })
  .strict();

const subscriptionSchema = z
  .object({ Name: entityName, Properties: subscriptionProps.optional(), Rules: z.array(ruleSchema).optional() })
  .strict();
const topicSchema = z
  .object({ Name: entityName, Properties: topicProps.optional(), Subscriptions: z.array(subscriptionSchema).default([]) })
  .strict();
const queueSchema = z.object({ Name: entityName, Properties: queueProps.optional() }).strict();

const configSchema = z
  .object({
    UserConfig: z
      .object({
        Namespaces: z
          .array(
            z
              .object({
                Name: z.string().min(1),
                Queues: z.array(queueSchema).default([]),
                Topics: z.array(topicSchema).default([]),
              })
              .strict(),
          )
          .length(1, "exactly one namespace is supported, as in Microsoft's emulator"),
        Logging: z.object({ Type: z.string() }).optional(),
      })
      .strict(),
  })
  .strict();

type RawConfig = z.output<typeof configSchema>;

function correlationFrom(raw: NonNullable<z.output<typeof correlationFilter>>): FilterDescription {
  return {
    type: "correlation",
    contentType: raw.ContentType,
    correlationId: raw.CorrelationId,
    label: raw.Label,
    messageId: raw.MessageId,
    replyTo: raw.ReplyTo,
    replyToSessionId: raw.ReplyToSessionId,
    sessionId: raw.SessionId,
    to: raw.To,
    properties: raw.Properties,
  };
}

function toModel(raw: RawConfig, file: string): ServiceBusNamespaceConfig {
  const ns = raw.UserConfig.Namespaces[0];
  const problems: { path: string; message: string }[] = [];
  const seen = new Map<string, string>();
  const claim = (name: string, path: (string | number)[]) => {
    const key = name.toLowerCase();
    const other = seen.get(key);
    if (other) problems.push({ path: formatJsonPath(path), message: `"${name}" is already used by ${other}` });
    else seen.set(key, formatJsonPath(path));
  };

  const queues: QueueConfig[] = ns.Queues.map((q, i) => {
    claim(q.Name, ["UserConfig", "Namespaces", 0, "Queues", i, "Name"]);
    const p = q.Properties ?? {};
    return {
      name: q.Name,
      options: {
        ...queueDefaults,
        deadLetteringOnMessageExpiration: p.DeadLetteringOnMessageExpiration ?? queueDefaults.deadLetteringOnMessageExpiration,
        defaultMessageTimeToLiveMs: p.DefaultMessageTimeToLive ?? queueDefaults.defaultMessageTimeToLiveMs,
        duplicateDetectionHistoryTimeWindowMs: p.DuplicateDetectionHistoryTimeWindow ?? queueDefaults.duplicateDetectionHistoryTimeWindowMs,
        forwardDeadLetteredMessagesTo: p.ForwardDeadLetteredMessagesTo || undefined,
        forwardTo: p.ForwardTo || undefined,
        lockDurationMs: p.LockDuration ?? queueDefaults.lockDurationMs,
        maxDeliveryCount: p.MaxDeliveryCount ?? queueDefaults.maxDeliveryCount,
        requiresDuplicateDetection: p.RequiresDuplicateDetection ?? queueDefaults.requiresDuplicateDetection,
        requiresSession: p.RequiresSession ?? queueDefaults.requiresSession,
        maxMessageSizeInKilobytes: p.MaxMessageSizeInKilobytes ?? queueDefaults.maxMessageSizeInKilobytes,
      },
    };
  });

  const topics: TopicConfig[] = ns.Topics.map((t, ti) => {
    const topicPath = ["UserConfig", "Namespaces", 0, "Topics", ti];
    claim(t.Name, [...topicPath, "Name"]);
    const p = t.Properties ?? {};
    const subNames = new Map<string, number>();
    return {
      name: t.Name,
      options: {
        ...topicDefaults,
        defaultMessageTimeToLiveMs: p.DefaultMessageTimeToLive ?? topicDefaults.defaultMessageTimeToLiveMs,
        duplicateDetectionHistoryTimeWindowMs: p.DuplicateDetectionHistoryTimeWindow ?? topicDefaults.duplicateDetectionHistoryTimeWindowMs,
        requiresDuplicateDetection: p.RequiresDuplicateDetection ?? topicDefaults.requiresDuplicateDetection,
        maxMessageSizeInKilobytes: p.MaxMessageSizeInKilobytes ?? topicDefaults.maxMessageSizeInKilobytes,
      },
      subscriptions: t.Subscriptions.map((s, si) => {
        const subPath = [...topicPath, "Subscriptions", si];
        const lower = s.Name.toLowerCase();
        if (subNames.has(lower)) problems.push({ path: formatJsonPath([...subPath, "Name"]), message: `"${s.Name}" is already used by another subscription of this topic` });
        subNames.set(lower, si);
        const sp = s.Properties ?? {};
        const ruleNames = new Set<string>();
        const rules: RuleDescription[] = (s.Rules ?? []).map((r, ri) => {
          const rulePath = [...subPath, "Rules", ri];
          if (ruleNames.has(r.Name.toLowerCase())) problems.push({ path: formatJsonPath([...rulePath, "Name"]), message: `rule "${r.Name}" is defined twice` });
          ruleNames.add(r.Name.toLowerCase());
          const rp = r.Properties;
          const filter: FilterDescription =
            rp.FilterType === "Sql" ? { type: "sql", expression: rp.SqlFilter!.SqlExpression } : correlationFrom(rp.CorrelationFilter!);
          const rule: RuleDescription = { name: r.Name, filter };
          if (rp.Action) rule.action = { type: "sql", expression: rp.Action.SqlExpression };
          try {
            compileFilter(filter);
          } catch (err) {
            problems.push({ path: formatJsonPath([...rulePath, "Properties", "SqlFilter", "SqlExpression"]), message: describeFilterError(err) });
          }
          try {
            compileAction(rule.action);
          } catch (err) {
            problems.push({ path: formatJsonPath([...rulePath, "Properties", "Action", "SqlExpression"]), message: describeFilterError(err) });
          }
          return rule;
        });
        return {
          name: s.Name,
          options: {
            ...subscriptionDefaults,
            deadLetteringOnMessageExpiration: sp.DeadLetteringOnMessageExpiration ?? subscriptionDefaults.deadLetteringOnMessageExpiration,
            defaultMessageTimeToLiveMs: sp.DefaultMessageTimeToLive ?? subscriptionDefaults.defaultMessageTimeToLiveMs,
            lockDurationMs: sp.LockDuration ?? subscriptionDefaults.lockDurationMs,
            maxDeliveryCount: sp.MaxDeliveryCount ?? subscriptionDefaults.maxDeliveryCount,
            forwardDeadLetteredMessagesTo: sp.ForwardDeadLetteredMessagesTo || undefined,
            forwardTo: sp.ForwardTo || undefined,
            requiresSession: sp.RequiresSession ?? subscriptionDefaults.requiresSession,
            deadLetteringOnFilterEvaluationExceptions:
              sp.DeadLetteringOnFilterEvaluationExceptions ?? subscriptionDefaults.deadLetteringOnFilterEvaluationExceptions,
          },
          // A subscription declared without rules receives everything, as with Azure's $Default rule.
          rules: rules.length > 0 ? rules : [{ name: DEFAULT_RULE_NAME, filter: { type: "true" } }],
        };
      }),
    };
  });

  // Forwarding targets must exist in this namespace.
  const checkForward = (target: string | undefined, path: (string | number)[]) => {
    if (target && !seen.has(target.toLowerCase())) problems.push({ path: formatJsonPath(path), message: `forwards to "${target}", which is not a queue or topic of this namespace` });
  };
  ns.Queues.forEach((q, i) => {
    checkForward(q.Properties?.ForwardTo, ["UserConfig", "Namespaces", 0, "Queues", i, "Properties", "ForwardTo"]);
    checkForward(q.Properties?.ForwardDeadLetteredMessagesTo, ["UserConfig", "Namespaces", 0, "Queues", i, "Properties", "ForwardDeadLetteredMessagesTo"]);
  });
  ns.Topics.forEach((t, ti) =>
    t.Subscriptions.forEach((s, si) => {
      const base = ["UserConfig", "Namespaces", 0, "Topics", ti, "Subscriptions", si, "Properties"];
      checkForward(s.Properties?.ForwardTo, [...base, "ForwardTo"]);
      checkForward(s.Properties?.ForwardDeadLetteredMessagesTo, [...base, "ForwardDeadLetteredMessagesTo"]);
    }),
  );

  if (problems.length === 0) problems.push(...forwardingLoops(queues, topics));
  if (problems.length > 0) throw new ConfigError(file, problems);
  return { name: ns.Name, queues, topics };
}

/**
 * ForwardTo chains that come back to where they started (a queue forwarding to itself, q1 -> q2 -> q1, or a
 * subscription forwarding to its own topic). Azure refuses these; a message would otherwise circle until the hop
 * limit. A topic stands for all of its subscriptions. One problem per loop, at the ForwardTo that starts it.
 */
function forwardingLoops(queues: QueueConfig[], topics: TopicConfig[]): { path: string; message: string }[] {
  interface Node {
    label: string;
    forwardTo: string | undefined;
    path: (string | number)[];
  }
  const nodes = new Map<string, Node>();
  queues.forEach((q, i) =>
    nodes.set(q.name.toLowerCase(), { label: q.name, forwardTo: q.options.forwardTo, path: ["UserConfig", "Namespaces", 0, "Queues", i, "Properties", "ForwardTo"] }),
  );
  const subscriptionsOf = new Map<string, string[]>();
  topics.forEach((t, ti) => {
    const keys = t.subscriptions.map((s, si) => {
      const key = `${t.name}/Subscriptions/${s.name}`.toLowerCase();
      const path = ["UserConfig", "Namespaces", 0, "Topics", ti, "Subscriptions", si, "Properties", "ForwardTo"];
      nodes.set(key, { label: `${t.name}/Subscriptions/${s.name}`, forwardTo: s.options.forwardTo, path });
      return key;
    });
    subscriptionsOf.set(t.name.toLowerCase(), keys);
  });
  const next = (node: Node): string[] => {
    const target = node.forwardTo?.toLowerCase();
    if (!target) return [];
    if (nodes.has(target) && !subscriptionsOf.has(target)) return [target];
    return subscriptionsOf.get(target) ?? [];
  };
  const problems: { path: string; message: string }[] = [];
  const done = new Set<string>();
  const onPath: string[] = [];
  const visit = (key: string): void => {
    if (done.has(key)) return;
    const at = onPath.indexOf(key);
    if (at >= 0) {
      const loop = [...onPath.slice(at), key].map((k) => nodes.get(k)!.label);
      problems.push({ path: formatJsonPath(nodes.get(key)!.path), message: `ForwardTo makes a loop: ${loop.join(" -> ")}` });
      return;
    }
    onPath.push(key);
    for (const n of next(nodes.get(key)!)) visit(n);
    onPath.pop();
    done.add(key);
  };
  for (const key of nodes.keys()) visit(key);
  return problems;
}

function describeFilterError(err: unknown): string {
  if (err instanceof FilterSyntaxError) return `${err.message} in "${err.expression}"`;
  return (err as Error).message;
}

/** Validates an already-parsed config object (`file` only labels errors). */
export function parseServiceBusConfig(value: unknown, file = "<config>"): ServiceBusNamespaceConfig {
  return toModel(validateConfig(configSchema, value, file), file);
}

export function loadServiceBusConfig(file: string): ServiceBusNamespaceConfig {
  return toModel(loadConfigFile(configSchema, file), file);
}
