import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { RequiresRole } from '../../common/auth/requires-role.decorator.js';
import type { Principal } from '../../common/auth/principal.js';
import { CurrentPrincipal, CurrentRequest, type RequestContext } from '../../common/graphql/request-context.js';
import { ExperimentModel } from '../experiment-queries/experiment.models.js';
import { ExperimentOperationArgs } from './experiment-operation.args.js';
import { ExperimentOperationsService } from './experiment-operations.service.js';

@Resolver()
export class ExperimentOperationsResolver {
  constructor(private readonly operations: ExperimentOperationsService) {}

  @Mutation(() => ExperimentModel, {
    description:
      'Terminates an experiment (spec.terminate): its next reconcile stops its analysis runs, scales its templates down and ends it. Refused once it completed.',
  })
  @RequiresRole('deployer')
  terminateExperiment(
    @CurrentPrincipal() principal: Principal,
    @CurrentRequest() request: RequestContext,
    @Args() { cluster, namespace, name, reason }: ExperimentOperationArgs,
  ): Promise<ExperimentModel> {
    return this.operations.terminate(principal, { cluster, namespace, name }, reason ?? null, request.requestId);
  }

  @Mutation(() => ExperimentModel, {
    description:
      'Retries a failed or terminated experiment: its status is cleared and it starts over, its analyses run anew. Refused otherwise.',
  })
  @RequiresRole('deployer')
  retryExperiment(
    @CurrentPrincipal() principal: Principal,
    @CurrentRequest() request: RequestContext,
    @Args() { cluster, namespace, name, reason }: ExperimentOperationArgs,
  ): Promise<ExperimentModel> {
    return this.operations.retry(principal, { cluster, namespace, name }, reason ?? null, request.requestId);
  }
}
