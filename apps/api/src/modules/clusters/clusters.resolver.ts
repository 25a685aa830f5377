import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { RequiresRole } from '../../common/auth/requires-role.decorator.js';
import type { Principal } from '../../common/auth/principal.js';
import { JsonScalar } from '../../common/graphql/json.scalar.js';
import { CurrentPrincipal, CurrentRequest, type RequestContext } from '../../common/graphql/request-context.js';
import { ClusterModel, ClusterRegistration } from './cluster.model.js';
import { ClustersService } from './clusters.service.js';

@Resolver(() => ClusterModel)
export class ClustersResolver {
  constructor(private readonly clusterService: ClustersService) {}

  @Query(() => [ClusterModel], { description: 'Every cluster of the organization, by name.' })
  @RequiresRole('viewer')
  clusters(@CurrentPrincipal() principal: Principal): Promise<ClusterModel[]> {
    return this.clusterService.list(principal);
  }

  @Query(() => ClusterModel, { description: 'One cluster by name.' })
  @RequiresRole('viewer')
  cluster(@CurrentPrincipal() principal: Principal, @Args('name') name: string): Promise<ClusterModel> {
    return this.clusterService.get(principal, name);
  }

  @Mutation(() => ClusterRegistration, { description: 'Registers a cluster and returns its agent token, once.' })
  @RequiresRole('admin')
  registerCluster(
    @CurrentPrincipal() principal: Principal,
    @CurrentRequest() request: RequestContext,
    @Args('name', { description: 'DNS-1123 label, unique in the organization.' }) name: string,
    @Args('labels', { type: () => JsonScalar, nullable: true, description: 'Labels such as `{"env":"prod"}`.' })
    labels?: Record<string, string>,
  ): Promise<ClusterRegistration> {
    return this.clusterService.register(principal, name, labels ?? {}, request.requestId);
  }

  @Mutation(() => ClusterModel, {
    description:
      "Replaces a cluster's labels, which FleetRollouts select clusters by: Kubernetes label keys and values, at most 64. Audited.",
  })
  @RequiresRole('admin')
  updateClusterLabels(
    @CurrentPrincipal() principal: Principal,
    @CurrentRequest() request: RequestContext,
    @Args('cluster', { description: 'Cluster name.' }) cluster: string,
    @Args('labels', { type: () => JsonScalar, description: 'Every label the cluster has from now on, such as `{"env":"prod"}`.' })
    labels: unknown,
  ): Promise<ClusterModel> {
    return this.clusterService.updateLabels(principal, cluster, labels, request.requestId);
  }

  @Mutation(() => ClusterRegistration, { description: "Replaces a cluster's agent token; the old one stops working at once." })
  @RequiresRole('admin')
  rotateClusterAgentToken(
    @CurrentPrincipal() principal: Principal,
    @CurrentRequest() request: RequestContext,
    @Args('name') name: string,
  ): Promise<ClusterRegistration> {
    return this.clusterService.rotateAgentToken(principal, name, request.requestId);
  }
}
