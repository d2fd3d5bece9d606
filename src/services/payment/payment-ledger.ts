/**
 * The simulated gateway's ledger: one entry per charge and one per refund of a purchase, keyed by the idempotency key
 * (the purchase id). Recording is insert-only: a second attempt with the same key gets the first entry back, so a
 * retried or duplicated request can never charge (or refund) twice. Tests read the ledger to prove it.
 */
export type LedgerEntryKind = "charge" | "refund";

export interface LedgerEntry {
  /** The idempotency key. */
  purchaseId: string;
  kind: LedgerEntryKind;
  /** captured or declined for a charge; refunded for a refund. */
  status: "captured" | "declined" | "refunded";
  /** The gateway's id of the payment (absent on a declined charge). */
  paymentId?: string;
  fanId?: string;
  amountCents: number;
  reason?: string;
  /** ISO 8601 time the gateway processed it. */
  at: string;
}

export interface PaymentLedger {
  find(purchaseId: string, kind: LedgerEntryKind): Promise<LedgerEntry | undefined>;
  /** Inserts `entry` unless an entry with its key exists; returns the entry that is in the ledger afterwards. */
  recordOnce(entry: LedgerEntry): Promise<{ entry: LedgerEntry; inserted: boolean }>;
  /** Every entry of a purchase (a charge and at most one refund). */
  entriesOf(purchaseId: string): Promise<LedgerEntry[]>;
}

export class InMemoryPaymentLedger implements PaymentLedger {
  private readonly entries = new Map<string, LedgerEntry>();

  async find(purchaseId: string, kind: LedgerEntryKind): Promise<LedgerEntry | undefined> {
    const found = this.entries.get(`${purchaseId}\n${kind}`);
    return found && { ...found };
  }

  async recordOnce(entry: LedgerEntry): Promise<{ entry: LedgerEntry; inserted: boolean }> {
    const key = `${entry.purchaseId}\n${entry.kind}`;
    const existing = this.entries.get(key);
    if (existing) return { entry: { ...existing }, inserted: false };
    this.entries.set(key, { ...entry });
    return { entry: { ...entry }, inserted: true };
  }

  async entriesOf(purchaseId: string): Promise<LedgerEntry[]> {
    return [...this.entries.values()].filter((e) => e.purchaseId === purchaseId).map((e) => ({ ...e }));
  }
}
