import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { throwError, timeout, type Observable } from 'rxjs';
import { ErrorCode, FlotillaError } from '@flotilla/service-runtime';
import { httpRefusal } from './http-refusal.js';
import { requestContextOf } from './request-context.js';

/**
 * Abandons a resolver still running at its request's deadline: the request is answered `request/timeout` (HTTP 503)
 * at once, and the database cancels the statement it waits on (`statement_timeout` has the same length).
 */
@Injectable()
export class RequestDeadlineInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType<string>() !== 'graphql') return next.handle();
    const { deadline } = requestContextOf(context);
    if (deadline === undefined) return next.handle();
    const refusal = (): Error => httpRefusal(new FlotillaError(ErrorCode.RequestTimeout, 'the request ran out of time and was abandoned'));
    const remaining = deadline - Date.now();
    if (remaining <= 0) return throwError(refusal);
    return next.handle().pipe(timeout({ first: remaining, with: () => throwError(refusal) }));
  }
}
