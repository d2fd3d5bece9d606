/**
 * The Service Bus administration API (ATOM over HTTP), as `ServiceBusAdministrationClient` calls it (notes section
 * 13.2): `PUT|GET|DELETE /{entity}`, `/{topic}/Subscriptions/{sub}`, `…/Rules/{rule}`, lists under
 * `/$Resources/Queues|Topics`, `/{topic}/Subscriptions`, `…/Rules`, and `GET /$namespaceinfo`.
 * Served over HTTPS on the AMQP port (where the SDK sends it) and over plain HTTP on the emulator's HTTP port.
 */
import type http from "node:http";
import { HttpError, readBody } from "../../common/http-server.js";
import type { SasCredentials } from "../cbs.js";
import { countEntity, countTopic } from "../model/message-counts.js";
import type { Namespace } from "../model/namespace.js";
import type { Queue } from "../model/queue.js";
import type { Subscription } from "../model/subscription.js";
import type { Topic } from "../model/topic.js";
import { AdminError } from "./admin-error.js";
import { emptyFeedXml, type EntryInput, entryXml, errorXml, feedXml, parseEntryContent, type XmlNode } from "./atom-xml.js";
import { isoDate } from "./description-fields.js";
import type { EntityTimeBook } from "./entity-times.js";
import { EntityOperations } from "./entity-operations.js";
import { parseQueueDescription, queueDescription } from "./queue-xml.js";
import { parseRuleDescription, ruleDescription } from "./rule-xml.js";
import { foreignOrigin } from "./mutation-guard.js";
import { authorizeAdminRequest } from "./sas-auth.js";
import { parseDefaultRule, parseSubscriptionDescription, subscriptionDescription } from "./subscription-xml.js";
import { parseTopicDescription, topicDescription } from "./topic-xml.js";

export interface AdminApiOptions {
  namespace: Namespace;
  credentials: SasCredentials;
  times: EntityTimeBook;
  /** The namespace's creation time (NamespaceInfo CreatedTime). */
  createdAt: number;
}

const ENTRY_TYPE = "application/atom+xml;type=entry;charset=utf-8";
const FEED_TYPE = "application/atom+xml;type=feed;charset=utf-8";
const DEFAULT_PAGE = 100;

type Target =
  | { kind: "namespaceInfo" }
  | { kind: "list"; of: "queues" | "topics" }
  | { kind: "entity"; name: string }
  | { kind: "subscriptions"; topic: string }
  | { kind: "subscription"; topic: string; name: string }
  | { kind: "rules"; topic: string; subscription: string }
  | { kind: "rule"; topic: string; subscription: string; name: string };

/** Which resource an entity path names (no leading slash, percent-decoded). */
export function adminTarget(path: string): Target {
  const parts = path.replace(/\/+$/, "").split("/");
  const lower = parts.map((p) => p.toLowerCase());
  if (lower.length === 1 && lower[0] === "$namespaceinfo") return { kind: "namespaceInfo" };
  if (lower.length === 2 && lower[0] === "$resources" && (lower[1] === "queues" || lower[1] === "topics")) return { kind: "list", of: lower[1] };
  const subs = lower.lastIndexOf("subscriptions");
  if (subs > 0) {
    const topic = parts.slice(0, subs).join("/");
    const rest = parts.slice(subs + 1);
    if (rest.length === 0) return { kind: "subscriptions", topic };
    if (rest.length === 1) return { kind: "subscription", topic, name: rest[0] };
    if (rest.length === 2 && rest[1].toLowerCase() === "rules") return { kind: "rules", topic, subscription: rest[0] };
    if (rest.length === 3 && rest[1].toLowerCase() === "rules") return { kind: "rule", topic, subscription: rest[0], name: rest[2] };
  }
  if (path === "" || lower.some((p) => p.startsWith("$"))) throw AdminError.badRequest(`'/${path}' is not a Service Bus administration resource.`);
  return { kind: "entity", name: path.replace(/\/+$/, "") };
}

