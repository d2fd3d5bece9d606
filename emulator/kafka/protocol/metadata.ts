/**
 * Metadata (3) v0-5: one broker (node 0) leads every partition, as Event Hubs presents itself behind one address.
 * Topics are never auto-created: an unknown event hub is UNKNOWN_TOPIC_OR_PARTITION even when the client allows
 * auto-creation; a name no hub can have is INVALID_TOPIC_EXCEPTION, as Kafka's KafkaApis answers it.
 */
import { Writer } from "../codec/writer.js";
import { ErrorCode } from "../errors.js";
import { topicNameProblem } from "../topic-name.js";
import { type ApiHandler, visible } from "./types.js";

const NODE_ID = 0;

export const metadata: ApiHandler = {
  apiKey: 3,
  name: "Metadata",
  minVersion: 0,
  maxVersion: 5,
  handle(body, ctx) {
    const v = ctx.apiVersion;
    let requested = v === 0 ? body.array((r) => r.string()) : body.nullableArray((r) => r.string());
    if (v === 0 && requested !== null && requested.length === 0) requested = null;
    if (v >= 4) body.boolean(); // allow_auto_topic_creation: ignored, hubs come from config only

    const { namespace, settings } = ctx.broker;
    type Entry = { name: string; error: number; partitions: number };
    const topics: Entry[] =
      requested === null
        ? namespace
            .all()
            .filter((h) => visible(ctx, h.name))
            .map((h) => ({ name: h.name, error: ErrorCode.NONE, partitions: h.partitions.length }))
        : requested.map((name) => {
            const hub = namespace.hub(name);
            if (!hub) {
              const invalid = topicNameProblem(name) !== undefined;
              const error = invalid ? ErrorCode.INVALID_TOPIC_EXCEPTION : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
              return { name, error, partitions: 0 };
            }
            if (!visible(ctx, name)) return { name, error: ErrorCode.TOPIC_AUTHORIZATION_FAILED, partitions: 0 };
            return { name, error: ErrorCode.NONE, partitions: hub.partitions.length };
          });

    const w = new Writer();
    if (v >= 3) w.int32(0);
    w.array([NODE_ID], (w, id) => {
      w.int32(id).string(settings.advertisedHost).int32(ctx.conn.advertisedPort);
      if (v >= 1) w.nullableString(null);
    });
    if (v >= 2) w.nullableString(settings.clusterId);
    if (v >= 1) w.int32(NODE_ID);
    w.array(topics, (w, t) => {
      w.int16(t.error).string(t.name);
      if (v >= 1) w.boolean(false);
      w.array(
        Array.from({ length: t.partitions }, (_, i) => i),
        (w, p) => {
          w.int16(ErrorCode.NONE).int32(p).int32(NODE_ID);
          w.array([NODE_ID], (w, n) => w.int32(n));
          w.array([NODE_ID], (w, n) => w.int32(n));
          if (v >= 5) w.array([], () => undefined);
        },
      );
    });
    return w;
  },
};
