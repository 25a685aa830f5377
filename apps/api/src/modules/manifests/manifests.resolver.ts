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
      'Applies multi-document YAML of Argo Rollouts kinds (argoproj.io/v1alpha1) to a namespace of a cluster. ' +
      'All documents are validated first; on any problem every problem is returned (code manifest/invalid, ' +
      'extensions.problems with documentIndex, path and message) and nothing is stored.',
  })
  @RequiresRole('deployer')
  applyManifests(
    @CurrentPrincipal() principal: Principal,
    @CurrentRequest() request: RequestContext,
    @Args('cluster', { description: 'Cluster name.' }) cluster: string,
    @Args('namespace', { description: 'Namespace the namespaced documents go to.' }) namespace: string,
    @Args('yaml', { description: 'One or more YAML documents separated by `---`.' }) yaml: string,
  ): Promise<AppliedDocument[]> {
    return this.manifests.apply(principal, cluster, namespace, yaml, request.requestId);
  }
}
