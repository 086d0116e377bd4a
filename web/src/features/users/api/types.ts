import type { Role } from '@/lib/auth';

// Accounts as the admin sees them (`/api/users`, admin only).

export type User = {
  id: number;
  email: string;
  role: Role;
  disabled: boolean;
  /** Tokens a day this account may spend on stories; null: no limit. */
  daily_token_quota: number | null;
  used_today: number;
  created_at: string;
  last_login_at: string | null;
};

export type UserList = {
  items: User[];
};

export type UserCreate = {
  email: string;
  password: string;
  role: Role;
};

/** Any of these; `password` sets a new one, `disabled: true` signs them out and stops their tokens. */
export type UserPatch = Partial<{
  role: Role;
  disabled: boolean;
  daily_token_quota: number | null;
  password: string;
}>;
