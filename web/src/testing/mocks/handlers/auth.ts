import { http, HttpResponse } from 'msw';

import type { Me, Role } from '@/lib/auth';
import type { ApiToken } from '@/features/tokens/api/types';
import type { User, UserCreate, UserPatch } from '@/features/users/api/types';

import { API, errorBody } from './prompts';

// Accounts as the server keeps them (the API of docs/brief-11): one browser's
// session, its CSRF token, API tokens and the admin's users. A gate in front
// of every other handler answers 401 when signed out, 403 `csrf_failed` for an
// unsafe request without the session's token, and 403 `forbidden` when a
// member tries an admin's change. Tests start signed in as the admin.

type Account = User & { password: string };

const PUBLIC = new Set(['/auth/setup', '/auth/login', '/auth/logout', '/health']);
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
export const ADMIN_EMAIL = 'admin@example.com';
export const ADMIN_PASSWORD = 'correct horse battery';
export const MEMBER_EMAIL = 'member@example.com';
export const MEMBER_PASSWORD = 'member password';

let accounts: Account[] = [];
let tokens: (ApiToken & { owner: number })[] = [];
type Defaults = Record<'default_length' | 'default_tone' | 'default_language' | 'default_engine', string | null>;
const NO_DEFAULTS: Defaults = { default_length: null, default_tone: null, default_language: null, default_engine: null };
let ownDefaults = new Map<number, Defaults>();
let session: number | null = null;
let csrf = 'csrf-1';
let counter = 1;

function stamp(n: number): string {
  return new Date(Date.UTC(2025, 0, 1, 8, 0, n)).toISOString();
}

function addAccount(email: string, password: string, role: Role): Account {
  const account: Account = {
    id: counter++,
    email: email.toLowerCase(),
    password,
    role,
    disabled: false,
    daily_token_quota: null,
    used_today: 0,
    created_at: stamp(counter),
    last_login_at: null,
  };
  accounts.push(account);
  return account;
}

function startSession(account: Account): void {
  session = account.id;
  csrf = `csrf-${counter++}`;
  account.last_login_at = stamp(counter);
}

function current(): Account | undefined {
  return accounts.find((a) => a.id === session && !a.disabled);
}

function me(account: Account): Me {
  return {
    id: account.id,
    email: account.email,
    role: account.role,
    created_at: account.created_at,
    csrf_token: csrf,
    quota: { daily_tokens: account.daily_token_quota, used_today: account.used_today, resets_at: '2025-01-02T00:00:00Z' },
  };
}

function publicUser(account: Account): User {
  return {
    id: account.id,
    email: account.email,
    role: account.role,
    disabled: account.disabled,
    daily_token_quota: account.daily_token_quota,
    used_today: account.used_today,
    created_at: account.created_at,
    last_login_at: account.last_login_at,
  };
}

function invalid(field: string, type: string, message: string) {
  return HttpResponse.json(
    { error: { code: 'validation_error', message: `${field}: ${message}`, details: [{ field, message, type }] }, trace_id: 'ab'.repeat(16) },
    { status: 422 },
  );
}

function passwordProblem(field: string, password: unknown) {
  if (typeof password !== 'string' || password.length < 8) {
    return invalid(field, 'string_too_short', 'String should have at least 8 characters');
  }
  return null;
}

/** Whether an unsafe request to this path is the admin's to make. */
function adminOnly(path: string, method: string): boolean {
  if (path === '/users' || path.startsWith('/users/')) return true;
  if (!UNSAFE.has(method)) return false;
  return path === '/settings' || path === '/engines' || path.startsWith('/engines/') || path.startsWith('/models');
}

