/**
 * CreatedAt / UpdatedAt / AccessedAt of entities, which the SDK requires in every description. The model does not
 * track them; entities the admin API never touched report the namespace's load time.
 */
export interface EntityTimes {
  createdAt: number;
  updatedAt: number;
  accessedAt: number;
}

export class EntityTimeBook {
  private readonly times = new WeakMap<object, EntityTimes>();
  private loadedAt: number;

  constructor(readonly now: () => number) {
    this.loadedAt = now();
  }

  /** After a reset every entity is new. */
  reloaded(): void {
    this.loadedAt = this.now();
  }

  of(entity: object): EntityTimes {
    let times = this.times.get(entity);
    if (!times) {
      times = { createdAt: this.loadedAt, updatedAt: this.loadedAt, accessedAt: this.loadedAt };
      this.times.set(entity, times);
    }
    return times;
  }

  created(entity: object): void {
    const now = this.now();
    this.times.set(entity, { createdAt: now, updatedAt: now, accessedAt: now });
  }

  updated(entity: object): void {
    this.of(entity).updatedAt = this.now();
  }
}
