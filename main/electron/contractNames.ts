/**
 * The contract's command and event names, for the preload. scripts/build-electron.mjs replaces this
 * module in the preload bundle with the same two arrays as literals (computed from shared/contract.ts
 * at build time), so that the preload does not carry zod and the schemas (450 KiB) only to learn them.
 */
export { COMMAND_NAMES, EVENT_NAMES } from '../../shared/contract.ts';
