/** OffsetFetch (9) v1-4: committed offsets; -1 for a partition never committed. v2+ accepts null for "all committed". */
import { Writer } from "../codec/writer.js";
import { ErrorCode } from "../errors.js";
import type { ApiHandler } from "./types.js";

export const offsetFetch: ApiHandler = {
  apiKey: 9,
  name: "OffsetFetch",
  minVersion: 1,
  maxVersion: 4,
  handle(body, ctx) {
    const v = ctx.apiVersion;
    const groupId = body.string();
    const read = (r: typeof body) => ({ name: r.string(), partitions: r.array((r) => r.int32()) });
    let topics = v >= 2 ? body.nullableArray(read) : body.array(read);
    const { groups, namespace } = ctx.broker;
    if (topics === null) {
      topics = [...groups.offsets.topicsOf(groupId)].map(([name, parts]) => ({ name, partitions: [...parts.keys()] }));
    }
    const w = new Writer();
    if (v >= 3) w.int32(0);
    w.array(topics, (w, t) => {
      w.string(t.name);
      w.array(t.partitions, (w, p) => {
        const committed = groups.offsets.get(groupId, t.name, p);
        const known = namespace.hub(t.name)?.partition(p) !== undefined;
        w.int32(p).int64(committed?.offset ?? -1).nullableString(committed?.metadata ?? "");
        w.int16(known || committed ? ErrorCode.NONE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      });
    });
    if (v >= 2) w.int16(groups.validGroupId(groupId) ? ErrorCode.NONE : ErrorCode.INVALID_GROUP_ID);
    return w;
  },
};
