// The marker of a test the RPC API cannot carry (shared by the adapter and the runner, which
// must not import vitest).
export const NOT_CARRIED = 'NOT-CARRIED';
