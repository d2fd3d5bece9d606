/**
 * Table Storage for tests, on either backend the app may meet locally: Azurite, or the emulator's own durable Table
 * endpoint. Suites that exercise the app's Table Storage code run once per backend, so both answer the same
 * contract (and the emulator's endpoint keeps answering it as Azurite's behaviour is checked).
 */
import { EmulatorClock } from "../../emulator/common/clock.js";
import { createLogger } from "../../emulator/common/logger.js";
import { startTableService } from "../../emulator/tables/index.js";
import { startAzurite } from "./azurite.js";

export const TABLE_BACKENDS = ["Azurite", "emulator"] as const;
export type TableBackend = (typeof TABLE_BACKENDS)[number];

export interface TableStorage {
  readonly connectionString: string;
  close(): Promise<void>;
}

export async function startTableStorage(backend: TableBackend, dataDir?: string): Promise<TableStorage> {
  if (backend === "Azurite") return startAzurite();
  const clock = new EmulatorClock();
  const service = await startTableService({ port: 0, clock, logger: createLogger("silent"), dataDir });
  return {
    connectionString: service.connectionString,
    close: async () => {
      await service.close();
      clock.dispose();
    },
  };
}
