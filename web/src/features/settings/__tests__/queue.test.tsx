import { screen, within } from '@testing-library/react';

import { authDb } from '@/testing/mocks/handlers/auth';
import { settingsDb } from '@/testing/mocks/handlers/settings';
import { recordRequests, renderApp } from '@/testing/test-utils';

async function openQueue() {
  const app = renderApp('/settings');
  const form = await screen.findByRole('form', { name: 'Waiting stories' });
  return { ...app, form };
}

describe('how many stories may wait', () => {
  it('shows both limits and saves a new one per family', async () => {
    const { user, form } = await openQueue();
    const perFamily = within(form).getByRole('textbox', { name: /Stories per family at once/ });
    expect(perFamily).toHaveValue('3');
    expect(within(form).getByRole('textbox', { name: /Stories waiting in all/ })).toHaveValue('20');
    const requests = recordRequests();

    await user.clear(perFamily);
    await user.type(perFamily, '5');
    await user.click(within(form).getByRole('button', { name: 'Save' }));

    expect(await screen.findByText('Saved how many stories may wait.')).toBeInTheDocument();
    expect(settingsDb.get().max_stories_per_account).toBe(5);
    expect(settingsDb.get().max_queued_stories).toBe(20);
    expect(requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
  });

  it('turns off writing on the stories whose server stopped', async () => {
    const { user, form } = await openQueue();
    const resume = within(form).getByRole('switch', { name: /Write on a story whose server stopped/ });
    expect(resume).toBeChecked();
    await user.click(resume);
    await user.click(within(form).getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Saved how many stories may wait.')).toBeInTheDocument();
    expect(settingsDb.get().resume_stories).toBe(false);
  });

  it('says which numbers it takes, before sending', async () => {
    const { user, form } = await openQueue();
    await user.clear(within(form).getByRole('textbox', { name: /Stories per family at once/ }));
    const requests = recordRequests();
    await user.click(within(form).getByRole('button', { name: 'Save' }));
    expect(await within(form).findByText('Enter a whole number from 1 to 1000.')).toBeInTheDocument();
    expect(requests.filter((r) => r.method === 'PATCH')).toHaveLength(0);
    expect(settingsDb.get().max_stories_per_account).toBe(3);
  });

  it('shows a member the limits without a way to change them', async () => {
    authDb.addMember();
    const { form } = await openQueue();
    expect(within(form).getByRole('textbox', { name: /Stories per family at once/ })).toBeDisabled();
    expect(within(form).queryByRole('button', { name: 'Save' })).not.toBeInTheDocument();
  });
});
