import { SetMetadata } from '@nestjs/common';
import type { Role } from './principal.js';

export const REQUIRED_ROLE = 'flotilla:requiredRole';

/** Every resolver declares the least role it needs; one that declares none is refused to everyone. */
export const RequiresRole = (role: Role): MethodDecorator & ClassDecorator => SetMetadata(REQUIRED_ROLE, role);
