import type { Clock } from "../../common/clock.js";
import { compileAction, compileFilter } from "../filters/index.js";
import type { ActionTarget, CompiledAction, CompiledFilter, FilterInput } from "../filters/types.js";
import type { RuleDescription, SubscriptionOptions } from "./entity-options.js";
import type { MessageFields, MessagePayload } from "./message-payload.js";
import { MessageStore } from "./message-store.js";
import { deadLetterSettings } from "./queue.js";

interface CompiledRule {
  description: RuleDescription;
  filter: CompiledFilter;
  action: CompiledAction | undefined;
}

/** The broker-assigned values a filter can read besides what the message carries. */
export interface EnqueueFacts {
  sequenceNumber: number;
  enqueuedAt: number;
}

/** A filter's view of a message: broker facts first, then the message's own fields. */
function filterView(fields: MessageFields, payload: MessagePayload, facts: EnqueueFacts): FilterInput {
  return {
    system(name) {
      switch (name.toLowerCase()) {
        case "sequencenumber":
        case "enqueuedsequencenumber":
          return facts.sequenceNumber;
        case "enqueuedtimeutc":
          return new Date(facts.enqueuedAt);
        case "deliverycount":
          return 0;
        case "size":
          return payload.size;
        case "expiresatutc": {
          const ttl = payload.timeToLiveMs;
          return ttl === undefined ? undefined : new Date(facts.enqueuedAt + ttl);
        }
        default:
          return fields.system(name);
      }
    },
    user: (name) => fields.user(name),
  };
}

export class Subscription {
  readonly kind = "subscription";
  readonly store: MessageStore;
  readonly deadLetters: MessageStore;
  readonly transferDeadLetters: MessageStore;
  private compiled: CompiledRule[] = [];

  constructor(
    readonly topicName: string,
    readonly name: string,
    public options: SubscriptionOptions,
    rules: RuleDescription[],
    clock: Clock,
  ) {
    const path = `${topicName}/Subscriptions/${name}`;
    const own = () => this.options;
    this.deadLetters = new MessageStore(`${path}/$DeadLetterQueue`, deadLetterSettings(own), clock, undefined);
    this.transferDeadLetters = new MessageStore(`${path}/$Transfer/$DeadLetterQueue`, deadLetterSettings(own), clock, undefined);
    this.store = new MessageStore(path, own, clock, this.deadLetters);
    this.setRules(rules);
  }

  get path(): string {
    return this.store.path;
  }

  get rules(): readonly RuleDescription[] {
    return this.compiled.map((r) => r.description);
  }

  setRules(rules: RuleDescription[]): void {
    this.compiled = rules.map((description) => ({ description, filter: compileFilter(description.filter), action: compileAction(description.action) }));
  }

  /**
   * Offers a message published to the topic. The subscription keeps one copy when any rule matches; the actions
   * of every matching rule are applied to that copy, in rule order.
   * A filter that throws counts as no match; when no rule matched and one threw, the message is dead-lettered if
   * the subscription has DeadLetteringOnFilterEvaluationExceptions (Azure's behaviour), else dropped.
   */
  accept(payload: MessagePayload, facts: EnqueueFacts): void {
    const view = filterView(payload, payload, facts);
    const actions: CompiledAction[] = [];
    let matched = false;
    let failure: unknown;
    for (const rule of this.compiled) {
      let hit = false;
      try {
        hit = rule.filter.matches(view);
      } catch (err) {
        failure ??= err;
      }
      if (!hit) continue;
      matched = true;
      if (rule.action) actions.push(rule.action);
    }
    if (!matched) {
      if (failure !== undefined && this.options.deadLetteringOnFilterEvaluationExceptions) {
        const reason = failure instanceof Error ? failure.message : String(failure);
        const copy = payload.withUserProperties([
          ["DeadLetterReason", "FilterEvaluationException"],
          ["DeadLetterErrorDescription", reason],
        ]);
        this.deadLetters.enqueue(copy, facts.sequenceNumber);
      }
      return;
    }
    let copy = payload;
    if (actions.length > 0) {
      const editor = payload.edit();
      const target: ActionTarget = { ...filterView(editor, payload, facts), setSystem: editor.setSystem, setUser: editor.setUser, removeUser: editor.removeUser };
      try {
        for (const action of actions) action.apply(target);
        copy = editor.finish();
      } catch {
        // An action that cannot run leaves the message as it was published.
        copy = payload;
      }
    }
    this.store.enqueue(copy, facts.sequenceNumber);
  }

  close(): void {
    this.store.close();
    this.deadLetters.close();
    this.transferDeadLetters.close();
  }
}
