/**
 * At most `limit` GraphQL requests run at once; the others wait their turn in arrival order,
 * holding nothing but their socket (the body is read once admitted).
 *
 * Why: past the pool's size, more requests in flight only wait for a connection, and everything
 * they hold meanwhile (parsed bodies, Apollo's request state, pending promises) survives every
 * young-generation collection. At 64 connections that doubled the scavenges' cost and made a list
 * request ≈ 50 % dearer than at 16 (bench/README.md, session 10).
 */
/** The answer to a request (or a query) that waited longer than its limit allows for its turn. */
export const BUSY = { status: 503, retryAfterSeconds: 1, message: 'The server is busy; retry shortly' } as const;

export class Admission {
  private running = 0;
  private readonly waiting: { admit(): void }[] = [];

  constructor(
    readonly limit: number,
    /** How long a request waits for its turn before it is refused (the pool's own wait limit). */
    readonly timeoutMs: number,
  ) {}

  /** True when the request may run (then call `leave` once it is done); false when it waited too long. */
  enter(): Promise<boolean> | boolean {
    if (this.running < this.limit) {
      this.running++;
      return true;
    }
    return new Promise<boolean>((resolve) => {
      const waiter = {
        admit: () => {
          clearTimeout(timer);
          this.running++;
          resolve(true);
        },
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        resolve(false);
      }, this.timeoutMs);
      this.waiting.push(waiter);
    });
  }

  leave(): void {
    this.running--;
    this.waiting.shift()?.admit();
  }
}
