import { screen, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';

import { i18n } from '@/lib/i18n';
import { API } from '@/testing/mocks/handlers/prompts';
import { readersDb } from '@/testing/mocks/handlers/readers';
import { settingsDb } from '@/testing/mocks/handlers/settings';
import { storiesDb } from '@/testing/mocks/handlers/stories';
import { server } from '@/testing/mocks/server';
import { renderApp } from '@/testing/test-utils';

const URL_ = 'http://127.0.0.1:11434/v1';

describe('messages from the server, in Japanese', () => {
  beforeEach(async () => {
    await i18n.changeLanguage('ja');
  });

  it('words a story failure from its code and params, not the English reason', async () => {
    const english = `The model server at ${URL_} refused the connection; is it running?`;
    storiesDb.add({
      id: 7,
      status: 'failed',
      title: 'ほし',
      failure_code: 'unavailable',
      failure_reason: english,
      failure_params: { cause: 'refused', url: URL_ },
    });
    renderApp('/stories/7');
    const status = await screen.findByTestId('story-status');
    expect(status).toHaveTextContent(`おはなしが途中で止まりました：モデルサーバー（${URL_}）に接続を断られました。サーバーは起動していますか？`);
    expect(status).not.toHaveTextContent('refused');
  });

  it("words a story saved before params from its code alone, and an unknown code with the server's text", async () => {
    storiesDb.add({ id: 8, status: 'failed', failure_code: 'interrupted', failure_reason: 'The connection dropped.', failure_params: null });
    storiesDb.add({ id: 9, status: 'failed', failure_code: 'brand_new', failure_reason: 'Something new happened.', failure_params: null });
    const first = renderApp('/stories/8');
    expect(await screen.findByTestId('story-status')).toHaveTextContent('おはなしが終わる前に止まりました。ここまでの文は残っています。');
    first.unmount();
    renderApp('/stories/9');
    expect(await screen.findByTestId('story-status')).toHaveTextContent('Something new happened.');
  });

  it("words an engine's health detail, and shows the tones and the default tone in Japanese", async () => {
    settingsDb.get().engines.ollama = { type: 'openai', base_url: URL_, model: 'qwen2.5', languages: ['en', 'ja'] };
    renderApp('/settings');
    const cards = await screen.findAllByTestId('engine-card');
    const ollama = cards.find((c) => c.textContent.includes('ollama'));
    if (!ollama) throw new Error('no ollama card');
    expect(within(ollama).getByTestId('engine-detail')).toHaveTextContent(`モデルサーバー（${URL_}）に接続を断られました。`);
    expect(ollama).not.toHaveTextContent('refused');
    const local = cards.find((c) => c.textContent.includes('local'));
    expect(local).toHaveTextContent('モデルファイル：/models/tinystories.gguf');

    expect(await screen.findByRole('textbox', { name: '既定の雰囲気' })).toHaveValue('あたたかい');
    expect(screen.queryByText('warm')).not.toBeInTheDocument();
  });

  it('shows a tone stored as an older free word as it is', async () => {
    settingsDb.get().default_tone = 'silly';
    renderApp('/settings');
    expect(await screen.findByRole('textbox', { name: '既定の雰囲気' })).toHaveValue('silly');
  });

  it('words a validation message from its code, and offers the tones in Japanese', async () => {
    readersDb.add({ name: 'Hana', language: 'ja' });
    const english = 'moral: String should have at most 200 characters';
    server.use(
      http.post(`${API}/stories`, () =>
        HttpResponse.json(
          {
            error: {
              code: 'validation_error',
              message: english,
              details: [
                { field: 'moral', message: 'String should have at most 200 characters', type: 'string_too_long', code: 'string_too_long', params: { max_length: 200 } },
              ],
            },
            trace_id: 'feedc0ffee0123456789abcdef012345',
          },
          { status: 422 },
        ),
      ),
    );
    const { user } = renderApp('/stories/new');
    await user.click(await screen.findByRole('radio', { name: /Hana/ }));
    const tones = screen.getByRole('group', { name: '雰囲気' });
    expect(within(tones).getAllByRole('radio').map((chip) => chip.closest('div')?.textContent ?? '')).toEqual([
      'あたたかい',
      'やさしい',
      'おもしろい',
      '冒険',
      'ねむくなる',
      'おだやか',
    ]);
    await user.click(within(tones).getByRole('radio', { name: 'おもしろい' }));
    await user.type(screen.getByLabelText('アイデア'), 'ほしのおはなし');
    await user.click(screen.getByRole('button', { name: 'おはなしを書く' }));

    const alert = await screen.findByTestId('new-story-error');
    expect(alert).toHaveTextContent('200文字以内で入力してください。');
    expect(alert).not.toHaveTextContent('should have at most');
  });
});
