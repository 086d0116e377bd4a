import { screen, waitFor } from '@testing-library/react';
import { http } from 'msw';

import { db } from '@/testing/mocks/db';
import { API, errorBody } from '@/testing/mocks/handlers/prompts';
import { readersDb } from '@/testing/mocks/handlers/readers';
import { storiesDb } from '@/testing/mocks/handlers/stories';
import { server } from '@/testing/mocks/server';
import { recordRequests, renderApp } from '@/testing/test-utils';

describe('the new story page', () => {
  it('writes a story from free text for a reader, with length and tone, and opens it', async () => {
    readersDb.add({ name: 'Mia', avatar: '🦊' });
    readersDb.add({ name: 'Ken' });
    const { user, router } = renderApp('/stories/new');
    expect(await screen.findByRole('heading', { level: 1, name: 'New story' })).toBeInTheDocument();
    expect(screen.getByRole('radio', { name: 'No reader' })).toBeChecked();

    await user.click(await screen.findByRole('radio', { name: /Mia/ }));
    await user.type(screen.getByLabelText('Your idea'), 'A dinosaur who is afraid of the dark');
    await user.click(screen.getByText('Long'));
    await user.click(screen.getByRole('radio', { name: 'Funny' }));
    await user.click(screen.getByRole('button', { name: 'Write the story' }));

    await waitFor(() => expect(router.state.location.pathname).toBe('/stories/1'));
    expect(storiesDb.requests).toEqual([
      { prompt: 'A dinosaur who is afraid of the dark', profile_id: 1, length: 'long', tone: 'funny' },
    ]);
  });

  it('asks for a prompt or an idea before sending anything', async () => {
    const { user } = renderApp('/stories/new');
    await screen.findByRole('heading', { level: 1, name: 'New story' });
    const requests = recordRequests();
    await user.click(screen.getByRole('button', { name: 'Write the story' }));
    expect(await screen.findByText('Pick a prompt or write your idea first.')).toBeInTheDocument();
    expect(requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  });

  it("shows a prompt card's variables as typed inputs with their defaults, and sends them", async () => {
    db.add({
      title: 'The brave little {{animal}}',
      content: 'A story about a {{animal}} who finds {{count}} stars near {{place}}.',
      variables: [
        { name: 'animal', type: 'choice', options: ['fox', 'owl'], default: 'owl', label: 'Animal' },
        { name: 'count', type: 'number', default: 3, label: 'How many stars' },
        { name: 'place', type: 'text', label: 'Place' },
      ],
    });
    const { user, router } = renderApp('/stories/new');
    await user.click(await screen.findByTestId('prompt-choice'));

    expect(screen.getByRole('textbox', { name: 'How many stars' })).toHaveValue('3');
    expect(screen.getByRole('textbox', { name: 'Animal' })).toHaveValue('owl');
    expect(screen.queryByLabelText('Your idea')).not.toBeInTheDocument();

    // A required text variable left empty is named.
    await user.click(screen.getByRole('button', { name: 'Write the story' }));
    expect(await screen.findByText('Fill in “Place” first.')).toBeInTheDocument();

    await user.type(screen.getByRole('textbox', { name: 'Place' }), 'the old oak');
    await user.clear(screen.getByRole('textbox', { name: 'How many stars' }));
    await user.type(screen.getByRole('textbox', { name: 'How many stars' }), '5');
    await user.click(screen.getByRole('textbox', { name: 'Animal' }));
    await user.click(await screen.findByRole('option', { name: 'fox' }));
    await user.click(screen.getByRole('button', { name: 'Write the story' }));

    await waitFor(() => expect(router.state.location.pathname).toBe('/stories/1'));
    expect(storiesDb.requests[0]).toEqual({
      prompt_id: 1,
      variables: { animal: 'fox', count: 5, place: 'the old oak' },
      length: 'medium',
    });
  });

  it("shows the server's reason when a story cannot be written (422)", async () => {
    readersDb.add({ name: 'Hana', language: 'ja' });
    const message = 'The builtin engine writes only English; add an engine that writes Japanese in Settings.';
    server.use(http.post(`${API}/stories`, () => errorBody(422, 'validation_error', message)));
    const { user, router } = renderApp('/stories/new');
    await user.click(await screen.findByRole('radio', { name: /Hana/ }));
    await user.type(screen.getByLabelText('Your idea'), 'ほしのおはなし');
    await user.click(screen.getByRole('button', { name: 'Write the story' }));

    const alert = await screen.findByTestId('new-story-error');
    expect(alert).toHaveTextContent(message);
    expect(router.state.location.pathname).toBe('/stories/new');
  });
});
