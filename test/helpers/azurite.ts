/**
 * Azurite for tests: the same launcher `npm start` uses, on free ports and in memory (CI has nothing installed
 * globally; Azurite comes from npm).
 */
import { type AzuriteProcess, startAzurite as launchAzurite } from "../../scripts/local-system/azurite.js";

export { AZURITE_ACCOUNT, AZURITE_KEY } from "../../scripts/local-system/azurite.js";
export type AzuriteInstance = AzuriteProcess;

export function startAzurite(startTimeoutMs = 20_000): Promise<AzuriteInstance> {
  return launchAzurite({ blobPort: 0, queuePort: 0, tablePort: 0, startTimeoutMs });
}
