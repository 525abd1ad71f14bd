export * from './app.ts';
export * from './deps.ts';
export * from './http-server.ts';
export * from './problem.ts';
export * from './route-table.ts';
