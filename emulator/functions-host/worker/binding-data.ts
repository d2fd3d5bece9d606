/**
 * Binding data as the worker's gRPC layer would have decoded it: the fork IPC channel turns Buffers into plain
 * Uint8Arrays, but a worker extension reads SDK binding content as a Node.js Buffer (it searches it with
 * Buffer.indexOf), as protobufjs hands `bytes` fields to the real worker.
 */
import type { RpcInvocationRequest, RpcModelBindingData } from "../rpc-types.js";

function asBuffer(data: RpcModelBindingData): void {
  const c = data.content;
  if (c && !Buffer.isBuffer(c)) data.content = Buffer.from(c.buffer, c.byteOffset, c.byteLength);
}

export function restoreBindingBuffers(request: RpcInvocationRequest): void {
  for (const input of request.inputData) {
    if (input.data.modelBindingData) asBuffer(input.data.modelBindingData);
    for (const d of input.data.collectionModelBindingData?.modelBindingData ?? []) asBuffer(d);
  }
}
