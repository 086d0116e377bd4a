import { screen, waitFor, within } from '@testing-library/react';

import { ADMIN_EMAIL, authDb, MEMBER_EMAIL } from '@/testing/mocks/handlers/auth';
import { renderApp } from '@/testing/test-utils';

function row(email: string): HTMLElement {
  const found = screen.getAllByTestId('user-row').find((r) => r.textContent.includes(email));
  if (!found) throw new Error(`no row for ${email}`);
  return found;
}

async function openUsers() {
  const app = renderApp('/users');
  expect(await screen.findByRole('heading', { level: 1, name: 'Users' })).toBeInTheDocument();
  await screen.findAllByTestId('user-row');
  return app;
}

async function action(user: ReturnType<typeof renderApp>['user'], email: string, item: string) {
  await user.click(screen.getByRole('button', { name: `Actions for ${email}` }));
  await user.click(await screen.findByRole('menuitem', { name: item }));
}

describe('the admin’s users page', () => {
  it('lists the accounts with role, status and today’s use of the quota', async () => {
    const member = authDb.addMember({ signIn: false });
    authDb.setQuota(member.id, 20_000, 5_000);
    await openUsers();
    expect(row(ADMIN_EMAIL)).toHaveTextContent('Admin');
    expect(row(ADMIN_EMAIL)).toHaveTextContent('you');
    expect(row(MEMBER_EMAIL)).toHaveTextContent('Member');
    expect(row(MEMBER_EMAIL)).toHaveTextContent('Active');
    expect(row(MEMBER_EMAIL)).toHaveTextContent('5,000 of 20,000 tokens used today');
    expect(row(MEMBER_EMAIL)).toHaveTextContent('Never');
  });

  it('adds a member, and says so when the email is taken', async () => {
    const { user } = await openUsers();
    await user.click(screen.getByRole('button', { name: 'Add a user' }));
    const dialog = await screen.findByRole('dialog', { name: 'New user' });
    await user.type(within(dialog).getByRole('textbox', { name: /Email/ }), ADMIN_EMAIL);
    await user.type(within(dialog).getByLabelText(/^Password/), 'their first password');
    await user.click(within(dialog).getByRole('button', { name: 'Add user' }));
    expect(await within(dialog).findByText('There is already an account with this email.')).toBeInTheDocument();

    await user.clear(within(dialog).getByRole('textbox', { name: /Email/ }));
    await user.type(within(dialog).getByRole('textbox', { name: /Email/ }), 'grandma@example.com');
    await user.click(within(dialog).getByRole('button', { name: 'Add user' }));
    expect(await screen.findByText('grandma@example.com can sign in now.')).toBeInTheDocument();
    await waitFor(() => expect(screen.getAllByTestId('user-row')).toHaveLength(2));
    expect(authDb.users().find((u) => u.email === 'grandma@example.com')?.role).toBe('member');
  });

  it('disables an account after asking, and enables it again', async () => {
    authDb.addMember({ signIn: false });
    const { user } = await openUsers();
    await action(user, MEMBER_EMAIL, 'Disable account…');
    const dialog = await screen.findByRole('dialog', { name: `Disable ${MEMBER_EMAIL}?` });
    expect(dialog).toHaveTextContent('their API tokens stop working');
    await user.click(within(dialog).getByRole('button', { name: 'Disable' }));
    expect(await screen.findByText(`${MEMBER_EMAIL} is disabled.`)).toBeInTheDocument();
    await waitFor(() => expect(row(MEMBER_EMAIL)).toHaveTextContent('Disabled'));

    await action(user, MEMBER_EMAIL, 'Enable account');
    await waitFor(() => expect(row(MEMBER_EMAIL)).toHaveTextContent('Active'));
  });

  it('refuses to leave Storybot without an admin, in words', async () => {
    const { user } = await openUsers();
    await action(user, ADMIN_EMAIL, 'Make member');
    expect(await screen.findByText('Storybot needs at least one active admin: make someone else an admin first.')).toBeInTheDocument();
    expect(row(ADMIN_EMAIL)).toHaveTextContent('Admin');
  });

  it('sets a new password and a daily quota', async () => {
    const member = authDb.addMember({ signIn: false });
    const { user } = await openUsers();

    await action(user, MEMBER_EMAIL, 'Set a new password…');
    let dialog = await screen.findByRole('dialog', { name: `New password for ${MEMBER_EMAIL}` });
    await user.type(within(dialog).getByLabelText(/^New password/, { selector: 'input' }), 'short');
    await user.click(within(dialog).getByRole('button', { name: 'Set password' }));
    expect(await within(dialog).findByText('Use at least 8 characters.')).toBeInTheDocument();
    await user.type(within(dialog).getByLabelText(/^New password/, { selector: 'input' }), ' but longer now');
    await user.click(within(dialog).getByRole('button', { name: 'Set password' }));
    expect(await screen.findByText(`New password set for ${MEMBER_EMAIL}.`)).toBeInTheDocument();

    await action(user, MEMBER_EMAIL, 'Daily token quota…');
    dialog = await screen.findByRole('dialog', { name: `Daily tokens for ${MEMBER_EMAIL}` });
    await user.click(within(dialog).getByRole('checkbox', { name: 'No daily limit' }));
    const amount = within(dialog).getByRole('textbox', { name: 'Tokens a day' });
    await user.clear(amount);
    await user.type(amount, '30000');
    await user.click(within(dialog).getByRole('button', { name: 'Save quota' }));
    expect(await screen.findByText(`Quota saved for ${MEMBER_EMAIL}.`)).toBeInTheDocument();
    expect(authDb.users().find((u) => u.id === member.id)?.daily_token_quota).toBe(30_000);
    await waitFor(() => expect(row(MEMBER_EMAIL)).toHaveTextContent('0 of 30,000 tokens used today'));
  });
});
