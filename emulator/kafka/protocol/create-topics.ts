/**
 * CreateTopics (19) v0-3: event hubs come from configuration only, so creation is refused with POLICY_VIOLATION;
 * an existing hub answers TOPIC_ALREADY_EXISTS (kafkajs admin.createTopics then resolves false), and an illegal name
 * INVALID_TOPIC_EXCEPTION.
 */
import { Writer } from "../codec/writer.js";
import { refuse } from "../errors.js";
import { topicNameProblem } from "../topic-name.js";
import type { ApiHandler } from "./types.js";

const TOPIC_ALREADY_EXISTS = 36;

export const createTopics: ApiHandler = {
  apiKey: 19,
  name: "CreateTopics",
  minVersion: 0,
  maxVersion: 3,
  handle(body, ctx) {
    const v = ctx.apiVersion;
    const names = body.array((r) => {
      const name = r.string();
      r.int32(); // num_partitions
      r.int16(); // replication_factor
      r.array((r) => [r.int32(), r.array((r) => r.int32())]);
      r.array((r) => [r.string(), r.nullableString()]);
      return name;
    });
    const w = new Writer();
    if (v >= 2) w.int32(0);
    return w.array(names, (w, name) => {
      const exists = ctx.broker.namespace.hub(name) !== undefined;
      // Kafka validates the name before any creation policy, so an illegal name is INVALID_TOPIC_EXCEPTION.
      const problem = exists ? undefined : topicNameProblem(name);
      const err = problem ? refuse.invalidTopic(name, problem) : refuse.createTopicsDisabled();
      w.string(name).int16(exists ? TOPIC_ALREADY_EXISTS : err.code);
      if (v >= 1) w.nullableString(exists ? `The event hub '${name}' already exists.` : err.message);
    });
  },
};
