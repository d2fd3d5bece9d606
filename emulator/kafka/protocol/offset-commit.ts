/** OffsetCommit (8) v2-5: membership checks as Kafka runs them; negative offsets (kafkajs sentinels) are stored verbatim. */
import { Writer } from "../codec/writer.js";
import { ErrorCode } from "../errors.js";
import type { OffsetCommitEntry } from "../model/group-coordinator.js";
import { type ApiHandler, checkAccess } from "./types.js";

export const offsetCommit: ApiHandler = {
  apiKey: 8,
  name: "OffsetCommit",
  minVersion: 2,
  maxVersion: 5,
  handle(body, ctx) {
    const v = ctx.apiVersion;
    const groupId = body.string();
    const generationId = body.int32();
    const memberId = body.string();
    if (v <= 4) body.int64(); // retention_time_ms: offsets live as long as the group
    const topics = body.array((r) => ({
      name: r.string(),
      partitions: r.array((r) => ({ partition: r.int32(), offset: r.int64(), metadata: r.nullableString() })),
    }));

    // Per-partition checks first; the group's membership check applies to the rest.
    const errors = new Map<string, number>();
    const valid: OffsetCommitEntry[] = [];
    for (const t of topics) {
      const hub = ctx.broker.namespace.hub(t.name);
      const denied = checkAccess(ctx, t.name, "Listen");
      for (const p of t.partitions) {
        const key = `${t.name}\0${p.partition}`;
        if (!hub?.partition(p.partition)) errors.set(key, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        else if (denied) errors.set(key, denied.code);
        else valid.push({ topic: t.name, partition: p.partition, offset: p.offset, metadata: p.metadata });
      }
    }
    const results = ctx.broker.groups.commit(groupId, memberId, generationId, valid);
    valid.forEach((e, i) => errors.set(`${e.topic}\0${e.partition}`, results[i]));

    const w = new Writer();
    if (v >= 3) w.int32(0);
    return w.array(topics, (w, t) => {
      w.string(t.name);
      w.array(t.partitions, (w, p) => w.int32(p.partition).int16(errors.get(`${t.name}\0${p.partition}`) ?? ErrorCode.NONE));
    });
  },
};
