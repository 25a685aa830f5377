import { describe, expect, it } from 'vitest';
import { databaseConnection } from './database-url.js';

describe('databaseConnection', () => {
  it.each([
    ['postgresql://app:secret@db:5432/flotilla', 'postgresql://app:secret@db:5432/flotilla', false],
    ['postgresql://app@pooler:6432/flotilla?pgbouncer=true', 'postgresql://app@pooler:6432/flotilla', true],
    ['postgresql://app@pooler:6432/flotilla?sslmode=require&pgbouncer=true', 'postgresql://app@pooler:6432/flotilla?sslmode=require', true],
    ['postgresql://app@db:5432/flotilla?pgbouncer=false', 'postgresql://app@db:5432/flotilla', false],
  ])('reads %s as %s, behind PgBouncer: %s', (url, connectionString, behindPgBouncer) => {
    expect(databaseConnection(url)).toEqual({ connectionString, behindPgBouncer });
  });
});
