const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether `id` can name a row at all: ids are UUIDs, and Postgres refuses any other text compared with one. Every
 * id taken from outside (an argument, a cursor, a directory name) is checked with it before it reaches a query.
 * @example isRecordId('0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b') // true
 * @example isRecordId('------------------------------------') // false
 */
export const isRecordId = (id: string): boolean => UUID.test(id);
