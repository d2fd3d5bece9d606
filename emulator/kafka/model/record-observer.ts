/**
 * What the Kafka endpoint tells an observer (the dashboard's flow recorder): batches appended to a partition (with
 * their first offset; the observer decodes what it needs from the bytes) and offsets a consumer group committed.
 * Called synchronously after the model changed; cheap when nobody listens (one slot read, nothing built).
 */
export interface RecordObserver {
  onAppended(topic: string, partition: number, baseOffset: number, batches: readonly Buffer[]): void;
  onCommitted(group: string, topic: string, partition: number, offset: number): void;
}

/** The broker's observer slot. */
export class RecordObservers {
  current: RecordObserver | undefined;
}
