/** The messages between the fleet benchmark and its simulator process (Node IPC). */
export interface SimulatedCluster {
  name: string;
  apiUrl: string;
  token: string;
}

export type FleetSimCommand =
  | {
      type: 'connect';
      clusters: SimulatedCluster[];
      /** Rollouts of the layout, for their strategies' timed pauses (see `fleetLayout`). */
      layout: { clusters: number; rollouts: number };
      applyDelayMs: number;
      observeIntervalMs: number;
    }
  /** Forgets what was recorded so far: the measured part starts. */
  | { type: 'reset' }
  | { type: 'report' };

export interface FleetSimReport {
  reactions: number[];
  imageFirstSeen: [string, number][];
  measurementsAnswered: number;
  errors: string[];
  residentBytes: number;
}

export type FleetSimReply =
  { type: 'connected' } | { type: 'reset' } | { type: 'report'; report: FleetSimReport } | { type: 'failed'; message: string };
