/**
 * Admission during an on-sale rush: the tickets that purchases this process accepted have asked for, while the
 * concert has not answered them yet. The POST's sold-out check subtracts them from what the concert has left, so
 * once every ticket is spoken for the next fan is told 409 SoldOut at once, instead of being accepted into a
 * purchase that can only be cancelled sold-out after five handlings (place, process, reserve, process, cancel).
 * In the flash-sale bench (2,000 tickets, 20,000 fans at 200/s) that is the difference between ~800 purchases to
 * finish and ~20,000: the write side could not keep up with the second, and left thousands pending.
 *
 * This is a hint, never the decision: the concert's stream still decides each reservation, so nothing is
 * oversold whatever this says. Each instance keeps its own (Functions scale out; across instances fans may be
 * accepted for more tickets than there are, and the surplus is cancelled sold-out, as before). An accepted purchase
 * stops counting when the concert has answered it (reserved, rejected or released: its mark) or after `holdMs`, so
 * a command that never arrives (dead-lettered) cannot keep tickets off sale for good. The hold must outlast the
 * queue in a rush: at PT1M, a 90 s sale on this 2-core machine let asks still queued lapse, and 36 fans were accepted
 * for tickets already asked for and cancelled sold-out later; the default is PT5M. A purchase cancelled after its
 * reservation (payment declined, reservation expired) gives its tickets back through the concert's release, and the
 * next fan gets them.
 */
import { markOf, type ConcertState, type TicketTier } from "../domain/concert.js";

interface Ask {
  tier: TicketTier;
  quantity: number;
  atMs: number;
}

export class TicketsSpokenFor {
  private readonly byConcert = new Map<string, Map<string, Ask>>();

  /** `holdMs` 0 turns admission off: every fan the concert's availability allows is accepted. */
  constructor(private readonly holdMs: number) {}

  /**
   * Tickets of `tier` that accepted purchases other than `asking` ask for and `concert` has not answered; answered
   * or expired asks are forgotten on the way. A purchase's own ask does not count against it: a POST retried with
   * the same Idempotency-Key before its command was handled is the same purchase, not another fan.
   */
  asked(concert: ConcertState, tier: TicketTier, nowMs: number, asking?: string): number {
    const asks = this.byConcert.get(concert.concertId);
    if (!asks) return 0;
    let total = 0;
    for (const [purchaseId, ask] of asks) {
      if (markOf(concert, purchaseId) !== undefined || ask.atMs + this.holdMs <= nowMs) asks.delete(purchaseId);
      else if (ask.tier === tier && purchaseId !== asking) total += ask.quantity;
    }
    if (asks.size === 0) this.byConcert.delete(concert.concertId);
    return total;
  }

  admit(concertId: string, purchaseId: string, tier: TicketTier, quantity: number, nowMs: number): void {
    if (this.holdMs <= 0) return;
    let asks = this.byConcert.get(concertId);
    if (!asks) this.byConcert.set(concertId, (asks = new Map()));
    asks.set(purchaseId, { tier, quantity, atMs: nowMs });
  }

  /** The purchase's command could not be sent: it asks for nothing. */
  withdraw(concertId: string, purchaseId: string): void {
    const asks = this.byConcert.get(concertId);
    asks?.delete(purchaseId);
    if (asks?.size === 0) this.byConcert.delete(concertId);
  }
}
