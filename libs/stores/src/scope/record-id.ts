const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `id` can name a row at all: ids are UUIDs, and Postgres refuses any other text compared with one. */
export const isRecordId = (id: string): boolean => UUID.test(id);