export class AdminApi {
  private readonly ops: EntityOperations;

  constructor(private readonly options: AdminApiOptions) {
    this.ops = new EntityOperations(options.namespace);
  }

  /** Answers one request; errors become Azure's `<Error>` body with the right status, never a bare 500. */
  async handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    try {
      let path: string;
      try {
        path = decodeURIComponent(url.pathname).replace(/^\/+/, "");
      } catch {
        throw AdminError.badRequest("The request path is not valid percent-encoding.");
      }
      const why = foreignOrigin(req);
      if (why) throw AdminError.forbidden(`${why}: the administration API answers clients outside web pages only.`);
      const addressed = { hostname: req.headers.host, localAddress: req.socket.localAddress };
      const audience = { namespaceName: this.options.namespace.name, addressed };
      authorizeAdminRequest(req.headers.authorization, path, this.options.credentials, audience);
      const base = `${(req.socket as { encrypted?: boolean }).encrypted ? "https" : "http"}://${req.headers.host ?? "localhost"}`;
      const request = new AdminRequest(req, url, base, path);
      const target = adminTarget(path);
      await this.route(request, target, res);
    } catch (err) {
      const error =
        err instanceof AdminError
          ? err
          : err instanceof HttpError
            ? new AdminError(err.status, err.message)
            : new AdminError(500, `Internal error: ${(err as Error)?.message ?? String(err)}`);
      const body = errorXml(error.status, error.message);
      if (!res.headersSent) res.writeHead(error.status, { "content-type": "application/xml; charset=utf-8", "content-length": Buffer.byteLength(body) });
      res.end(body);
    }
  }

  private async route(r: AdminRequest, target: Target, res: http.ServerResponse): Promise<void> {
    const method = r.req.method ?? "GET";
    const allow = (ok: string[]) => {
      if (!ok.includes(method)) throw AdminError.methodNotAllowed(`${method} is not allowed on '/${r.path}'.`);
    };
    switch (target.kind) {
      case "namespaceInfo":
        allow(["GET"]);
        return send(res, 200, ENTRY_TYPE, entryXml(this.namespaceEntry(r)));
      case "list": {
        allow(["GET"]);
        const ns = this.options.namespace;
        const all: (Queue | Topic)[] = target.of === "queues" ? [...ns.queues.values()] : [...ns.topics.values()];
        return this.sendPage(r, res, target.of === "queues" ? "Queues" : "Topics", all, (e) => this.entityEntry(r, e));
      }
      case "subscriptions": {
        allow(["GET"]);
        const topic = this.ops.topicOrFail(target.topic);
        return this.sendPage(r, res, "Subscriptions", [...topic.subscriptions.values()], (s) => this.subscriptionEntry(r, s));
      }
      case "rules": {
        allow(["GET"]);
        const subscription = this.ops.subscriptionOrFail(target.topic, target.subscription);
        return this.sendPage(r, res, "Rules", [...subscription.rules], (rule) => this.ruleEntry(r, subscription, rule));
      }
      case "entity":
        return this.entity(r, target.name, res, method);
      case "subscription":
        return this.subscription(r, target.topic, target.name, res, method);
      case "rule":
        return this.rule(r, target, res, method);
    }
  }

  private async entity(r: AdminRequest, name: string, res: http.ServerResponse, method: string): Promise<void> {
    const existing = this.ops.queue(name) ?? this.ops.topic(name);
    if (method === "GET") {
      if (!existing) return send(res, 200, FEED_TYPE, emptyFeedXml(r.self()));
      return send(res, 200, ENTRY_TYPE, entryXml(this.entityEntry(r, existing)));
    }
    if (method === "DELETE") {
      this.ops.deleteEntity(name);
      return send(res, 200, ENTRY_TYPE, "");
    }
    if (method !== "PUT") throw AdminError.methodNotAllowed(`${method} is not allowed on '/${r.path}'.`);
    const { name: kind, node: content } = parseEntryContent(await r.body(), ["QueueDescription", "TopicDescription"]);
    const isUpdate = r.isUpdate();
    let entity: Queue | Topic;
    if (kind === "TopicDescription") {
      const build = (base: Topic["options"]) => parseTopicDescription(content, base, this.options.times.now());
      entity = isUpdate ? this.ops.updateTopic(name, build) : this.ops.createTopic(name, build);
    } else {
      const build = (base: Queue["options"]) => parseQueueDescription(content, base, this.options.times.now());
      entity = isUpdate ? this.ops.updateQueue(name, build) : this.ops.createQueue(name, build);
    }
    if (isUpdate) this.options.times.updated(entity);
    else this.options.times.created(entity);
    return send(res, isUpdate ? 200 : 201, ENTRY_TYPE, entryXml(this.entityEntry(r, entity)));
  }

  private async subscription(r: AdminRequest, topicName: string, name: string, res: http.ServerResponse, method: string): Promise<void> {
    if (method === "GET") {
      const subscription = this.ops.topic(topicName)?.subscription(name);
      if (!subscription) return send(res, 200, FEED_TYPE, emptyFeedXml(r.self()));
      return send(res, 200, ENTRY_TYPE, entryXml(this.subscriptionEntry(r, subscription)));
    }
    if (method === "DELETE") {
      this.ops.deleteSubscription(topicName, name);
      return send(res, 200, ENTRY_TYPE, "");
    }
    if (method !== "PUT") throw AdminError.methodNotAllowed(`${method} is not allowed on '/${r.path}'.`);
    const { node: content } = parseEntryContent(await r.body(), ["SubscriptionDescription"]);
    const build = (base: Subscription["options"]) => parseSubscriptionDescription(content, base);
    const isUpdate = r.isUpdate();
    const subscription = isUpdate
      ? this.ops.updateSubscription(topicName, name, build)
      : this.ops.createSubscription(topicName, name, build, parseDefaultRule(content));
    if (isUpdate) this.options.times.updated(subscription);
    else this.options.times.created(subscription);
    return send(res, isUpdate ? 200 : 201, ENTRY_TYPE, entryXml(this.subscriptionEntry(r, subscription)));
  }

  private async rule(r: AdminRequest, target: Extract<Target, { kind: "rule" }>, res: http.ServerResponse, method: string): Promise<void> {
    const subscription = this.ops.subscriptionOrFail(target.topic, target.subscription);
    if (method === "GET") {
      const rule = this.ops.rule(subscription, target.name);
      if (!rule) return send(res, 200, FEED_TYPE, emptyFeedXml(r.self()));
      return send(res, 200, ENTRY_TYPE, entryXml(this.ruleEntry(r, subscription, rule)));
    }
    if (method === "DELETE") {
      this.ops.deleteRule(subscription, target.name);
      return send(res, 200, ENTRY_TYPE, "");
    }
    if (method !== "PUT") throw AdminError.methodNotAllowed(`${method} is not allowed on '/${r.path}'.`);
    const { node: content } = parseEntryContent(await r.body(), ["RuleDescription"]);
    const isUpdate = r.isUpdate();
    const rule = this.ops.putRule(subscription, parseRuleDescription(content, target.name), isUpdate);
    this.options.times.created(rule);
    return send(res, isUpdate ? 200 : 201, ENTRY_TYPE, entryXml(this.ruleEntry(r, subscription, rule)));
  }

  private sendPage<T>(r: AdminRequest, res: http.ServerResponse, title: string, all: T[], toEntry: (item: T) => EntryInput): void {
    const skip = r.paging("$skip", 0);
    const top = r.paging("$top", DEFAULT_PAGE);
    const page = all.slice(skip, skip + top);
    let next: string | undefined;
    if (top > 0 && skip + top < all.length) {
      const nextUrl = new URL(r.self());
      nextUrl.searchParams.set("$skip", String(skip + top));
      nextUrl.searchParams.set("$top", String(top));
      next = nextUrl.toString();
    }
    send(res, 200, FEED_TYPE, feedXml(title, r.self(), page.map(toEntry), next));
  }

  private forwardUrl(r: AdminRequest): (name: string) => string {
    return (name) => `sb://${r.host}/${name}`;
  }

  private entityEntry(r: AdminRequest, entity: Queue | Topic): EntryInput {
    const times = this.options.times.of(entity);
    const content: XmlNode =
      entity.kind === "queue"
        ? queueDescription(entity.options, countEntity(entity), times, this.forwardUrl(r))
        : topicDescription(entity.options, countTopic(entity), entity.subscriptions.size, times);
    return {
      id: r.urlOf(entity.name),
      title: entity.name,
      createdAt: new Date(times.createdAt),
      updatedAt: new Date(times.updatedAt),
      contentName: entity.kind === "queue" ? "QueueDescription" : "TopicDescription",
      content,
    };
  }

  private subscriptionEntry(r: AdminRequest, subscription: Subscription): EntryInput {
    const times = this.options.times.of(subscription);
    return {
      id: r.urlOf(`${subscription.topicName}/Subscriptions/${subscription.name}`),
      title: subscription.name,
      createdAt: new Date(times.createdAt),
      updatedAt: new Date(times.updatedAt),
      contentName: "SubscriptionDescription",
      content: subscriptionDescription(subscription.options, countEntity(subscription), times, this.forwardUrl(r)),
    };
  }

  private ruleEntry(r: AdminRequest, subscription: Subscription, rule: Subscription["rules"][number]): EntryInput {
    const times = this.options.times.of(rule);
    return {
      id: r.urlOf(`${subscription.topicName}/Subscriptions/${subscription.name}/Rules/${rule.name}`),
      title: rule.name,
      createdAt: new Date(times.createdAt),
      updatedAt: new Date(times.updatedAt),
      contentName: "RuleDescription",
      content: ruleDescription(rule, times.createdAt),
    };
  }

  private namespaceEntry(r: AdminRequest): EntryInput {
    const name = this.options.namespace.name;
    const created = this.options.createdAt;
    return {
      id: r.self(),
      title: name,
      updatedAt: new Date(),
      contentName: "NamespaceInfo",
      content: {
        Alias: name,
        CreatedTime: isoDate(created),
        MessagingSKU: "Standard",
        ModifiedTime: isoDate(created),
        Name: name,
        NamespaceType: "Messaging",
      },
    };
  }
}

