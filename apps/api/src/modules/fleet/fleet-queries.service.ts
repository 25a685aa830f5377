import { Injectable } from '@nestjs/common';
import { planWaves, type FleetRolloutSpec } from '@flotilla/fleet-engine';
import { ErrorCode, notFound } from '@flotilla/service-runtime';
import {
  ClusterStore,
  FleetReleaseStore,
  FleetRolloutStore,
  organizationScope,
  RolloutStore,
  type FleetRolloutRecord,
} from '@flotilla/stores';
import type { Principal } from '../../common/auth/principal.js';
import { isIdCursor, pageRequest, toPage, type PageInput } from '../../common/graphql/pagination.js';
import { toRolloutModel } from '../rollouts/rollout.mapper.js';
import type { RolloutModel } from '../rollouts/rollout.model.js';
import { toFleetPlanModel, toFleetReleaseModel, toFleetRolloutModel } from './fleet.mapper.js';
import type { FleetMemberModel, FleetPlanModel, FleetReleaseModel, FleetReleasePage, FleetRolloutModel } from './fleet.models.js';

/** What the fleet queries read: FleetRollouts, their plans over the clusters' labels now, and their releases. */
@Injectable()
export class FleetQueriesService {
  constructor(
    private readonly fleetRollouts: FleetRolloutStore,
    private readonly releases: FleetReleaseStore,
    private readonly clusters: ClusterStore,
    private readonly rollouts: RolloutStore,
  ) {}

  async list(principal: Principal): Promise<FleetRolloutModel[]> {
    return (await this.fleetRollouts.list(organizationScope(principal.organizationId))).map(toFleetRolloutModel);
  }

  async find(principal: Principal, name: string): Promise<FleetRolloutModel | null> {
    const record = await this.fleetRollouts.find(organizationScope(principal.organizationId), name);
    return record && toFleetRolloutModel(record);
  }

  /** Which of the organization's clusters falls in which wave of the FleetRollout of that name, by their labels now. */
  async plan(principal: Principal, name: string): Promise<FleetPlanModel> {
    const record = await this.get(principal, name);
    return this.planOf(principal, record.name, record.spec);
  }

  async planOf(principal: Principal, name: string, spec: FleetRolloutSpec): Promise<FleetPlanModel> {
    const clusters = await this.clusters.list(organizationScope(principal.organizationId));
    return toFleetPlanModel(name, planWaves(spec, clusters));
  }

  /** Releases of a FleetRollout, newest first. */
  async releasePage(principal: Principal, fleetRollout: string, page: PageInput | undefined): Promise<FleetReleasePage> {
    const { take, after } = pageRequest(page, isIdCursor);
    const record = await this.get(principal, fleetRollout);
    const rows = await this.releases.list(organizationScope(principal.organizationId), record.id, { take, afterId: after?.id });
    const result = toPage(rows, take, (row) => ({ id: row.id }));
    return { nodes: result.nodes.map(toFleetReleaseModel), pageInfo: result.pageInfo };
  }

  /** The release of that number; without one, the active release, else the newest; null when there is none. */
  async release(principal: Principal, fleetRollout: string, number: number | undefined): Promise<FleetReleaseModel | null> {
    await this.get(principal, fleetRollout);
    return this.currentRelease(principal, fleetRollout, number);
  }

  async currentRelease(principal: Principal, fleetRollout: string, number?: number): Promise<FleetReleaseModel | null> {
    const record = await this.releases.find(organizationScope(principal.organizationId), fleetRollout, number);
    return record && toFleetReleaseModel(record);
  }

  /** The member's Rollout as it is now; null when its cluster has none of that namespace and name. */
  async memberRollout(principal: Principal, member: FleetMemberModel): Promise<RolloutModel | null> {
    const rollout = await this.rollouts.find(organizationScope(principal.organizationId), {
      cluster: member.cluster,
      namespace: member.rolloutNamespace,
      name: member.rolloutName,
    });
    return rollout && toRolloutModel(rollout);
  }

  private async get(principal: Principal, name: string): Promise<FleetRolloutRecord> {
    const record = await this.fleetRollouts.find(organizationScope(principal.organizationId), name);
    if (!record) throw notFound(ErrorCode.FleetNotFound, `FleetRollout ${name}`);
    return record;
  }
}
