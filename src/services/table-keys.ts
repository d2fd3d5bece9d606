/**
 * Table Storage keys from ids the system does not control (purchase ids may come from an Idempotency-Key header,
 * fan ids from the request): PartitionKey and RowKey refuse `/ \ # ?` and control characters, so those are
 * percent-encoded. Plain ids (uuids, `concert-1`) stay as they are, which keeps the tables readable.
 */
export function tableKey(id: string): string {
  // eslint-disable-next-line no-control-regex
  return id.replace(/[%/\\#?\u0000-\u001f\u007f-\u009f]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, "0").toUpperCase()}`);
}
