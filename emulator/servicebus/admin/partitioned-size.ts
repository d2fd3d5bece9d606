/**
 * MaxSizeInMegabytes of partitioned entities, as Azure's Standard tier reports it: a partitioned queue or topic is
 * 16 partitions, each of the size asked for, and its description gives the total (2048 asked for reads back as
 * 32768). The model keeps the size asked for; only the administration API's descriptions multiply.
 * Source: learn.microsoft.com/azure/service-bus-messaging/service-bus-partitioning ("Standard").
 */

/** Partitions Azure's Standard tier gives a partitioned entity. */
export const STANDARD_PARTITIONS = 16;

interface SizedOptions {
  maxSizeInMegabytes: number;
  enablePartitioning: boolean;
}

/** The MaxSizeInMegabytes a description reports. */
export function reportedMaxSize(options: SizedOptions): number {
  return options.enablePartitioning ? options.maxSizeInMegabytes * STANDARD_PARTITIONS : options.maxSizeInMegabytes;
}

/**
 * The size to keep from a request's MaxSizeInMegabytes. An update of a partitioned entity usually sends back what
 * a get reported (the SDKs' get -> change -> update): that total means "unchanged", not 16 times more again.
 */
export function requestedMaxSize(value: number | undefined, base: SizedOptions): number {
  if (value === undefined) return base.maxSizeInMegabytes;
  if (base.enablePartitioning && value === reportedMaxSize(base)) return base.maxSizeInMegabytes;
  return value;
}
