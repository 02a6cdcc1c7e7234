/**
 * store: the public face of this folder. Other folders import from here only.
 */
export { fileStore } from './file/file-store.ts';
export { duplicateReason } from './store.ts';
export type { DeliveryStore, HandlerCounts, StoreEngine } from './store.ts';
