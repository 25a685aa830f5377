import { Field, Int, ObjectType, InputType } from '@nestjs/graphql';
import { ErrorCode, FlotillaError } from '@flotilla/service-runtime';
import { isRecordId } from '@flotilla/stores';

@ObjectType({ description: 'Where a page ends and whether more follow.' })
export class PageInfo {
  @Field(() => String, { nullable: true, description: 'Pass as `after` to read the next page.' })
  endCursor!: string | null;

  @Field({ description: 'Whether another page follows this one.' })
  hasNextPage!: boolean;
}

/** Items a list serves when its page does not say. */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

@InputType({ description: 'Cursor pagination: up to `first` items after the `after` cursor.' })
export class PageInput {
  @Field(() => Int, { defaultValue: DEFAULT_PAGE_SIZE, description: `How many items, from 1 to ${MAX_PAGE_SIZE}.` })
  first = DEFAULT_PAGE_SIZE;

  @Field(() => String, { nullable: true, description: 'The `endCursor` of the previous page.' })
  after?: string | null;
}

export interface PageRequest<C> {
  take: number;
  after: C | undefined;
}

/** Validates a page request and decodes its opaque cursor. */
export function pageRequest<C>(page: PageInput | undefined, isCursor: (value: unknown) => value is C): PageRequest<C> {
  const first = page?.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw new FlotillaError(ErrorCode.InputInvalid, `page.first must be between 1 and ${MAX_PAGE_SIZE}`, [
      { path: 'page.first', message: `must be between 1 and ${MAX_PAGE_SIZE}` },
    ]);
  }
  if (!page?.after) return { take: first, after: undefined };
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(page.after, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  if (!isCursor(decoded)) {
    throw new FlotillaError(ErrorCode.InputInvalid, 'page.after is not a cursor from this list', [
      { path: 'page.after', message: 'not a cursor from this list' },
    ]);
  }
  return { take: first, after: decoded };
}

export function encodeCursor(cursor: unknown): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

/** Reads one more row than the page holds to learn whether another page follows. */
export function toPage<T, C>(rows: T[], take: number, cursorOf: (row: T) => C): { nodes: T[]; pageInfo: PageInfo } {
  const nodes = rows.slice(0, take);
  const last = nodes.at(-1);
  return {
    nodes,
    pageInfo: { hasNextPage: rows.length > take, endCursor: last === undefined ? null : encodeCursor(cursorOf(last)) },
  };
}

export const isIdCursor = (value: unknown): value is { id: string } =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { id?: unknown }).id === 'string' &&
  isRecordId((value as { id: string }).id);
