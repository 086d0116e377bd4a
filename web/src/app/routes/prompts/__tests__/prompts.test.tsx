import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';

import { db } from '@/testing/mocks/db';
import { API, errorBody } from '@/testing/mocks/handlers/prompts';
import { server } from '@/testing/mocks/server';
import { deferred, recordRequests, renderApp } from '@/testing/test-utils';

function addButton() {
  return screen.getByRole('button', { name: 'Add prompt' });
}

describe('the prompts screen', () => {
  it('lists the prompts, newest first', async () => {
    db.add({ content: 'An owl who is afraid of the dark', title: 'Brave owl' });
    db.add({ content: 'A fox who learns to share' });
    renderApp('/prompts');

    expect(await screen.findByRole('heading', { level: 1, name: 'Prompts' })).toBeInTheDocument();
    const cards = await screen.findAllByTestId('prompt-card');
    expect(cards).toHaveLength(2);
    expect(cards[0]).toHaveTextContent('A fox who learns to share');
    expect(cards[1]).toHaveTextContent('Brave owl');
    expect(screen.getByText('2 prompts')).toBeInTheDocument();
  });

  it('shows a loading indicator until the list arrives', async () => {
    const gate = deferred();
    server.use(
      http.get(`${API}/prompts`, async () => {
        await gate.promise;
        return HttpResponse.json({ items: [], total: 0, next_cursor: null });
      }),
    );
    renderApp('/prompts');
    expect(await screen.findByText('Loading prompts…')).toBeInTheDocument();
    gate.release();
    expect(await screen.findByText(/No prompts yet/)).toBeInTheDocument();
    expect(screen.queryByText('Loading prompts…')).not.toBeInTheDocument();
  });

  it('warns about an empty prompt and sends nothing', async () => {
    const { user } = renderApp('/prompts');
    await screen.findByText(/No prompts yet/);
    const requests = recordRequests();

    await user.click(addButton());
    expect(await screen.findByText('Write the prompt first, then add it.')).toBeInTheDocument();

    await user.type(screen.getByLabelText('New prompt'), '    ');
    await user.click(addButton());
    expect(requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  });

  it('adds a prompt, confirms it and shows it in the list', async () => {
    const { user } = renderApp('/prompts');
    await screen.findByText(/No prompts yet/);
    const requests = recordRequests();

    await user.type(screen.getByLabelText('New prompt'), '  A dragon who bakes bread  ');
    await user.click(addButton());

    expect(await screen.findByText('Prompt added.')).toBeInTheDocument();
    expect(await screen.findByText('A dragon who bakes bread')).toBeInTheDocument();
    expect(screen.getByLabelText('New prompt')).toHaveValue('');
    const post = requests.find((r) => r.method === 'POST');
    expect(post?.url.pathname).toBe('/api/prompts');
    expect(db.all()[0]?.content).toBe('A dragon who bakes bread');
  });

  it('disables the button while the prompt is being saved', async () => {
    const gate = deferred();
    server.use(
      http.post(`${API}/prompts`, async ({ request }) => {
        await gate.promise;
        const body = (await request.json()) as { content: string };
        return HttpResponse.json(db.add(body), { status: 201 });
      }),
    );
    const { user } = renderApp('/prompts');
    await screen.findByText(/No prompts yet/);

    await user.type(screen.getByLabelText('New prompt'), 'A slow snail');
    await user.click(addButton());
    await waitFor(() => expect(addButton()).toBeDisabled());
    // A second click while saving does nothing.
    await user.click(addButton());

    gate.release();
    expect(await screen.findByText('Prompt added.')).toBeInTheDocument();
    await waitFor(() => expect(addButton()).toBeEnabled());
    expect(db.all()).toHaveLength(1);
  });

  it('deletes a prompt only after confirmation', async () => {
    db.add({ content: 'Keep me', title: 'Keeper' });
    db.add({ content: 'Delete me', title: 'Goner' });
    const { user } = renderApp('/prompts');

    await user.click(await screen.findByRole('button', { name: 'Delete “Goner”' }));
    let dialog = await screen.findByRole('dialog', { name: 'Delete this prompt?' });
    expect(within(dialog).getByText('“Goner” will be deleted. This can\'t be undone.')).toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(db.all()).toHaveLength(2);

    await user.click(screen.getByRole('button', { name: 'Delete “Goner”' }));
    dialog = await screen.findByRole('dialog', { name: 'Delete this prompt?' });
    await user.click(within(dialog).getByRole('button', { name: 'Delete' }));

    expect(await screen.findByText('Prompt deleted.')).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByText('Goner')).not.toBeInTheDocument());
    expect(screen.getByText('Keeper')).toBeInTheDocument();
    expect(db.all().map((p) => p.title)).toEqual(['Keeper']);
  });

  it('shows a failed request in a toast with its trace id and a copy button', async () => {
    server.use(
      http.post(`${API}/prompts`, () =>
        errorBody(500, 'internal_error', 'Something went wrong on the server.', '0123456789abcdef0123456789abcdef'),
      ),
    );
    const { user } = renderApp('/prompts');
    await screen.findByText(/No prompts yet/);

    await user.type(screen.getByLabelText('New prompt'), 'A prompt the server chokes on');
    await user.click(addButton());

    const alert = await screen.findByText(/Something went wrong on the server\. The trace id below/);
    const toast = alert.closest('.Toastify__toast');
    expect(toast).not.toBeNull();
    expect(within(toast as HTMLElement).getByText('Trace id: 0123456789abcdef0123456789abcdef')).toBeInTheDocument();
    expect(within(toast as HTMLElement).getByRole('button', { name: 'Copy the trace id' })).toBeInTheDocument();
    // The text the user typed is kept for another try.
    expect(screen.getByLabelText('New prompt')).toHaveValue('A prompt the server chokes on');
    expect(addButton()).toBeEnabled();
  });

  it('falls back to the server message for an unknown error code', async () => {
    server.use(http.get(`${API}/prompts`, () => errorBody(409, 'brand_new_code', 'A message from the server.')));
    renderApp('/prompts');
    expect(await screen.findByText('A message from the server.')).toBeInTheDocument();
    expect(screen.getByText('Trace id: feedc0ffee0123456789abcdef012345')).toBeInTheDocument();
  });

  it('loads more prompts with the next cursor', async () => {
    for (let i = 1; i <= 25; i++) db.add({ content: `Prompt number ${i}` });
    const { user } = renderApp('/prompts');

    expect(await screen.findAllByTestId('prompt-card')).toHaveLength(20);
    expect(screen.getByText('Showing 20 of 25 prompts')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Show more' }));
    await waitFor(() => expect(screen.getAllByTestId('prompt-card')).toHaveLength(25));
    expect(screen.queryByRole('button', { name: 'Show more' })).not.toBeInTheDocument();
    expect(screen.getByText('25 prompts')).toBeInTheDocument();
  });

  it('searches with q and keeps the search in the address', async () => {
    db.add({ content: 'A whale who sings' });
    db.add({ content: 'A mouse who reads' });
    const { user, router } = renderApp('/prompts');
    await screen.findByText('A mouse who reads');
    const requests = recordRequests();

    await user.type(screen.getByLabelText('Search prompts'), 'whale');
    await waitFor(() => expect(screen.queryByText('A mouse who reads')).not.toBeInTheDocument());
    expect(screen.getByText('A whale who sings')).toBeInTheDocument();
    expect(requests.some((r) => r.url.searchParams.get('q') === 'whale')).toBe(true);
    expect(router.state.location.search).toBe('?q=whale');

    await user.clear(screen.getByLabelText('Search prompts'));
    await user.type(screen.getByLabelText('Search prompts'), 'nothing like it');
    expect(await screen.findByText('No prompt matches “nothing like it”.')).toBeInTheDocument();
  });

  it('imports a file and says how many prompts were added', async () => {
    const { user, container } = renderApp('/prompts');
    await screen.findByText(/No prompts yet/);
    const file = new File(
      [JSON.stringify({ format: 'storybot.prompts', version: 1, prompts: [{}, {}, {}] })],
      'prompts.json',
      { type: 'application/json' },
    );
    const input = container.ownerDocument.querySelector('input[type="file"]');
    expect(input).not.toBeNull();
    await user.upload(input as HTMLInputElement, file);
    expect(await screen.findByText('Imported: 3 new, 0 updated.')).toBeInTheDocument();
  });

  it('refuses a file that is not an export, without a request', async () => {
    const { user, container } = renderApp('/prompts');
    await screen.findByText(/No prompts yet/);
    const requests = recordRequests();
    const input = container.ownerDocument.querySelector('input[type="file"]');
    await user.upload(input as HTMLInputElement, new File(['not json'], 'notes.json', { type: 'application/json' }));
    expect(await screen.findByText("That file isn't a Storybot prompt export.")).toBeInTheDocument();
    expect(requests).toHaveLength(0);
  });

  it('exports the library as a download', async () => {
    const createObjectURL = vi.fn(() => 'blob:prompts');
    const revokeObjectURL = vi.fn();
    Object.assign(URL, { createObjectURL, revokeObjectURL });
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined);
    const { user } = renderApp('/prompts');
    await screen.findByText(/No prompts yet/);

    await user.click(screen.getByRole('button', { name: 'Export' }));
    expect(await screen.findByText('Saved the library as storybot-prompts.json.')).toBeInTheDocument();
    expect(createObjectURL).toHaveBeenCalledOnce();
    expect(click).toHaveBeenCalledOnce();
  });
});
