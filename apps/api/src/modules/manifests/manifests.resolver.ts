import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { RequiresRole } from '../../common/auth/requires-role.decorator.js';
import type { Principal } from '../../common/auth/principal.js';
import { CurrentPrincipal, CurrentRequest, type RequestContext } from '../../common/graphql/request-context.js';
import { AppliedDocument } from './applied-document.model.js';
import { ManifestsService } from './manifests.service.js';

@Resolver()
export class ManifestsResolver {
  constructor(private readonly manifests: ManifestsService) {}

  @Mutation(() => [AppliedDocument], {
    description:
      'Applies multi-document YAML of Argo Rollouts kinds (argoproj.io/v1alpha1) to a namespace of a cluster, or ' +
      'FleetRollouts (flotilla.io/v1alpha1, admin role) to the organization; one call never mixes the two. ' +
      'All documents are validated first; on any problem every problem is returned (code manifest/invalid, ' +
      'extensions.problems with documentIndex, path and message) and nothing is stored.',
  })
  @RequiresRole('deployer')
  applyManifests(
    @CurrentPrincipal() principal: Principal,
    @CurrentRequest() request: RequestContext,
    @Args('yaml', { description: 'One or more YAML documents separated by `---`.' }) yaml: string,
    @Args('cluster', { type: () => String, nullable: true, description: 'Cluster name; required unless every document is a FleetRollout.' })
    cluster?: string | null,
    @Args('namespace', {
      type: () => String,
      nullable: true,
      description: 'Namespace the namespaced documents go to; required unless every document is a FleetRollout.',
    })
    namespace?: string | null,
  ): Promise<AppliedDocument[]> {
    return this.manifests.apply(principal, cluster ?? undefined, namespace ?? undefined, yaml, request.requestId);
  }
}
