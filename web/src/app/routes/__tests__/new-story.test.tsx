import { screen, waitFor } from '@testing-library/react';
import { http, HttpResponse } from 'msw';

import { i18n } from '@/lib/i18n';
import { db } from '@/testing/mocks/db';
import { authDb } from '@/testing/mocks/handlers/auth';
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

  it('says kindly when no engine writes the language, and links straight to the two ways to add one', async () => {
    readersDb.add({ name: 'Hana', language: 'ja' });
    const languageNotWritten = () =>
      HttpResponse.json(
        {
          error: {
            code: 'validation_error',
            message: "The engine 'local' writes English only, not Japanese. ...",
            details: [
              {
                field: 'language',
                message: "engine 'local' does not write ja",
                type: 'language_not_written',
                params: { engine: 'local', language: 'ja', languages: ['en'] },
                fixes: ['discover_servers', 'download_model'],
              },
            ],
          },
          trace_id: 'feedc0ffee0123456789abcdef012345',
        },
        { status: 422 },
      );
    server.use(http.post(`${API}/stories`, languageNotWritten));
    const { user, router } = renderApp('/stories/new');
    await user.click(await screen.findByRole('radio', { name: /Hana/ }));
    await user.type(screen.getByLabelText('Your idea'), 'ほしのおはなし');
    await user.click(screen.getByRole('button', { name: 'Write the story' }));

    const alert = await screen.findByTestId('new-story-error');
    expect(alert).toHaveTextContent('No engine writes Japanese yet');
    expect(alert).toHaveTextContent('The engine “local” can\'t write Japanese.');
    expect(alert).not.toHaveTextContent('writes English only'); // worded by the app, not the server
    const found = screen.getByRole('link', { name: 'Add a model server running on this machine' });
    const file = screen.getByRole('link', { name: 'Or download a model file by its link' });
    expect(found).toHaveAttribute('href', '/settings#settings-found-servers');
    expect(file).toHaveAttribute('href', '/settings#settings-model-files');

    await user.click(file);
    await waitFor(() => expect(router.state.location.pathname).toBe('/settings'));
    expect(router.state.location.hash).toBe('#settings-model-files');
    expect(await screen.findByRole('region', { name: 'Model files' })).toBeInTheDocument();

    // The same in Japanese.
    await i18n.changeLanguage('ja');
    await router.navigate('/stories/new');
    await user.click(await screen.findByRole('radio', { name: /Hana/ }));
    await user.type(screen.getByLabelText('アイデア'), 'ほしのおはなし');
    await user.click(screen.getByRole('button', { name: 'おはなしを書く' }));
    const japanese = await screen.findByTestId('new-story-error');
    expect(japanese).toHaveTextContent('日本語で書けるエンジンがまだありません');
    expect(screen.getByRole('link', { name: 'このマシンで動いているモデルサーバーを追加する' })).toHaveAttribute(
      'href',
      '/settings#settings-found-servers',
    );
  });

  it('tells a member, who cannot add engines, to ask the admin', async () => {
    authDb.addMember();
    readersDb.add({ name: 'Hana', language: 'ja' });
    server.use(
      http.post(`${API}/stories`, () =>
        HttpResponse.json(
          {
            error: {
              code: 'validation_error',
              message: 'not ja',
              details: [{ field: 'language', message: 'no', type: 'language_not_written', params: { engine: 'local', language: 'ja', languages: ['en'] } }],
            },
            trace_id: null,
          },
          { status: 422 },
        ),
      ),
    );
    const { user } = renderApp('/stories/new');
    await user.click(await screen.findByRole('radio', { name: /Hana/ }));
    await user.type(screen.getByLabelText('Your idea'), 'ほしのおはなし');
    await user.click(screen.getByRole('button', { name: 'Write the story' }));
    const alert = await screen.findByTestId('new-story-error');
    expect(alert).toHaveTextContent('The admin of this Storybot can add a model that can, in Settings.');
    expect(screen.queryByRole('link', { name: 'Or download a model file by its link' })).not.toBeInTheDocument();
  });

  it('says when today’s quota is spent (429 quota_spent)', async () => {
    server.use(
      http.post(`${API}/stories`, () =>
        HttpResponse.json(
          { error: { code: 'quota_spent', message: 'The daily token quota is spent.', details: null }, trace_id: null },
          { status: 429, headers: { 'Retry-After': '3600' } },
        ),
      ),
    );
    const { user } = renderApp('/stories/new');
    await user.type(await screen.findByLabelText('Your idea'), 'A fox');
    await user.click(screen.getByRole('button', { name: 'Write the story' }));
    expect(await screen.findByTestId('new-story-error')).toHaveTextContent("Today's story allowance is used up.");
  });

  it('says when the family has as many stories waiting as it may (429 too_many_stories)', async () => {
    server.use(
      http.post(`${API}/stories`, () =>
        HttpResponse.json(
          {
            error: { code: 'too_many_stories', message: '3 of your stories are already waiting.', details: { stories: 3, limit: 3 } },
            trace_id: null,
          },
          { status: 429, headers: { 'Retry-After': '30' } },
        ),
      ),
    );
    const { user } = renderApp('/stories/new');
    await user.type(await screen.findByLabelText('Your idea'), 'A fox');
    await user.click(screen.getByRole('button', { name: 'Write the story' }));
    expect(await screen.findByTestId('new-story-error')).toHaveTextContent('Wait for one of them to end, then ask again.');
  });
});
