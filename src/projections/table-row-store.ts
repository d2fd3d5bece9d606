/**
 * A read model's rows in an Azure Table Storage table (Azurite locally), created on first use. Conditional writes
 * use the row's ETag (If-Match) or an insert; several rows of one partition go in one entity-group transaction.
 * 409 (exists) and 412 (changed) become RowConflictError, which the projections answer by reading again.
 */
import { odata, RestError, type TableClient, type TransactionAction } from "@azure/data-tables";
import { LazyTable } from "../storage/table-client.js";
import { type RowProperties, RowConflictError, type RowStore, type RowWrite, type StoredRow, type WrittenRow } from "./row-store.js";

type Entity = Record<string, unknown> & { partitionKey?: string; rowKey?: string; etag?: string; timestamp?: string };

const SYSTEM = new Set(["partitionKey", "rowKey", "etag", "timestamp", "odata.metadata", "odata.etag"]);

export class TableRowStore implements RowStore {
  private lazy: LazyTable;

  constructor(private readonly table: TableClient) {
    this.lazy = new LazyTable(table);
  }

  get name(): string {
    return this.table.tableName;
  }

  private client(): Promise<TableClient> {
    return this.lazy.use();
  }

  async get(partitionKey: string, rowKey: string): Promise<StoredRow | undefined> {
    const table = await this.client();
    try {
      return toRow(await table.getEntity<Entity>(partitionKey, rowKey));
    } catch (err) {
      if (err instanceof RestError && err.statusCode === 404) return undefined;
      throw err;
    }
  }

  async listPartition(partitionKey: string, options: { rowKeyPrefix?: string } = {}): Promise<StoredRow[]> {
    const table = await this.client();
    const prefix = options.rowKeyPrefix;
    // The prefix's range: from it up to the same text with its last character's successor.
    const filter = prefix
      ? odata`PartitionKey eq ${partitionKey} and RowKey ge ${prefix} and RowKey lt ${prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1)}`
      : odata`PartitionKey eq ${partitionKey}`;
    const rows: StoredRow[] = [];
    for await (const entity of table.listEntities<Entity>({ queryOptions: { filter } })) rows.push(toRow(entity));
    return rows;
  }

  async *listAll(): AsyncIterable<StoredRow> {
    const table = await this.client();
    for await (const entity of table.listEntities<Entity>()) yield toRow(entity);
  }

  async write(partitionKey: string, writes: readonly RowWrite[]): Promise<WrittenRow[]> {
    const table = await this.client();
    try {
      if (writes.length === 1) {
        const [w] = writes;
        const entity = { partitionKey, rowKey: w.rowKey, ...w.properties };
        const response = w.kind === "insert" ? await table.createEntity(entity) : await table.updateEntity(entity, "Replace", { etag: w.etag });
        return [{ rowKey: w.rowKey, etag: response.etag }];
      }
      const actions = writes.map((w): TransactionAction => {
        const entity = { partitionKey, rowKey: w.rowKey, ...w.properties };
        return w.kind === "insert" ? ["create", entity] : ["update", entity, "Replace", { etag: w.etag }];
      });
      const response = await table.submitTransaction(actions);
      // Sub-responses come in the order of the actions.
      return writes.map((w, i) => ({ rowKey: w.rowKey, etag: response.subResponses[i]?.etag }));
    } catch (err) {
      if (err instanceof RestError && (err.statusCode === 409 || err.statusCode === 412 || (err.statusCode === 404 && writes.some((w) => w.kind === "replace")))) {
        throw new RowConflictError(this.name, partitionKey, `${err.statusCode} ${err.message.split("\n")[0]}`);
      }
      throw err;
    }
  }

  async put(partitionKey: string, rowKey: string, properties: RowProperties): Promise<void> {
    const table = await this.client();
    await table.upsertEntity({ partitionKey, rowKey, ...properties }, "Replace");
  }

  async delete(partitionKey: string, rowKey: string): Promise<void> {
    const table = await this.client();
    try {
      await table.deleteEntity(partitionKey, rowKey);
    } catch (err) {
      if (!(err instanceof RestError && err.statusCode === 404)) throw err;
    }
  }

  async drop(): Promise<void> {
    try {
      await this.table.deleteTable();
    } finally {
      // Created again on the next use.
      this.lazy = new LazyTable(this.table);
    }
  }
}

function toRow(entity: Entity): StoredRow {
  const properties: RowProperties = {};
  for (const [key, value] of Object.entries(entity)) {
    if (!SYSTEM.has(key) && (typeof value === "string" || typeof value === "number" || typeof value === "boolean")) properties[key] = value;
  }
  return { partitionKey: String(entity.partitionKey), rowKey: String(entity.rowKey), etag: String(entity.etag), ...(entity.timestamp ? { timestamp: String(entity.timestamp) } : {}), properties };
}
