import type { Clock } from "../../common/clock.js";
import { faults } from "../amqp/errors.js";
import { compileAction, compileFilter } from "../filters/index.js";
import type { ActionTarget, CompiledAction, CompiledFilter, FilterInput } from "../filters/types.js";
import type { RuleDescription, SubscriptionOptions } from "./entity-options.js";
import { forwardingDivert, type ForwardingSource, type Router } from "./forwarding.js";
import type { MessageFields, MessagePayload } from "./message-payload.js";
import { DEAD_LETTER_DESCRIPTION, DEAD_LETTER_REASON, MessageStore, sessionIdOf } from "./message-store.js";
import { type ArrivalOptions, deadLetterSettings, SESSION_ID_MISSING } from "./queue.js";
import { type EntityStorage, inMemoryStorage } from "./record-store.js";

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

const noNames: readonly string[] = [];

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
    // User property names match ignoring case (filters/user-properties.ts).
    userPropertyNames: () => fields.userPropertyNames?.() ?? noNames,
  };
}

export class Subscription implements ForwardingSource {
  readonly kind = "subscription";
  readonly store: MessageStore;
  readonly deadLetters: MessageStore;
  readonly transferDeadLetters: MessageStore;
  /** Set by the topic when it joins a namespace; forwarding needs it to find targets. */
  router: Router | undefined;
  transferredCount = 0;
  /** Set by the namespace: the rules changed (the durable mode records them). */
  onRulesChanged: (() => void) | undefined;
  private compiled: CompiledRule[] = [];

  constructor(
    readonly topicName: string,
    readonly name: string,
    public options: SubscriptionOptions,
    rules: RuleDescription[],
    clock: Clock,
    storage: EntityStorage = inMemoryStorage,
  ) {
    const path = `${topicName}/Subscriptions/${name}`;
    const own = () => this.options;
    const dlqPath = `${path}/$DeadLetterQueue`;
    const tdlqPath = `${path}/$Transfer/$DeadLetterQueue`;
    this.deadLetters = new MessageStore(dlqPath, deadLetterSettings(own), clock, undefined, storage.records(dlqPath));
    this.transferDeadLetters = new MessageStore(tdlqPath, deadLetterSettings(own), clock, undefined, storage.records(tdlqPath));
    this.store = new MessageStore(path, own, clock, this.deadLetters, storage.records(path));
    this.store.divert = forwardingDivert(this, () => this.options.forwardTo);
    this.deadLetters.divert = forwardingDivert(this, () => this.options.forwardDeadLetteredMessagesTo, path);
    const observer = () => this.router?.messageObservers?.current;
    for (const store of [this.store, this.deadLetters, this.transferDeadLetters]) store.observer = observer;
    this.setRules(rules);
  }

  get path(): string {
    return this.store.path;
  }

  get rules(): readonly RuleDescription[] {
    return this.compiled.map((r) => r.description);
  }

  /** Replaces every rule. Throws FilterSyntaxError (and changes nothing) when one does not compile. */
  setRules(rules: RuleDescription[]): void {
    this.compiled = rules.map(compileRule);
    this.onRulesChanged?.();
  }

  /** `$management` add-rule (and the administration API): compiled first, so a bad expression changes nothing. */
  addRule(rule: RuleDescription): void {
    const compiled = compileRule(rule);
    if (this.findRule(rule.name) >= 0) throw faults.entityAlreadyExists(`The messaging entity '${this.path}/Rules/${rule.name}' already exists.`);
    this.compiled = [...this.compiled, compiled];
    this.onRulesChanged?.();
  }

  /** Throws MessagingEntityNotFound when there is no rule of that name (names ignore case, as in Azure). */
  removeRule(name: string): void {
    const index = this.findRule(name);
    if (index < 0) throw faults.entityNotFound(`${this.path}/Rules/${name}`);
    this.compiled = this.compiled.filter((_, i) => i !== index);
    this.onRulesChanged?.();
  }

  private findRule(name: string): number {
    const lower = name.toLowerCase();
    return this.compiled.findIndex((r) => r.description.name.toLowerCase() === lower);
  }

  /**
   * Offers a message published to the topic. The subscription keeps one copy when any rule matches; the actions
   * of every matching rule are applied to that copy, in rule order.
   * A filter that throws counts as no match; when no rule matched and one threw, the message is dead-lettered if
   * the subscription has DeadLetteringOnFilterEvaluationExceptions (Azure's behaviour), else dropped. A matching
   * rule whose action throws is handled the same way: the evaluation failed, so the message is dead-lettered
   * (unchanged) under that setting, or dropped without it.
   */
  accept(payload: MessagePayload, facts: EnqueueFacts, arrival: ArrivalOptions = {}): void {
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
      if (failure !== undefined) this.filterFailed(payload, facts, failure);
      return;
    }
    let copy = payload;
    if (actions.length > 0) {
      const editor = payload.edit();
      const target: ActionTarget = { ...filterView(editor, payload, facts), setSystem: editor.setSystem, setUser: editor.setUser, removeUser: editor.removeUser };
      try {
        for (const action of actions) action.apply(target);
        copy = editor.finish();
      } catch (err) {
        this.filterFailed(payload, facts, err);
        return;
      }
    }
    if (this.options.requiresSession && sessionIdOf(copy) === undefined) {
      this.deadLetter(copy, facts, SESSION_ID_MISSING.reason, SESSION_ID_MISSING.description);
      return;
    }
    this.store.enqueue(copy, facts.sequenceNumber, arrival);
  }

  private filterFailed(payload: MessagePayload, facts: EnqueueFacts, failure: unknown): void {
    if (!this.options.deadLetteringOnFilterEvaluationExceptions) return;
    this.deadLetter(payload, facts, "FilterEvaluationException", failure instanceof Error ? failure.message : String(failure));
  }

  private deadLetter(payload: MessagePayload, facts: EnqueueFacts, reason: string, description: string): void {
    const copy = payload.withUserProperties([
      [DEAD_LETTER_REASON, reason],
      [DEAD_LETTER_DESCRIPTION, description],
    ]);
    this.deadLetters.enqueue(copy, facts.sequenceNumber);
  }

  close(): void {
    this.store.close();
    this.deadLetters.close();
    this.transferDeadLetters.close();
  }
}

function compileRule(description: RuleDescription): CompiledRule {
  return { description, filter: compileFilter(description.filter), action: compileAction(description.action) };
}
