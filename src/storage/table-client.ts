/**
 * Table Storage clients for the system's own tables (read models, notifications; the event store later), from a
 * connection string (Azurite locally) or an identity in Azure. Each table is created on first use.
 */
import { RestError, TableClient } from "@azure/data-tables";
import type { TableConnection } from "../config.js";

export function createTableClient(connection: TableConnection, table: string): TableClient {
  if (connection.kind === "connectionString") {
    // Azurite speaks plain HTTP; Azure's endpoints are https and unaffected.
    const insecure = /UseDevelopmentStorage=true|=http:/i.test(connection.connectionString);
    return TableClient.fromConnectionString(connection.connectionString, table, { allowInsecureConnection: insecure });
  }
  return new TableClient(connection.endpoint, table, connection.credential);
}

/** A table that creates itself once, on the first call that needs it. */
export class LazyTable {
  private ready: Promise<void> | undefined;

  constructor(readonly client: TableClient) {}

  async use(): Promise<TableClient> {
    this.ready ??= this.client.createTable().catch((err: unknown) => {
      this.ready = undefined;
      throw err;
    });
    await this.ready;
    return this.client;
  }
}

export function isStatus(err: unknown, status: number): boolean {
  return err instanceof RestError && err.statusCode === status;
}
