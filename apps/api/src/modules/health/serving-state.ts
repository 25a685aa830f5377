import { Injectable } from '@nestjs/common';

/**
 * Whether this API process still takes new work. It stops on SIGTERM, before anything closes: `/readyz` answers
 * 503 and new agents are refused, so that load balancers send the work to the other replicas.
 */
@Injectable()
export class ServingState {
  private stopping = false;

  get draining(): boolean {
    return this.stopping;
  }

  drain(): void {
    this.stopping = true;
  }
}
