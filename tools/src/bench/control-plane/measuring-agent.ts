import { createHttpTransport, measureMetric } from '@flotilla/metric-providers';
import { AGENT_PATH, decodeControlPlaneMessage, PROTOCOL_VERSION, type AgentMessage, type MeasurementRequest } from '@flotilla/protocol';
import WebSocket from 'ws';
import { websocketText } from '@flotilla/service-runtime';

/**
 * A cluster agent reduced to measuring: it speaks the real protocol over the gateway's WebSocket, takes every
 * measurement it is asked for with the real metric providers (no secrets, no Kubernetes), answers, and sends
 * heartbeats. The cluster has no rollouts, so desired states need no converging.
 */
export class MeasuringAgent {
  private socket: WebSocket | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly http = createHttpTransport();
  /** Measurements asked for and answered so far. */
  requested = 0;
  answered = 0;

  constructor(
    private readonly apiUrl: string,
    private readonly token: string,
  ) {}

  async connect(): Promise<void> {
    const socket = new WebSocket(`${this.apiUrl.replace(/^http/, 'ws')}${AGENT_PATH}`, {
      headers: { authorization: `Bearer ${this.token}` },
    });
    this.socket = socket;
    socket.on('message', (data) => this.receive(websocketText(data)));
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    this.send({ type: 'hello', protocolVersion: PROTOCOL_VERSION, agentVersion: 'bench-measuring-agent', kubernetesVersion: undefined });
  }

  disconnect(): void {
    clearInterval(this.heartbeat);
    this.socket?.terminate();
    this.socket = undefined;
  }

  private receive(text: string): void {
    const message = decodeControlPlaneMessage(text);
    if (message.type === 'welcome') {
      clearInterval(this.heartbeat);
      this.heartbeat = setInterval(
        () => this.send({ type: 'heartbeat', sentAt: new Date().toISOString() }),
        message.heartbeatIntervalSeconds * 1000,
      );
    } else if (message.type === 'measure') {
      this.requested += 1;
      void this.measure(message.request);
    }
  }

  private async measure(request: MeasurementRequest): Promise<void> {
    const outcome = await measureMetric(request.metric, {
      http: this.http,
      secrets: () => Promise.resolve(undefined),
      run: request.run,
      measurementIndex: request.measurementIndex,
      timeoutMs: request.timeoutSeconds * 1000,
    });
    this.answered += 1;
    this.send({ type: 'measurement', requestId: request.requestId, outcome });
  }

  private send(message: AgentMessage): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }
}
