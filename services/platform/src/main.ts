import { AppError, ConfigError, createLogger, describeStores, errorMessage, loadConfig } from '@cc/core';
import { startPlatform } from './platform.ts';

/** `npm start`: the whole platform on embedded defaults, or on real servers by configuration. */
async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'platform' });
  const platform = await startPlatform(config, logger);
  const stores = describeStores(config);
  const lines = [
    '',
    'Contact-center platform is up',
    `  API          ${platform.urls.api}   (health: ${platform.urls.api}/readyz)`,
    `  Voice        ${platform.urls.voice}`,
    `  Console      ${platform.urls.console ?? '(not started)'}`,
    `  Stores       Postgres: ${stores.postgres}; ClickHouse: ${stores.clickhouse}; Redis: ${stores.redis}`,
  ];
  if (platform.demo) {
    lines.push(`  Demo tenant  "${platform.demo.tenant}" (local use only; also in ${config.DATA_DIR}/demo-credentials.json)`);
    for (const u of platform.demo.users) lines.push(`    ${u.role.padEnd(10)} ${u.email.padEnd(22)} ${u.password}`);
  }
  lines.push('  Ctrl-C stops it gracefully.', '');
  process.stdout.write(lines.join('\n') + '\n');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining in-flight requests and jobs');
    await platform.stop();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err) => {
  const message = err instanceof AppError ? err.message : errorMessage(err);
  process.stderr.write(`Platform failed to start: ${message}\n`);
  if (!(err instanceof AppError)) process.stderr.write(`${err instanceof Error ? err.stack : ''}\n`);
  process.exit(1);
});
