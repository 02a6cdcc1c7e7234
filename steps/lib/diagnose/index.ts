/**
 * diagnose: the public face of this folder. Other folders import from here only.
 */
export { createMismatchExplainer, diagnose } from './diagnose.ts';
