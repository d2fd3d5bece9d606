/**
 * Baseline for the Kafka benchmarks: a Kafka endpoint that does the least a kafkajs client needs. It answers
 * ApiVersions (the emulator's version table, so kafkajs negotiates the same versions), SASL (any credentials),
 * Metadata (every topic has one partition), Produce (discarded; the first batch is kept as the fetch template),
 * the group calls of a single-member group, and Fetch (the template batch, its base offset set to the fetch offset,
 * so a consumer reads an endless stream). No storage, no checks: what is left is framing and the client's own cost.
 */
import { createServer, type Socket } from "node:net";
import { Reader } from "../../emulator/kafka/codec/reader.js";
import { Writer } from "../../emulator/kafka/codec/writer.js";
import { advertisedApis } from "../../emulator/kafka/protocol/index.js";

export interface NullSink {
  bootstrapServers: string;
  connectionString: string;
  close(): Promise<void>;
}

type Handler = (r: Reader, v: number) => Writer | null;

export async function startKafkaNullSink(): Promise<NullSink> {
  let port = 0;
  let template: Buffer | undefined;
  let nextOffset = 0;
  const empty = Buffer.alloc(0);

  const handlers: Record<number, Handler> = {
    18: () => new Writer().int16(0).array(advertisedApis, (w, a) => w.int16(a.apiKey).int16(a.minVersion).int16(a.maxVersion)).int32(0),
    17: (r) => (r.string(), new Writer().int16(0).array(["PLAIN"], (w, m) => w.string(m))),
    36: (r) => (r.bytes(), new Writer().int16(0).nullableString(null).bytes(empty).int64(0)),
    3: (r) => {
      const topics = r.nullableArray((r) => r.string()) ?? [];
      r.boolean();
      const w = new Writer().int32(0).array([0], (w) => w.int32(0).string("localhost").int32(port).nullableString(null));
      w.nullableString("null-sink").int32(0);
      return w.array(topics, (w, t) => {
        w.int16(0).string(t).boolean(false);
        w.array([0], (w, p) => w.int16(0).int32(p).int32(0).array([0], (w, n) => w.int32(n)).array([0], (w, n) => w.int32(n)).array([], () => undefined));
      });
    },
    0: (r) => {
      r.nullableString();
      const acks = r.int16();
      r.int32();
      const topics = r.array((r) => ({ name: r.string(), partitions: r.array((r) => ({ index: r.int32(), records: r.nullableBytes() })) }));
      const w = new Writer();
      w.array(topics, (w, t) => {
        w.string(t.name);
        w.array(t.partitions, (w, p) => {
          if (!template && p.records && p.records.length >= 61) template = Buffer.from(p.records.subarray(0, 12 + p.records.readInt32BE(8)));
          const count = p.records && p.records.length >= 61 ? p.records.readInt32BE(57) : 0;
          w.int32(p.index).int16(0).int64(nextOffset).int64(-1).int64(0);
          nextOffset += count;
        });
      });
      return acks === 0 ? null : w.int32(0);
    },
    1: (r) => {
      r.int32();
      r.int32();
      r.int32();
      r.int32();
      r.int8();
      const topics = r.array((r) => ({ topic: r.string(), partitions: r.array((r) => ({ partition: r.int32(), offset: r.int64(), _: r.int64(), max: r.int32() })) }));
      const w = new Writer().int32(0);
      return w.array(topics, (w, t) => {
        w.string(t.topic);
        w.array(t.partitions, (w, p) => {
          let batch = empty;
          if (template) {
            batch = Buffer.from(template);
            batch.writeBigInt64BE(BigInt(p.offset), 0);
          }
          const hw = p.offset + (template ? template.readInt32BE(57) : 0);
          w.int32(p.partition).int16(0).int64(hw).int64(hw).int64(0).array([], () => undefined).bytes(batch);
        });
      });
    },
    2: (r) => {
      r.int32();
      r.int8();
      const topics = r.array((r) => ({ name: r.string(), partitions: r.array((r) => ({ partition: r.int32(), ts: r.int64() })) }));
      return new Writer().int32(0).array(topics, (w, t) => w.string(t.name).array(t.partitions, (w, p) => w.int32(p.partition).int16(0).int64(-1).int64(0)));
    },
    10: (r) => (r.string(), r.int8(), new Writer().int32(0).int16(0).nullableString(null).int32(0).string("localhost").int32(port)),
    11: (r) => {
      r.string();
      r.int32();
      r.int32();
      const memberId = r.string();
      r.nullableString();
      r.string();
      const protocols = r.array((r) => ({ name: r.string(), metadata: Buffer.from(r.bytes()) }));
      const w = new Writer().int32(0);
      if (!memberId) return w.int16(79).int32(-1).string("").string("").string("null-sink-member").array([], () => undefined);
      w.int16(0).int32(1).string(protocols[0].name).string(memberId).string(memberId);
      return w.array([memberId], (w, id) => w.string(id).nullableString(null).bytes(protocols[0].metadata));
    },
    14: (r) => {
      r.string();
      r.int32();
      const memberId = r.string();
      r.nullableString();
      const assignments = r.array((r) => [r.string(), Buffer.from(r.bytes())] as const);
      return new Writer().int32(0).int16(0).bytes(assignments.find(([id]) => id === memberId)?.[1] ?? empty);
    },
    12: () => new Writer().int32(0).int16(0),
    13: (r) => {
      r.string();
      const members = r.array((r) => [r.string(), r.nullableString()] as const);
      return new Writer().int32(0).int16(0).array(members, (w, [id, inst]) => w.string(id).nullableString(inst).int16(0));
    },
    9: (r) => {
      r.string();
      const topics = r.nullableArray((r) => ({ name: r.string(), partitions: r.array((r) => r.int32()) })) ?? [];
      const w = new Writer().int32(0);
      return w.array(topics, (w, t) => w.string(t.name).array(t.partitions, (w, p) => w.int32(p).int64(-1).nullableString("").int16(0))).int16(0);
    },
    8: (r) => {
      r.string();
      r.int32();
      r.string();
      const topics = r.array((r) => ({ name: r.string(), partitions: r.array((r) => [r.int32(), r.int64(), r.nullableString()] as const) }));
      return new Writer().int32(0).array(topics, (w, t) => w.string(t.name).array(t.partitions, (w, [p]) => w.int32(p).int16(0)));
    },
  };

  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    // Chunks are joined once a whole frame has arrived (no quadratic re-concatenation of 1 MB requests).
    let pending = Buffer.alloc(0);
    const parts: Buffer[] = [];
    let partBytes = 0;
    socket.on("data", (chunk: Buffer) => {
      parts.push(chunk);
      partBytes += chunk.length;
      if (pending.length + partBytes < 4) return;
      const head = pending.length >= 4 ? pending : Buffer.concat([pending, ...parts]);
      if (pending.length + partBytes < 4 + head.readInt32BE(0)) return;
      pending = Buffer.concat([pending, ...parts]);
      parts.length = 0;
      partBytes = 0;
      while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
        const frame = pending.subarray(4, 4 + pending.readInt32BE(0));
        pending = pending.subarray(4 + frame.length);
        const r = new Reader(frame);
        const apiKey = r.int16();
        const version = r.int16();
        const correlationId = r.int32();
        r.nullableString();
        const handler = handlers[apiKey];
        if (!handler) {
          socket.destroy();
          return;
        }
        const body = handler(r, version);
        if (!body) continue;
        const chunks = body.toChunks();
        const header = Buffer.allocUnsafe(8);
        header.writeInt32BE(4 + body.length, 0);
        header.writeInt32BE(correlationId, 4);
        socket.cork();
        socket.write(header);
        for (const c of chunks) socket.write(c);
        socket.uncork();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as { port: number }).port;
  return {
    bootstrapServers: `localhost:${port}`,
    connectionString: `Endpoint=sb://localhost:${port};SharedAccessKeyName=any;SharedAccessKey=any`,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
