// The admin token lives in this tab's sessionStorage: it is gone when the tab closes,
// and only the settings changes send it.

export const ADMIN_TOKEN_KEY = 'storybot.adminToken';

export function getAdminToken(): string {
  try {
    return sessionStorage.getItem(ADMIN_TOKEN_KEY) ?? '';
  } catch {
    return '';
  }
}

export function setAdminToken(token: string): void {
  try {
    if (token) sessionStorage.setItem(ADMIN_TOKEN_KEY, token);
    else sessionStorage.removeItem(ADMIN_TOKEN_KEY);
  } catch {
    // storage blocked: the token is simply not kept
  }
}

/** The `Authorization` header for a settings change, when a token was given. */
export function adminHeaders(): Record<string, string> {
  const token = getAdminToken();
  return token ? { Authorization: `Bearer ${token}` } : {};
}