class AdminRequest {
  constructor(
    readonly req: http.IncomingMessage,
    readonly url: URL,
    readonly base: string,
    readonly path: string,
  ) {}

  get host(): string {
    return new URL(this.base).host;
  }

  /** The request's own URL (the `id` and `self` link of what it returns). */
  self(): string {
    return `${this.base}${this.url.pathname}${this.url.search}`;
  }

  /** The URL of another resource, with the request's api-version. */
  urlOf(path: string): string {
    // encodeURI keeps `$` (as in `$Default`): the SDK takes names from the id's path without decoding it.
    const url = new URL(`${this.base}/${encodeURI(path)}`);
    url.searchParams.set("api-version", this.url.searchParams.get("api-version") ?? "2021-05");
    return url.toString();
  }

  /** PUT with `If-Match` is an update (the SDK's update* methods send `If-Match: *`). */
  isUpdate(): boolean {
    return this.req.headers["if-match"] !== undefined;
  }

  paging(name: string, fallback: number): number {
    const raw = this.url.searchParams.get(name);
    if (raw === null) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) throw AdminError.badRequest(`The query parameter ${name} must be a non-negative integer, got '${raw}'.`);
    return n;
  }

  async body(): Promise<string> {
    return (await readBody(this.req, 1024 * 1024)).toString("utf8");
  }
}

function send(res: http.ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body) });
  res.end(body);
}
