/**
 * The e-mail service's outbox table `mails` (a mail relay would send from it; tests read it). A purchase's mails live
 * in the purchase's partition (a fan's own mails, such as the welcome mail, in `fan-<fanId>`), next to the e-mail
 * consumer's inbox entries, so a mail and the inbox entry of the message that caused it are written in one
 * entity-group transaction:
 *   PartitionKey  the purchase id, or `fan-<fanId>`
 *   RowKey        `mail:<event id>`                   to, fanId, subject, body, purchaseId, eventType, eventId, ...
 *                 `inbox:<consumer>:<message id>`     handledAt
 * Both rows are creates: a second delivery of the event fails the transaction with 409 and writes nothing.
 */
import type { TableClient, TransactionAction } from "@azure/data-tables";
import { isStatus, type LazyTable } from "../../storage/table-client.js";
import { tableKey } from "../table-keys.js";
import type { Mail } from "./compose-mail.js";

export interface StoredMail extends Mail {
  eventId: string;
  eventType: string;
  correlationId: string;
  createdAt: string;
}

export const MAIL_ROW_PREFIX = "mail:";
export const INBOX_ROW_PREFIX = "inbox:";

export function mailRowKey(eventId: string): string {
  return `${MAIL_ROW_PREFIX}${tableKey(eventId)}`;
}

export function inboxRowKey(consumer: string, messageId: string): string {
  return `${INBOX_ROW_PREFIX}${tableKey(consumer)}:${tableKey(messageId)}`;
}

/** The partition of a mail: its purchase's, else its fan's. */
export function mailPartition(mail: Pick<Mail, "purchaseId" | "fanId">): string {
  return tableKey(mail.purchaseId ?? `fan-${mail.fanId}`);
}

export class MailOutbox {
  constructor(private readonly table: LazyTable) {}

  /** Writes the mail and the inbox entry; false when this consumer already handled `messageId` (nothing written). */
  async writeOnce(mail: StoredMail, inbox: { consumer: string; messageId: string }): Promise<boolean> {
    const client = await this.table.use();
    const partitionKey = mailPartition(mail);
    const actions: TransactionAction[] = [
      ["create", { partitionKey, rowKey: mailRowKey(mail.eventId), ...mail }],
      ["create", { partitionKey, rowKey: inboxRowKey(inbox.consumer, inbox.messageId), handledAt: mail.createdAt }],
    ];
    try {
      await client.submitTransaction(actions);
      return true;
    } catch (err) {
      if (isStatus(err, 409)) return false;
      throw err;
    }
  }

  /** The mails of a purchase, oldest first. */
  async mailsOf(purchaseId: string): Promise<StoredMail[]> {
    return readMails(await this.table.use(), purchaseId);
  }

  /** A fan's own mails (welcome), oldest first. */
  async fanMailsOf(fanId: string): Promise<StoredMail[]> {
    return readMails(await this.table.use(), `fan-${fanId}`);
  }
}

/** The mails of a partition: a purchase id, or `fan-<fanId>` for a fan's own mails. */
export async function readMails(client: TableClient, partition: string): Promise<StoredMail[]> {
  const pk = tableKey(partition).replace(/'/g, "''");
  // RowKeys `mail:` .. `mail;` (';' follows ':'): the mails of the partition, not its inbox entries.
  const filter = `PartitionKey eq '${pk}' and RowKey ge '${MAIL_ROW_PREFIX}' and RowKey lt 'mail;'`;
  const mails: StoredMail[] = [];
  for await (const row of client.listEntities<StoredMail>({ queryOptions: { filter } })) {
    const { to, fanId, purchaseId: id, subject, body, eventId, eventType, correlationId, createdAt } = row;
    mails.push({ to, fanId, ...(id === undefined ? {} : { purchaseId: id }), subject, body, eventId, eventType, correlationId, createdAt });
  }
  return mails.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}