export const authDb = {
  reset(): void {
    accounts = [];
    tokens = [];
    ownDefaults = new Map();
    counter = 1;
    const admin = addAccount(ADMIN_EMAIL, ADMIN_PASSWORD, 'admin');
    startSession(admin);
  },
  /** A brand-new server: nobody yet, so the setup page is shown. */
  fresh(): void {
    accounts = [];
    tokens = [];
    session = null;
  },
  signOut(): void {
    session = null;
  },
  /** A member exists (and is signed in, unless told otherwise). */
  addMember({ signIn = true }: { signIn?: boolean } = {}): User {
    const member = addAccount(MEMBER_EMAIL, MEMBER_PASSWORD, 'member');
    if (signIn) startSession(member);
    return publicUser(member);
  },
  /** The server starts a new CSRF token (the page's one is stale now). */
  rotateCsrf(): void {
    csrf = `csrf-${counter++}`;
  },
  csrf(): string {
    return csrf;
  },
  signedIn(): User | undefined {
    const account = current();
    return account && publicUser(account);
  },
  users(): User[] {
    return accounts.map(publicUser);
  },
  setQuota(id: number, daily: number | null, used: number): void {
    const account = accounts.find((a) => a.id === id);
    if (account) Object.assign(account, { daily_token_quota: daily, used_today: used });
  },
  addToken(name: string): ApiToken {
    const id = counter++;
    const token = { id, name, prefix: `sbt_${String(id).padStart(4, 'x')}`, created_at: stamp(id), last_used_at: null, owner: session ?? 0 };
    tokens.push(token);
    return token;
  },
  defaultsOf(id: number): Defaults {
    return ownDefaults.get(id) ?? NO_DEFAULTS;
  },
  tokens(): ApiToken[] {
    return tokens.filter((t) => t.owner === session);
  },
};

authDb.reset();

