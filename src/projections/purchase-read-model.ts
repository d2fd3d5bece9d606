/**
 * The purchases read model in Table Storage: one entity per purchase (PartitionKey = purchase id, so lookups are
 * point reads and writers of different purchases never contend), the status in its own column for queries, the
 * whole view as JSON. Updates are optimistic: `update` retries a read-change-write on an ETag conflict, so the
 * payment and ticketing outcomes of one purchase can be applied concurrently without losing either.
 */
import type { TableClient } from "@azure/data-tables";
import type { Purchase } from "../domain/purchase.js";
import { isStatus, type LazyTable } from "../storage/table-client.js";

const ROW_KEY = "purchase";
const MAX_CONFLICT_RETRIES = 10;

interface PurchaseEntity {
  partitionKey: string;
  rowKey: string;
  Status: string;
  Document: string;
}

const toEntity = (p: Purchase): PurchaseEntity => ({ partitionKey: p.purchaseId, rowKey: ROW_KEY, Status: p.status, Document: JSON.stringify(p) });

export class PurchaseNotFoundError extends Error {
  constructor(readonly purchaseId: string) {
    super(`purchase ${purchaseId} is not in the read model`);
    this.name = "PurchaseNotFoundError";
  }
}

export class PurchaseReadModel {
  constructor(private readonly table: LazyTable) {}

  /** Adds a new purchase; adding the same purchase again is a no-op. */
  async add(purchase: Purchase): Promise<void> {
    const client = await this.table.use();
    try {
      await client.createEntity(toEntity(purchase));
    } catch (err) {
      if (!isStatus(err, 409)) throw err;
    }
  }

  async remove(purchaseId: string): Promise<void> {
    const client = await this.table.use();
    try {
      await client.deleteEntity(purchaseId, ROW_KEY);
    } catch (err) {
      if (!isStatus(err, 404)) throw err;
    }
  }

  async get(purchaseId: string): Promise<Purchase | undefined> {
    return (await this.read(await this.table.use(), purchaseId))?.purchase;
  }

  /** Applies `change` to the stored purchase and returns the states before and after it. */
  async update(purchaseId: string, change: (p: Purchase) => Purchase): Promise<{ before: Purchase; after: Purchase }> {
    const client = await this.table.use();
    for (let attempt = 0; ; attempt++) {
      const current = await this.read(client, purchaseId);
      if (!current) throw new PurchaseNotFoundError(purchaseId);
      const after = change(current.purchase);
      if (after === current.purchase) return { before: current.purchase, after };
      try {
        await client.updateEntity(toEntity(after), "Replace", { etag: current.etag });
        return { before: current.purchase, after };
      } catch (err) {
        if (!isStatus(err, 412) || attempt >= MAX_CONFLICT_RETRIES) throw err;
      }
    }
  }

  private async read(client: TableClient, purchaseId: string): Promise<{ purchase: Purchase; etag: string } | undefined> {
    try {
      const entity = await client.getEntity<PurchaseEntity>(purchaseId, ROW_KEY);
      return { purchase: JSON.parse(entity.Document) as Purchase, etag: entity.etag };
    } catch (err) {
      if (isStatus(err, 404)) return undefined;
      throw err;
    }
  }
}
