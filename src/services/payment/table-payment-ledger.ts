/**
 * The ledger in Table Storage (table `payments`): PartitionKey = the purchase id, RowKey = `charge` or `refund`.
 * The insert is a create, which the table refuses with 409 when the key exists: that refusal is how two concurrent
 * attempts of one request end with a single entry (the loser reads the winner's entry and returns it).
 */
import type { TableClient } from "@azure/data-tables";
import { isStatus, type LazyTable } from "../../storage/table-client.js";
import { tableKey } from "../table-keys.js";
import type { LedgerEntry, LedgerEntryKind, PaymentLedger } from "./payment-ledger.js";

interface LedgerRow {
  partitionKey: string;
  rowKey: string;
  purchaseId: string;
  status: LedgerEntry["status"];
  paymentId?: string;
  fanId?: string;
  amountCents: number;
  reason?: string;
  at: string;
}

function toEntry(row: LedgerRow): LedgerEntry {
  return {
    purchaseId: row.purchaseId,
    kind: row.rowKey as LedgerEntryKind,
    status: row.status,
    ...(row.paymentId ? { paymentId: row.paymentId } : {}),
    ...(row.fanId ? { fanId: row.fanId } : {}),
    amountCents: row.amountCents,
    ...(row.reason ? { reason: row.reason } : {}),
    at: row.at,
  };
}

export class TablePaymentLedger implements PaymentLedger {
  constructor(private readonly table: LazyTable) {}

  async find(purchaseId: string, kind: LedgerEntryKind): Promise<LedgerEntry | undefined> {
    const client = await this.table.use();
    return this.read(client, purchaseId, kind);
  }

  async recordOnce(entry: LedgerEntry): Promise<{ entry: LedgerEntry; inserted: boolean }> {
    const client = await this.table.use();
    const { kind, ...columns } = entry;
    try {
      await client.createEntity<LedgerRow>({ partitionKey: tableKey(entry.purchaseId), rowKey: kind, ...columns });
      return { entry: { ...entry }, inserted: true };
    } catch (err) {
      if (!isStatus(err, 409)) throw err;
      const existing = await this.read(client, entry.purchaseId, kind);
      if (!existing) throw err;
      return { entry: existing, inserted: false };
    }
  }

  async entriesOf(purchaseId: string): Promise<LedgerEntry[]> {
    const client = await this.table.use();
    const rows: LedgerEntry[] = [];
    const filter = `PartitionKey eq '${tableKey(purchaseId).replace(/'/g, "''")}'`;
    for await (const row of client.listEntities<LedgerRow>({ queryOptions: { filter } })) rows.push(toEntry(row));
    return rows;
  }

  private async read(client: TableClient, purchaseId: string, kind: LedgerEntryKind): Promise<LedgerEntry | undefined> {
    try {
      return toEntry(await client.getEntity<LedgerRow>(tableKey(purchaseId), kind));
    } catch (err) {
      if (isStatus(err, 404)) return undefined;
      throw err;
    }
  }
}
