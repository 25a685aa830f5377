// The generated Prisma client, for test fixtures and benchmark seeding only: applications reach the database through
// the stores (ESLint refuses this entry point in apps/).
export * from './generated/prisma/client.js';
