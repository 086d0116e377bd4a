import { screen, waitFor, within } from '@testing-library/react';

import { i18n } from '@/lib/i18n';
import { modelsDb } from '@/testing/mocks/handlers/models';
import { settingsDb } from '@/testing/mocks/handlers/settings';
import { recordRequests, renderApp } from '@/testing/test-utils';

const GB = 1_000_000_000;
const LINK = 'https://models.example.org/qwen2.5-1.5b-instruct-q4_k_m.gguf';

async function openSettings(path = '/settings') {
  const app = renderApp(path);
  expect(await screen.findByRole('heading', { level: 1, name: 'Settings' })).toBeInTheDocument();
  return app;
}

describe('getting a better model in Settings', () => {
  it('shows a server found on this machine as a card and adds a model as an engine, asking its languages', async () => {
    modelsDb.addServer(11434, 'ollama', ['qwen2.5:3b', 'llama3.2:1b']);
    const { user } = await openSettings();

    const card = await screen.findByTestId('found-server');
    expect(card).toHaveTextContent('Found: Ollama');
    expect(card).toHaveTextContent('http://127.0.0.1:11434/v1');
    await user.click(within(card).getByRole('button', { name: 'Add qwen2.5:3b from Ollama' }));
    const ask = within(card).getByRole('group', { name: 'Add qwen2.5:3b from Ollama' });
    expect(within(ask).getByRole('checkbox', { name: 'English' })).toBeChecked();
    await user.click(within(ask).getByRole('checkbox', { name: '日本語' }));
    await user.click(within(ask).getByRole('button', { name: 'Add engine' }));

    expect(await screen.findByText('Engine “qwen2.5-3b” added.')).toBeInTheDocument();
    expect(settingsDb.get().engines['qwen2.5-3b']).toEqual({
      type: 'openai',
      base_url: 'http://127.0.0.1:11434/v1',
      model: 'qwen2.5:3b',
      languages: ['en', 'ja'],
    });
    expect(await within(card).findByText('Added as “qwen2.5-3b”')).toBeInTheDocument();
    // The other model can still be added; the new engine is listed with the others.
    expect(within(card).getByRole('button', { name: 'Add llama3.2:1b from Ollama' })).toBeInTheDocument();
    expect(await screen.findAllByTestId('engine-card')).toHaveLength(3);
  });

  it('says where it looked when no server runs on this machine', async () => {
    await openSettings();
    expect(
      await screen.findByText('No model server is running on this machine (Storybot looked at ports 11434, 8080, 1234, 8000).'),
    ).toBeInTheDocument();
  });

  it('downloads a model file with a progress bar, the size and the time left, then uses it', async () => {
    const { user } = await openSettings();
    const section = screen.getByRole('region', { name: 'Model files' });
    const requests = recordRequests();

    await user.type(within(section).getByLabelText(/^Link to a .gguf file/), 'https://example.org/page.html');
    await user.click(within(section).getByRole('button', { name: 'Download' }));
    expect(await within(section).findByText('Paste a link starting with http:// or https:// and ending in .gguf.')).toBeInTheDocument();
    expect(requests.filter((r) => r.method === 'POST')).toHaveLength(0);

    const link = within(section).getByLabelText(/^Link to a .gguf file/);
    await user.clear(link);
    await user.type(link, LINK);
    await user.click(within(section).getByRole('button', { name: 'Download' }));
    const bar = await within(section).findByRole('progressbar', { name: 'Downloading qwen2.5-1.5b-instruct-q4_k_m.gguf' });
    expect(modelsDb.downloads()[0]).toMatchObject({ url: LINK, sha256: null });

    modelsDb.progress('d1', { bytes_done: 0.5 * GB, bytes_total: 1.1 * GB, seconds_left: 150 });
    expect(await within(section).findByText('500 MB of 1.1 GB')).toBeInTheDocument();
    expect(within(section).getByText('about 3 minutes left')).toBeInTheDocument();
    expect(bar).toHaveAttribute('aria-valuenow', '45');

    modelsDb.progress('d1', { status: 'done', bytes_done: 1.1 * GB, seconds_left: null });
    expect(await screen.findByText('qwen2.5-1.5b-instruct-q4_k_m.gguf is downloaded. Press “Use it” to write with it.')).toBeInTheDocument();
    await waitFor(() => expect(within(section).queryByTestId('download')).not.toBeInTheDocument());

    const file = (await within(section).findAllByTestId('model-file')).find((row) => row.textContent.includes('qwen2.5'));
    if (!file) throw new Error('the downloaded model is not listed');
    expect(file).toHaveTextContent('Downloaded');
    expect(file).toHaveTextContent('1.1 GB');
    await user.click(within(file).getByRole('button', { name: 'Use qwen2.5-1.5b-instruct-q4_k_m' }));
    const ask = within(file).getByRole('group', { name: 'Use qwen2.5-1.5b-instruct-q4_k_m' });
    await user.click(within(ask).getByRole('checkbox', { name: '日本語' }));
    await user.click(within(ask).getByRole('button', { name: 'Make it an engine' }));
    expect(await screen.findByText('Engine “qwen2.5-1.5b-instruct-q4_k_m” added. Choose it for a story or as the default.')).toBeInTheDocument();
    expect(settingsDb.get().engines['qwen2.5-1.5b-instruct-q4_k_m']).toEqual({
      type: 'local',
      model_path: '/data/models/qwen2.5-1.5b-instruct-q4_k_m.gguf',
      languages: ['en', 'ja'],
    });
  });

  it('cancels a download, and shows a failed one with what to do', async () => {
    const { user } = await openSettings();
    const section = screen.getByRole('region', { name: 'Model files' });
    await user.type(within(section).getByLabelText(/^Link to a .gguf file/), LINK);
    await user.click(within(section).getByRole('button', { name: 'Download' }));
    const download = await within(section).findByTestId('download');
    await user.click(within(download).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(within(section).queryByTestId('download')).not.toBeInTheDocument());
    expect(modelsDb.downloads()[0]?.status).toBe('cancelled');

    const link = within(section).getByLabelText(/^Link to a .gguf file/);
    await user.type(link, LINK.replace('1.5b', '7b'));
    await user.click(within(section).getByRole('button', { name: 'Download' }));
    await within(section).findByTestId('download');
    modelsDb.progress('d2', {
      status: 'failed',
      error: { code: 'not_enough_space', message: 'The model needs 4,400 MiB ... only 900 MiB is free.' },
    });
    const failed = await within(section).findByRole('alert', { name: /couldn't be downloaded/ });
    expect(failed).toHaveTextContent("There isn't enough free disk space on the server for this model.");
    expect(failed).toHaveTextContent('only 900 MiB is free');
  });

  it('words the cards and the progress in Japanese', async () => {
    modelsDb.addServer(1234, 'lmstudio', ['qwen2.5-7b-instruct']);
    await i18n.changeLanguage('ja');
    const { user } = renderApp('/settings');
    expect(await screen.findByRole('heading', { level: 1, name: '設定' })).toBeInTheDocument();
    const card = await screen.findByTestId('found-server');
    expect(card).toHaveTextContent('見つかりました：LM Studio');
    expect(within(card).getByRole('button', { name: 'LM Studio の qwen2.5-7b-instruct を追加' })).toHaveTextContent('追加する');

    const section = screen.getByRole('region', { name: 'モデルファイル' });
    await user.type(within(section).getByLabelText(/^.gguf ファイルへのリンク/), LINK);
    await user.click(within(section).getByRole('button', { name: 'ダウンロード' }));
    await within(section).findByTestId('download');
    modelsDb.progress('d1', { bytes_done: 0.5 * GB, bytes_total: 1.1 * GB, seconds_left: 40 });
    expect(await within(section).findByText('残り約40 秒')).toBeInTheDocument();
    expect(within(section).getByRole('button', { name: '中止' })).toBeInTheDocument();
  });
});
