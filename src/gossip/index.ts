/**
 * Layer 3: BOLT #7 gossip validation, pure. Each check returns the checked message or the
 * spec's response (`ignore` / `warn` / `close`) as data; rate limits and holding caches take
 * time as an argument and keep bounded memory. The graph that uses them is `graph/`.
 */
export * from './result.ts';
export * from './context.ts';
export * from './channel-announcement.ts';
export * from './node-announcement.ts';
export * from './channel-update.ts';
export * from './rate-limit.ts';
export * from './pending.ts';
