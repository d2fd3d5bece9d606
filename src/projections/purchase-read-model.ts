/**
 * The purchases read model in Table Storage: one entity per purchase (PartitionKey = purchase id, so lookups are
 * point reads and writers of different purchases never contend), the status in its own column for queries, the
 * whole view as JSON. Updates are optimistic: `update` retries a read-change-write on an ETag conflict, so the
 * payment and ticketing outcomes of one purchase can be applied concurrently without losing either.
 *
 * Round trips: this instance remembers the last version it wrote or read of recent purchases (with its ETag) and
 * writes against it directly, so an outcome costs one conditional write instead of a read and a write; a stale
 * guess (another instance wrote meanwhile) fails the ETag check and falls back to reading. Updates of one purchase
 * within this instance run one after another, so its two outcomes do not race each other into a conflict.
 */
import type { TableClient } from "@azure/data-tables";
import type { Purchase } from "../domain/purchase.js";
import { isStatus, type LazyTable } from "../storage/table-client.js";

const ROW_KEY = "purchase";
const MAX_CONFLICT_RETRIES = 10;
/** Purchases whose last known version is kept; a purchase's outcomes arrive within seconds of its creation. */
const KNOWN_VERSIONS = 10_000;

interface Version {
  purchase: Purchase;
  etag: string;
}

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
  private readonly known = new Map<string, Version>();
  private readonly updating = new Map<string, Promise<unknown>>();

  constructor(private readonly table: LazyTable) {}

  /** Adds a new purchase; adding the same purchase again is a no-op. */
  async add(purchase: Purchase): Promise<void> {
    const client = await this.table.use();
    try {
      const { etag } = await client.createEntity(toEntity(purchase));
      if (etag) this.remember(purchase.purchaseId, { purchase, etag });
    } catch (err) {
      if (!isStatus(err, 409)) throw err;
    }
  }

  async remove(purchaseId: string): Promise<void> {
    this.known.delete(purchaseId);
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
  update(purchaseId: string, change: (p: Purchase) => Purchase): Promise<{ before: Purchase; after: Purchase }> {
    const previous = this.updating.get(purchaseId) ?? Promise.resolve();
    const next = previous.then(
      () => this.applyChange(purchaseId, change),
      () => this.applyChange(purchaseId, change),
    );
    this.updating.set(purchaseId, next);
    const forget = () => {
      if (this.updating.get(purchaseId) === next) this.updating.delete(purchaseId);
    };
    next.then(forget, forget);
    return next;
  }

  private async applyChange(purchaseId: string, change: (p: Purchase) => Purchase): Promise<{ before: Purchase; after: Purchase }> {
    const client = await this.table.use();
    let current = this.known.get(purchaseId);
    for (let attempt = 0; ; attempt++) {
      const guessed = current !== undefined;
      current ??= await this.read(client, purchaseId);
      if (!current) throw new PurchaseNotFoundError(purchaseId);
      const after = change(current.purchase);
      if (after === current.purchase) {
        // Nothing to write; decide on the stored version, not on a remembered one that may be behind it.
        if (guessed) {
          current = undefined;
          continue;
        }
        return { before: current.purchase, after };
      }
      try {
        const { etag } = await client.updateEntity(toEntity(after), "Replace", { etag: current.etag });
        if (etag) this.remember(purchaseId, { purchase: after, etag });
        else this.known.delete(purchaseId);
        return { before: current.purchase, after };
      } catch (err) {
        this.known.delete(purchaseId);
        if (!isStatus(err, 412) || attempt >= MAX_CONFLICT_RETRIES) throw err;
        current = undefined;
      }
    }
  }

  private remember(purchaseId: string, version: Version): void {
    this.known.delete(purchaseId);
    this.known.set(purchaseId, version);
    if (this.known.size > KNOWN_VERSIONS) this.known.delete(this.known.keys().next().value as string);
  }

  private async read(client: TableClient, purchaseId: string): Promise<Version | undefined> {
    try {
      const entity = await client.getEntity<PurchaseEntity>(purchaseId, ROW_KEY);
      const version = { purchase: JSON.parse(entity.Document) as Purchase, etag: entity.etag };
      this.remember(purchaseId, version);
      return version;
    } catch (err) {
      if (isStatus(err, 404)) return undefined;
      throw err;
    }
  }
}
