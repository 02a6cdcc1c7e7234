/** Does nothing: `node --import tsx` on this file is the start-up floor under every step. */
export {};
