/**
 * inspector: the public face of this folder. Other folders import from here only.
 */
export { startInspector } from './inspector.ts';
export type { Inspector, InspectorOptions } from './inspector.ts';
