import { screen, within } from '@testing-library/react';

import { settingsDb } from '@/testing/mocks/handlers/settings';
import { recordRequests, renderApp } from '@/testing/test-utils';

async function openRetention() {
  const app = renderApp('/settings');
  const form = await screen.findByRole('form', { name: 'Keeping stories' });
  return { ...app, form };
}

describe('how long stories are kept', () => {
  it('keeps stories forever until a number of days is set, and saves it', async () => {
    const { user, form } = await openRetention();
    const limit = within(form).getByRole('switch', { name: /Delete old stories automatically/ });
    expect(limit).not.toBeChecked();
    expect(within(form).queryByRole('textbox', { name: /Delete stories after/ })).not.toBeInTheDocument();
    const requests = recordRequests();

    await user.click(limit);
    const days = within(form).getByRole('textbox', { name: /Delete stories after/ });
    await user.clear(days);
    await user.type(days, '30');
    await user.click(within(form).getByRole('button', { name: 'Save' }));

    expect(await screen.findByText('Saved how long stories are kept.')).toBeInTheDocument();
    expect(settingsDb.get().story_retention_days).toBe(30);
    expect(requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
  });

  it('goes back to keeping stories forever with null', async () => {
    settingsDb.get().story_retention_days = 90;
    const { user, form } = await openRetention();
    const limit = within(form).getByRole('switch', { name: /Delete old stories automatically/ });
    expect(limit).toBeChecked();
    expect(within(form).getByRole('textbox', { name: /Delete stories after/ })).toHaveValue('90');

    await user.click(limit);
    await user.click(within(form).getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Saved how long stories are kept.')).toBeInTheDocument();
    expect(settingsDb.get().story_retention_days).toBeNull();
  });

  it('says which numbers of days it takes, before sending', async () => {
    const { user, form } = await openRetention();
    await user.click(within(form).getByRole('switch', { name: /Delete old stories automatically/ }));
    await user.clear(within(form).getByRole('textbox', { name: /Delete stories after/ }));
    const requests = recordRequests();
    await user.click(within(form).getByRole('button', { name: 'Save' }));
    expect(await within(form).findByText('Enter a whole number of days from 1 to 3650.')).toBeInTheDocument();
    expect(requests.filter((r) => r.method === 'PATCH')).toHaveLength(0);
  });
});
