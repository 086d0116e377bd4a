import { screen, waitFor, within } from '@testing-library/react';

import { http, HttpResponse } from 'msw';

import { API } from '@/testing/mocks/handlers/prompts';
import { readersDb } from '@/testing/mocks/handlers/readers';
import { server } from '@/testing/mocks/server';
import { recordRequests, renderApp } from '@/testing/test-utils';

describe('the readers screen', () => {
  it('invites to create the first reader when there is none', async () => {
    renderApp('/readers');
    expect(await screen.findByRole('heading', { level: 1, name: 'Readers' })).toBeInTheDocument();
    expect(await screen.findByRole('button', { name: 'Create your first reader' })).toBeInTheDocument();
  });

  it('lists readers as cards with avatar, name, age and language', async () => {
    readersDb.add({ name: 'Mia', age: 6, language: 'en', avatar: '🦊' });
    readersDb.add({ name: 'Ren', age: 1, language: 'ja' });
    renderApp('/readers');

    const cards = await screen.findAllByTestId('reader-card');
    expect(cards).toHaveLength(2);
    expect(cards[0]).toHaveTextContent('Mia');
    expect(cards[0]).toHaveTextContent('🦊');
    expect(cards[0]).toHaveTextContent('6 years old');
    expect(cards[0]).toHaveTextContent('English');
    expect(cards[1]).toHaveTextContent('R');
    expect(cards[1]).toHaveTextContent('1 year old');
    expect(cards[1]).toHaveTextContent('日本語');
    expect(screen.getByText('2 readers')).toBeInTheDocument();
  });

  it('checks the name and age before sending, with friendly messages', async () => {
    const { user } = renderApp('/readers');
    await user.click(await screen.findByRole('button', { name: 'Create your first reader' }));
    const dialog = await screen.findByRole('dialog', { name: 'New reader' });
    const requests = recordRequests();

    await user.click(within(dialog).getByRole('button', { name: 'Add reader' }));
    expect(await within(dialog).findByText('Enter a name.')).toBeInTheDocument();
    expect(await screen.findByText('Some fields need a look before saving.')).toBeInTheDocument();

    await user.type(within(dialog).getByLabelText(/Name/), 'Mia');
    expect(within(dialog).queryByText('Enter a name.')).not.toBeInTheDocument();
    await user.type(within(dialog).getByLabelText('Age'), '130');
    await user.click(within(dialog).getByRole('button', { name: 'Add reader' }));
    expect(await within(dialog).findByText('Enter an age from 1 to 120, or leave it empty.')).toBeInTheDocument();
    expect(requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  });

  it('shows the server’s 422 details beside the fields', async () => {
    const { user } = renderApp('/readers');
    await user.click(await screen.findByRole('button', { name: 'Create your first reader' }));
    const dialog = await screen.findByRole('dialog', { name: 'New reader' });

    await user.type(within(dialog).getByLabelText(/Name/), 'Mia');
    await user.type(within(dialog).getByLabelText('Age'), '7');
    // The server finds what the client let through.
    server.use(
      http.post(`${API}/profiles`, () =>
        HttpResponse.json(
          {
            error: {
              code: 'validation_error',
              message: 'name: String should have at most 60 characters (and 1 more)',
              details: [
                { field: 'name', message: 'String should have at most 60 characters', type: 'string_too_long' },
                { field: 'interests.0', message: 'String should have at most 60 characters', type: 'string_too_long' },
              ],
            },
            trace_id: '0123456789abcdef0123456789abcdef',
          },
          { status: 422 },
        ),
      ),
    );
    await user.click(within(dialog).getByRole('button', { name: 'Add reader' }));

    expect(await within(dialog).findByText('Keep the name to 60 characters or fewer.')).toBeInTheDocument();
    expect(within(dialog).getByText('Keep each item to 60 characters or fewer.')).toBeInTheDocument();
    // The error toast carries the trace id.
    expect(await screen.findByText('Trace id: 0123456789abcdef0123456789abcdef')).toBeInTheDocument();
  });

  it('creates a reader with every field', async () => {
    const { user } = renderApp('/readers');
    await user.click(await screen.findByRole('button', { name: 'New reader' }));
    const dialog = await screen.findByRole('dialog', { name: 'New reader' });
    const requests = recordRequests();

    await user.type(within(dialog).getByLabelText(/Name/), 'Mia');
    await user.type(within(dialog).getByLabelText('Age'), '6');
    await user.click(within(dialog).getByText('日本語'));
    await user.type(within(dialog).getByRole('textbox', { name: 'Interests' }), 'dinosaurs{enter}space{enter}');
    await user.type(within(dialog).getByRole('textbox', { name: 'Things to avoid' }), 'spiders{enter}');
    await user.click(within(dialog).getByRole('button', { name: 'Use 🦊 as the avatar' }));
    await user.click(within(dialog).getByRole('button', { name: 'Add reader' }));

    expect(await screen.findByText('Mia was added.')).toBeInTheDocument();
    const card = await screen.findByTestId('reader-card');
    expect(card).toHaveTextContent('Mia');
    expect(card).toHaveTextContent('🦊');
    expect(readersDb.get(1)).toMatchObject({
      name: 'Mia',
      age: 6,
      language: 'ja',
      interests: ['dinosaurs', 'space'],
      things_to_avoid: ['spiders'],
      avatar: '🦊',
    });
    expect(requests.some((r) => r.method === 'POST' && r.url.pathname === '/api/profiles')).toBe(true);
  });

  it('edits a reader on their own page', async () => {
    readersDb.add({ name: 'Mia', age: 6 });
    const { user } = renderApp('/readers/1');
    expect(await screen.findByRole('heading', { level: 1, name: 'Mia' })).toBeInTheDocument();

    const age = screen.getByLabelText('Age');
    await user.clear(age);
    await user.type(age, '7');
    await user.type(screen.getByRole('textbox', { name: 'Favourite things' }), 'a red kite{enter}');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));

    expect(await screen.findByText('Changes saved.')).toBeInTheDocument();
    expect(readersDb.get(1)).toMatchObject({ age: 7, favourite_things: ['a red kite'] });
  });

  it('says so when a reader does not exist', async () => {
    renderApp('/readers/42');
    expect(await screen.findByRole('heading', { level: 1, name: 'Reader not found' })).toBeInTheDocument();
  });

  it('deletes a reader with their stories, saying so first', async () => {
    readersDb.add({ name: 'Mia' });
    const { user } = renderApp('/readers');
    const requests = recordRequests();
    await user.click(await screen.findByRole('button', { name: 'Delete Mia' }));
    const dialog = await screen.findByRole('dialog', { name: 'Delete Mia?' });
    expect(dialog).toHaveTextContent('every story written for them, text included');
    expect(within(dialog).queryByRole('checkbox')).not.toBeInTheDocument();
    // A copy can still be taken from the dialog.
    const download = within(dialog).getByRole('link', { name: 'Download everything about Mia' });
    expect(download).toHaveAttribute('href', expect.stringMatching(/\/api\/profiles\/1\/export$/));
    await user.click(within(dialog).getByRole('button', { name: 'Delete reader and stories' }));

    expect(await screen.findByText('Mia and their stories were deleted.')).toBeInTheDocument();
    const deletion = requests.find((r) => r.method === 'DELETE');
    expect(deletion?.url.pathname).toBe('/api/profiles/1');
    expect(deletion?.url.search).toBe('');
    expect(await screen.findByRole('button', { name: 'Create your first reader' })).toBeInTheDocument();
  });

  it('deletes a reader from their page and goes back to the list', async () => {
    readersDb.add({ name: 'Mia' });
    const { user, router } = renderApp('/readers/1');
    await screen.findByRole('heading', { level: 1, name: 'Mia' });
    await user.click(screen.getByRole('button', { name: 'Delete Mia' }));
    const dialog = await screen.findByRole('dialog', { name: 'Delete Mia?' });
    await user.click(within(dialog).getByRole('button', { name: 'Delete reader and stories' }));

    expect(await screen.findByText('Mia and their stories were deleted.')).toBeInTheDocument();
    await waitFor(() => expect(router.state.location.pathname).toBe('/readers'));
  });

  it('offers everything about a reader as a download on their page', async () => {
    readersDb.add({ name: 'はな子', language: 'ja' });
    renderApp('/readers/1');
    await screen.findByRole('heading', { level: 1, name: 'はな子' });
    const download = screen.getByRole('link', { name: 'Download everything about はな子' });
    expect(download).toHaveTextContent('Download everything');
    expect(download).toHaveAttribute('download');
    expect(download).toHaveAttribute('href', expect.stringMatching(/\/api\/profiles\/1\/export$/));
  });
});
