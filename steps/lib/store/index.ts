/**
 * store: the public face of this folder. Other folders import from here only.
 */
export { fileStore } from './file/file-store.ts';
export { migrateDatabase, openDatabase, openStore, readDeliveries } from './open.ts';
export type { OpenOptions, StoredDeliveries } from './open.ts';
export type { PostgresStore, StoreRole } from './postgres/postgres-store.ts';
export type { RunningWorker } from './postgres/worker.ts';
export type { DeliveryStore, HandlerCounts, StoreEngine } from './store.ts';
