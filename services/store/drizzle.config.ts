import { defineConfig } from 'drizzle-kit';

// Run from services/store (`pnpm db:generate`); migrations live at the repo root so every service finds them.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/postgres/schema/index.ts',
  out: '../../migrations/postgres',
  strict: true,
});
