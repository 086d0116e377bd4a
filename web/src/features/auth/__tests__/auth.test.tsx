import { screen, waitFor, within } from '@testing-library/react';

import { db } from '@/testing/mocks/db';
import { ADMIN_EMAIL, ADMIN_PASSWORD, authDb, MEMBER_EMAIL, MEMBER_PASSWORD } from '@/testing/mocks/handlers/auth';
import { readersDb } from '@/testing/mocks/handlers/readers';
import { recordRequests, renderApp } from '@/testing/test-utils';

async function openUserMenu(user: ReturnType<typeof renderApp>['user'], email = ADMIN_EMAIL) {
  await user.click(await screen.findByRole('button', { name: `Account menu for ${email}` }));
  return screen.findByRole('menu');
}

describe('first run: the setup page', () => {
  it('is where a brand-new Storybot sends everyone, and creates the first admin', async () => {
    authDb.fresh();
    const { user, router } = renderApp('/');
    expect(await screen.findByRole('heading', { level: 1, name: 'Welcome to Storybot' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/setup');
    const requests = recordRequests();

    const form = screen.getByRole('form', { name: 'Create the first account' });
    await user.click(within(form).getByRole('button', { name: 'Create account' }));
    expect(await within(form).findByText('Enter your email.')).toBeInTheDocument();
    expect(within(form).getByRole('textbox', { name: /Email/ })).toHaveFocus();

    await user.type(within(form).getByRole('textbox', { name: /Email/ }), 'Parent@Example.com');
    await user.type(within(form).getByLabelText(/^New password/), 'short');
    await user.click(within(form).getByRole('button', { name: 'Create account' }));
    expect(await within(form).findByText('Use at least 8 characters.')).toBeInTheDocument();

    await user.clear(within(form).getByLabelText(/^New password/));
    await user.type(within(form).getByLabelText(/^New password/), 'a long enough password');
    await user.type(within(form).getByLabelText(/^Type the password again/), 'a long enough passwort');
    await user.click(within(form).getByRole('button', { name: 'Create account' }));
    expect(await within(form).findByText('The two passwords are not the same. Type them again.')).toBeInTheDocument();
    expect(within(form).getByLabelText(/^Type the password again/)).toHaveFocus();
    expect(requests.filter((r) => r.method === 'POST')).toHaveLength(0);

    await user.clear(within(form).getByLabelText(/^Type the password again/));
    await user.type(within(form).getByLabelText(/^Type the password again/), 'a long enough password');
    await user.click(within(form).getByRole('button', { name: 'Create account' }));

    // Signed in at once: the library, with the account in the user menu.
    expect(await screen.findByRole('heading', { level: 1, name: 'Stories' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/');
    expect(authDb.users()).toMatchObject([{ email: 'parent@example.com', role: 'admin' }]);
    const menu = await openUserMenu(user, 'parent@example.com');
    expect(within(menu).getByText('Admin')).toBeInTheDocument();
  });

  it('is not shown once an account exists', async () => {
    authDb.signOut();
    const { router } = renderApp('/setup');
    expect(await screen.findByRole('heading', { level: 1, name: 'Sign in' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/sign-in');
  });
});

describe('signing in and out', () => {
  it('says plainly when the email or password is wrong, and keeps the person on the page', async () => {
    authDb.signOut();
    const { user, router } = renderApp('/sign-in');
    const form = await screen.findByRole('form', { name: 'Sign in' });
    await user.type(within(form).getByRole('textbox', { name: /Email/ }), ADMIN_EMAIL);
    await user.type(within(form).getByLabelText(/^Password/), 'not the password');
    await user.click(within(form).getByRole('button', { name: 'Sign in' }));

    expect(await within(form).findByRole('alert')).toHaveTextContent("That email and password don't match an account.");
    expect(router.state.location.pathname).toBe('/sign-in');
    // The password is cleared for another try, and focused; no toast on top.
    expect(within(form).getByLabelText(/^Password/)).toHaveValue('');
    expect(within(form).getByLabelText(/^Password/)).toHaveFocus();
    expect(screen.queryByRole('button', { name: 'Copy the trace id' })).not.toBeInTheDocument();

    await user.type(within(form).getByLabelText(/^Password/), ADMIN_PASSWORD);
    await user.click(within(form).getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Stories' })).toBeInTheDocument();
  });

  it('brings the person back where they were after a 401 (path and query)', async () => {
    authDb.signOut();
    db.add({ content: 'A fox who learns to share' });
    const { user, router } = renderApp('/prompts?q=fox');
    expect(await screen.findByRole('heading', { level: 1, name: 'Sign in' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/sign-in');
    expect(router.state.location.search).toBe(`?next=${encodeURIComponent('/prompts?q=fox')}`);

    await user.type(await screen.findByRole('textbox', { name: /Email/ }), ADMIN_EMAIL);
    await user.type(screen.getByLabelText(/^Password/), ADMIN_PASSWORD);
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('heading', { level: 1, name: 'Prompts' })).toBeInTheDocument();
    expect(`${router.state.location.pathname}${router.state.location.search}`).toBe('/prompts?q=fox');
  });

  it('goes to sign-in when the session ends while the app is open', async () => {
    readersDb.add({ name: 'Mia' });
    const { user, router } = renderApp('/readers');
    expect(await screen.findByText('Mia')).toBeInTheDocument();

    authDb.signOut(); // expired, or signed out in another tab
    const [sidebar] = screen.getAllByRole('navigation', { name: 'Main' });
    if (!sidebar) throw new Error('no sidebar');
    await user.click(within(sidebar).getByRole('link', { name: 'Settings' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Sign in' })).toBeInTheDocument();
    expect(router.state.location.search).toBe(`?next=${encodeURIComponent('/settings')}`);
    // No error toast for it: the sign-in page says what to do.
    expect(screen.queryByText('Please sign in to go on.')).not.toBeInTheDocument();
  });

  it('never sends anyone to another site after signing in', async () => {
    authDb.signOut();
    const { user, router } = renderApp(`/sign-in?next=${encodeURIComponent('//evil.example/phish')}`);
    await user.type(await screen.findByRole('textbox', { name: /Email/ }), ADMIN_EMAIL);
    await user.type(screen.getByLabelText(/^Password/), ADMIN_PASSWORD);
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Stories' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/');
  });

  it('signs out from the user menu, and forgets what the account saw', async () => {
    readersDb.add({ name: 'Mia' });
    const { user, router, queryClient } = renderApp('/readers');
    expect(await screen.findByText('Mia')).toBeInTheDocument();
    const requests = recordRequests();

    const menu = await openUserMenu(user);
    await user.click(within(menu).getByRole('menuitem', { name: 'Sign out' }));

    expect(await screen.findByRole('heading', { level: 1, name: 'Sign in' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/sign-in');
    const logout = requests.find((r) => r.url.pathname === '/api/auth/logout');
    expect(logout?.method).toBe('POST');
    expect(authDb.signedIn()).toBeUndefined();
    await waitFor(() => expect(queryClient.getQueryData(['readers', 'list'])).toBeUndefined());
  });
});

describe('the user menu', () => {
  it('shows the email, the role, the quota and the account pages; Users for an admin', async () => {
    authDb.setQuota(1, 50_000, 1_200);
    const { user } = renderApp('/');
    const menu = await openUserMenu(user);
    expect(within(menu).getByText(ADMIN_EMAIL)).toBeInTheDocument();
    expect(within(menu).getByText('Admin')).toBeInTheDocument();
    expect(within(menu).getByText('1,200 of 50,000 tokens used today')).toBeInTheDocument();
    expect(within(menu).getByRole('menuitem', { name: 'Account and password' })).toBeInTheDocument();
    expect(within(menu).getByRole('menuitem', { name: 'API tokens' })).toBeInTheDocument();
    expect(within(menu).getByRole('menuitem', { name: 'Users' })).toBeInTheDocument();
  });

  it('shows a member no Users page, and the page itself says it is the admin’s', async () => {
    authDb.addMember();
    const { user, unmount } = renderApp('/');
    const menu = await openUserMenu(user, MEMBER_EMAIL);
    expect(within(menu).getByText('Member')).toBeInTheDocument();
    expect(within(menu).getByText('0 tokens used today (no daily limit)')).toBeInTheDocument();
    expect(within(menu).queryByRole('menuitem', { name: 'Users' })).not.toBeInTheDocument();
    await user.keyboard('{Escape}');
    unmount();

    renderApp('/users');
    expect(await screen.findByText('Only an admin can see this page')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Add a user' })).not.toBeInTheDocument();
  });
});

describe('the account page', () => {
  it('changes the password: the current one is checked, the new one typed twice', async () => {
    const { user } = renderApp('/account');
    const form = await screen.findByRole('form', { name: 'Change password' });
    await user.type(within(form).getByLabelText(/^Current password/), 'wrong password');
    await user.type(within(form).getByLabelText(/^New password/), 'a brand new password');
    await user.type(within(form).getByLabelText(/^Type the password again/), 'a brand new password');
    await user.click(within(form).getByRole('button', { name: 'Change password' }));
    expect(await within(form).findByText("That isn't your current password.")).toBeInTheDocument();

    await user.clear(within(form).getByLabelText(/^Current password/));
    await user.type(within(form).getByLabelText(/^Current password/), ADMIN_PASSWORD);
    await user.click(within(form).getByRole('button', { name: 'Change password' }));
    expect(await screen.findByText('Password changed.')).toBeInTheDocument();
    expect(within(form).getByLabelText(/^Current password/)).toHaveValue('');
  });

  it('deletes a member’s own account after the password, then shows the sign-in page', async () => {
    authDb.addMember();
    const { user, router } = renderApp('/account');
    await user.click(await screen.findByRole('button', { name: 'Delete my account…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Delete my account' });
    await user.type(within(dialog).getByLabelText(/^Password/, { selector: 'input' }), 'not it at all');
    await user.click(within(dialog).getByRole('button', { name: 'Delete everything' }));
    expect(await within(dialog).findByText("That isn't your current password.")).toBeInTheDocument();

    await user.clear(within(dialog).getByLabelText(/^Password/, { selector: 'input' }));
    await user.type(within(dialog).getByLabelText(/^Password/, { selector: 'input' }), MEMBER_PASSWORD);
    await user.click(within(dialog).getByRole('button', { name: 'Delete everything' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Sign in' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/sign-in');
    expect(authDb.users().map((u) => u.email)).toEqual([ADMIN_EMAIL]);
  });

  it('keeps the last admin, and says why', async () => {
    const { user } = renderApp('/account');
    await user.click(await screen.findByRole('button', { name: 'Delete my account…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Delete my account' });
    await user.type(within(dialog).getByLabelText(/^Password/, { selector: 'input' }), ADMIN_PASSWORD);
    await user.click(within(dialog).getByRole('button', { name: 'Delete everything' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('Storybot needs at least one active admin');
  });
});
