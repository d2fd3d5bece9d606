/**
 * A subscription's filter: event types, subject prefix/suffix, and advanced filters, all ANDed.
 * Event types match exactly (Azure does not document case-insensitivity); subjects compare case-insensitively
 * unless `isSubjectCaseSensitive`.
 */
import type { SubscriptionFilter } from "../config-types.js";
import { type AcceptedEvent, eventTypeOf, subjectOf } from "../model/events.js";
import { evaluateAdvancedFilter } from "./advanced-filter.js";
import { lookupKey } from "./key-lookup.js";

export function matchesSubject(filter: SubscriptionFilter, subject: string): boolean {
  const fold = (s: string) => (filter.isSubjectCaseSensitive ? s : s.toLowerCase());
  const s = fold(subject);
  return s.startsWith(fold(filter.subjectBeginsWith)) && s.endsWith(fold(filter.subjectEndsWith));
}

export function matchesFilter(filter: SubscriptionFilter, event: AcceptedEvent): boolean {
  if (filter.includedEventTypes && !filter.includedEventTypes.includes(eventTypeOf(event))) return false;
  if ((filter.subjectBeginsWith || filter.subjectEndsWith) && !matchesSubject(filter, subjectOf(event))) return false;
  const body = event.stored.event as Record<string, unknown>;
  return filter.advancedFilters.every((f) => evaluateAdvancedFilter(f, lookupKey(body, f.key), filter.enableAdvancedFilteringOnArrays));
}
