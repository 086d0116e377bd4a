// The accounts the e2e suite signs in with (its own fresh server: no real person's password).

export const ADMIN = { email: 'admin@example.com', password: 'e2e admin password' } as const;

/** The admin's signed-in browser state (cookies), written by global-setup.ts in the server's data dir. */
export const STATE_FILE_NAME = 'admin-storage-state.json';