export const authGate = http.all(`${API}/*`, ({ request }) => {
  const path = new URL(request.url).pathname.replace(/^\/api/, '');
  if (PUBLIC.has(path)) return undefined;
  const account = current();
  if (!account) {
    return HttpResponse.json(
      { error: { code: 'unauthorized', message: 'Sign in first.', details: null }, trace_id: 'cd'.repeat(16) },
      { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="storybot"' } },
    );
  }
  // (Bearer-token requests need no CSRF token; the app never sends one.)
  const bearer = request.headers.get('Authorization')?.startsWith('Bearer ') ?? false;
  if (UNSAFE.has(request.method) && !bearer && request.headers.get('X-CSRF-Token') !== csrf) {
    return errorBody(403, 'csrf_failed', 'The CSRF token is missing or wrong.');
  }
  if (adminOnly(path, request.method) && account.role !== 'admin') {
    return errorBody(403, 'forbidden', 'Only an admin can do this.');
  }
  return undefined;
});

export const authHandlers = [
  http.get(`${API}/auth/setup`, () => HttpResponse.json({ needed: accounts.length === 0 })),

  http.post(`${API}/auth/setup`, async ({ request }) => {
    if (accounts.length > 0) return errorBody(409, 'setup_done', 'The first account exists already.');
    const body = (await request.json()) as { email: string; password: string };
    const problem = passwordProblem('password', body.password);
    if (problem) return problem;
    const admin = addAccount(body.email, body.password, 'admin');
    startSession(admin);
    return HttpResponse.json(me(admin), { status: 201 });
  }),

  http.post(`${API}/auth/login`, async ({ request }) => {
    const body = (await request.json()) as { email: string; password: string };
    const account = accounts.find((a) => a.email === body.email.toLowerCase());
    if (account?.password !== body.password || account.disabled) {
      return errorBody(401, 'invalid_credentials', 'The email or password is wrong.');
    }
    startSession(account);
    return HttpResponse.json(me(account));
  }),

  http.post(`${API}/auth/logout`, () => {
    session = null;
    return new HttpResponse(null, { status: 204 });
  }),

  http.get(`${API}/me`, () => {
    const account = current();
    return account ? HttpResponse.json(me(account)) : errorBody(401, 'unauthorized', 'Sign in first.');
  }),

  http.post(`${API}/me/password`, async ({ request }) => {
    const account = current();
    if (!account) return errorBody(401, 'unauthorized', 'Sign in first.');
    const body = (await request.json()) as { current_password: string; new_password: string };
    if (body.current_password !== account.password) {
      return invalid('current_password', 'wrong_password', 'The current password is wrong.');
    }
    const problem = passwordProblem('new_password', body.new_password);
    if (problem) return problem;
    account.password = body.new_password;
    return new HttpResponse(null, { status: 204 });
  }),

  http.delete(`${API}/me`, async ({ request }) => {
    const account = current();
    if (!account) return errorBody(401, 'unauthorized', 'Sign in first.');
    const body = (await request.json()) as { password: string };
    if (body.password !== account.password) return invalid('password', 'wrong_password', 'The password is not right.');
    const otherAdmins = accounts.filter((a) => a.role === 'admin' && !a.disabled && a.id !== account.id).length;
    if (account.role === 'admin' && otherAdmins === 0) return errorBody(409, 'last_admin', 'This is the last admin.');
    accounts = accounts.filter((a) => a.id !== account.id);
    session = null;
    return new HttpResponse(null, { status: 204 });
  }),

  http.get(`${API}/me/defaults`, () => HttpResponse.json(authDb.defaultsOf(session ?? 0))),

  http.patch(`${API}/me/defaults`, async ({ request }) => {
    const patch = (await request.json()) as Partial<Defaults>;
    const merged = { ...authDb.defaultsOf(session ?? 0), ...patch };
    ownDefaults.set(session ?? 0, merged);
    return HttpResponse.json(merged);
  }),

  http.get(`${API}/tokens`, () => HttpResponse.json({ items: authDb.tokens() })),

  http.post(`${API}/tokens`, async ({ request }) => {
    const body = (await request.json()) as { name: string };
    const token = authDb.addToken(body.name);
    return HttpResponse.json({ ...token, owner: undefined, token: `${token.prefix}-the-whole-secret-token` }, { status: 201 });
  }),

  http.delete(`${API}/tokens/:id`, ({ params }) => {
    const before = tokens.length;
    tokens = tokens.filter((t) => !(t.id === Number(params.id) && t.owner === session));
    return tokens.length < before ? new HttpResponse(null, { status: 204 }) : errorBody(404, 'not_found', 'No such token.');
  }),

  http.get(`${API}/users`, () => HttpResponse.json({ items: accounts.map(publicUser) })),

  http.post(`${API}/users`, async ({ request }) => {
    const body = (await request.json()) as UserCreate;
    if (accounts.some((a) => a.email === body.email.toLowerCase())) {
      return errorBody(409, 'email_taken', 'There is an account with this email already.');
    }
    const problem = passwordProblem('password', body.password);
    if (problem) return problem;
    return HttpResponse.json(publicUser(addAccount(body.email, body.password, body.role)), { status: 201 });
  }),

  http.patch(`${API}/users/:id`, async ({ params, request }) => {
    const account = accounts.find((a) => a.id === Number(params.id));
    if (!account) return errorBody(404, 'not_found', 'No such user.');
    const patch = (await request.json()) as UserPatch;
    const activeAdmins = accounts.filter((a) => a.role === 'admin' && !a.disabled && a.id !== account.id).length;
    const losesAdmin = (patch.role === 'member' || patch.disabled === true) && account.role === 'admin';
    if (losesAdmin && activeAdmins === 0) return errorBody(409, 'last_admin', 'This is the last admin.');
    if (patch.password !== undefined) {
      const problem = passwordProblem('password', patch.password);
      if (problem) return problem;
      account.password = patch.password;
    }
    if (patch.role !== undefined) account.role = patch.role;
    if (patch.disabled !== undefined) account.disabled = patch.disabled;
    if (patch.daily_token_quota !== undefined) account.daily_token_quota = patch.daily_token_quota;
    return HttpResponse.json(publicUser(account));
  }),
];
