import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ErrorCode, FlotillaError } from '@flotilla/service-runtime';
import { requestContextOf } from '../graphql/request-context.js';
import { roleAllows, type Role } from './principal.js';
import { REQUIRED_ROLE } from './requires-role.decorator.js';

/** Enforces `@RequiresRole` on every GraphQL resolver. */
@Injectable()
export class RoleGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType<string>() !== 'graphql') return true;
    const required = this.reflector.getAllAndOverride<Role | undefined>(REQUIRED_ROLE, [context.getHandler(), context.getClass()]);
    const { principal, authenticationError } = requestContextOf(context);
    if (!principal) throw authenticationError ?? new FlotillaError(ErrorCode.Unauthenticated, 'a bearer token is required');
    if (!required) throw new FlotillaError(ErrorCode.Forbidden, 'this operation is not open to API tokens');
    if (!roleAllows(principal.role, required)) {
      throw new FlotillaError(ErrorCode.Forbidden, `the ${required} role is required; this token has ${principal.role}`);
    }
    return true;
  }
}
