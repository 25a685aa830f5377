import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Role } from '@flotilla/stores';
import { RequiresRole } from '../../common/auth/requires-role.decorator.js';
import type { Principal } from '../../common/auth/principal.js';
import { CurrentPrincipal, CurrentRequest, type RequestContext } from '../../common/graphql/request-context.js';
import { ApiTokenModel, IssuedApiToken } from './api-token.model.js';
import { SessionModel } from './session.model.js';
import { TokensService } from './tokens.service.js';

@Resolver(() => ApiTokenModel)
export class TokensResolver {
  constructor(private readonly tokens: TokensService) {}

  @Query(() => SessionModel, { description: 'The caller: its token, role and organization, so that clients can show what it may do.' })
  @RequiresRole('viewer')
  me(@CurrentPrincipal() principal: Principal): Promise<SessionModel> {
    return this.tokens.session(principal);
  }

  @Query(() => [ApiTokenModel], { description: 'Every API token of the organization, revoked ones included.' })
  @RequiresRole('admin')
  apiTokens(@CurrentPrincipal() principal: Principal): Promise<ApiTokenModel[]> {
    return this.tokens.list(principal);
  }

  @Mutation(() => IssuedApiToken, { description: 'Creates an API token; its secret is returned only now.' })
  @RequiresRole('admin')
  createApiToken(
    @CurrentPrincipal() principal: Principal,
    @CurrentRequest() request: RequestContext,
    @Args('name') name: string,
    @Args('role', { type: () => Role }) role: Role,
  ): Promise<IssuedApiToken> {
    return this.tokens.create(principal, name, role, request.requestId);
  }

  @Mutation(() => IssuedApiToken, { description: 'Gives a token a new secret; the old secret stops working at once.' })
  @RequiresRole('admin')
  rotateApiToken(
    @CurrentPrincipal() principal: Principal,
    @CurrentRequest() request: RequestContext,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<IssuedApiToken> {
    return this.tokens.rotate(principal, id, request.requestId);
  }

  @Mutation(() => ApiTokenModel, { description: 'Revokes a token; requests with it are refused from now on.' })
  @RequiresRole('admin')
  revokeApiToken(
    @CurrentPrincipal() principal: Principal,
    @CurrentRequest() request: RequestContext,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<ApiTokenModel> {
    return this.tokens.revoke(principal, id, request.requestId);
  }
}
