import { screen, within } from '@testing-library/react';

import { authDb } from '@/testing/mocks/handlers/auth';
import { settingsDb } from '@/testing/mocks/handlers/settings';
import { recordRequests, renderApp } from '@/testing/test-utils';

async function openSettings() {
  const app = renderApp('/settings');
  expect(await screen.findByRole('heading', { level: 1, name: 'Settings' })).toBeInTheDocument();
  await screen.findByRole('button', { name: 'Save defaults' });
  return app;
}

describe('the settings screen', () => {
  it('lists the engines with their health, and shows an unhealthy one with its detail', async () => {
    settingsDb.get().engines.ollama = { type: 'openai', base_url: 'http://127.0.0.1:11434/v1', model: 'llama3', languages: ['en', 'ja'] };
    await openSettings();

    const cards = await screen.findAllByTestId('engine-card');
    expect(cards).toHaveLength(3);
    const local = cards.find((c) => c.textContent.includes('local'));
    const ollama = cards.find((c) => c.textContent.includes('ollama'));
    expect(local).toHaveTextContent('Default');
    expect(local).toHaveTextContent('Working');
    expect(ollama).toHaveTextContent('Not working');
    expect(ollama).toHaveTextContent('The model server at http://127.0.0.1:11434/v1 refused the connection. Is it running?');
    expect(ollama).toHaveTextContent('OpenAI-compatible server · model: llama3');
    expect(ollama).not.toHaveTextContent('Default');
  });

  it('saves the defaults with PATCH /api/settings', async () => {
    const { user } = await openSettings();
    const requests = recordRequests();

    await user.click(screen.getByText('Long'));
    await user.click(screen.getByRole('textbox', { name: 'Default tone' }));
    await user.click(await screen.findByRole('option', { name: 'Funny' }));
    await user.click(screen.getByRole('button', { name: 'Save defaults' }));

    expect(await screen.findByText('Defaults saved.')).toBeInTheDocument();
    expect(settingsDb.get()).toMatchObject({ default_length: 'long', default_tone: 'funny', default_engine: 'local' });
    const patch = requests.find((r) => r.method === 'PATCH');
    expect(patch?.headers.has('Authorization')).toBe(false);
  });

  it('shows a member the engines read-only, without the admin tools, and lets them choose their own defaults', async () => {
    const member = authDb.addMember();
    const { user } = renderApp('/settings');
    expect(await screen.findByRole('heading', { level: 1, name: 'Settings' })).toBeInTheDocument();
    expect(await screen.findByText('Only an admin can change these')).toBeInTheDocument();
    expect(await screen.findAllByTestId('engine-card')).toHaveLength(2);
    expect(screen.queryByRole('button', { name: 'Save defaults' })).not.toBeInTheDocument();
    expect(screen.queryByRole('form', { name: 'Defaults for everyone' })).not.toBeInTheDocument();
    expect(screen.queryByRole('form', { name: 'Add an OpenAI-compatible engine' })).not.toBeInTheDocument();
    expect(screen.queryByRole('heading', { name: 'Model files' })).not.toBeInTheDocument();
    // The interface language is everyone's own.
    expect(screen.getByRole('region', { name: 'Interface language' })).toBeInTheDocument();

    const mine = await screen.findByRole('form', { name: 'Your defaults for new stories' });
    const length = within(mine).getByRole('textbox', { name: 'Length' });
    expect(length).toHaveValue("Storybot's default (Medium)");
    await user.click(length);
    await user.click(await screen.findByRole('option', { name: 'Long' }));
    await user.click(within(mine).getByRole('button', { name: 'Save my defaults' }));
    expect(await screen.findByText('Your defaults are saved.')).toBeInTheDocument();
    expect(authDb.defaultsOf(member.id)).toEqual({ default_length: 'long', default_tone: null, default_language: null, default_engine: null });
    // The global settings did not change.
    expect(settingsDb.get().default_length).toBe('medium');
  });

  it('sends the CSRF token from /api/me with a change, and no bearer token', async () => {
    const { user } = await openSettings();
    const requests = recordRequests();
    await user.click(screen.getByText('Short'));
    await user.click(screen.getByRole('button', { name: 'Save defaults' }));
    expect(await screen.findByText('Defaults saved.')).toBeInTheDocument();
    const patch = requests.find((r) => r.method === 'PATCH');
    expect(patch?.headers.get('X-CSRF-Token')).toBe(authDb.csrf());
    expect(patch?.headers.has('Authorization')).toBe(false);
  });

  it('adds an OpenAI-compatible engine and keeps the existing ones', async () => {
    const { user } = await openSettings();
    const form = screen.getByRole('form', { name: 'Add an OpenAI-compatible engine' });

    await user.click(within(form).getByRole('button', { name: 'Add engine' }));
    expect(await within(form).findByText('Enter an address starting with http:// or https://.')).toBeInTheDocument();

    await user.type(within(form).getByLabelText(/^Name/), 'ollama');
    await user.type(within(form).getByLabelText(/^Model/), 'llama3.1:8b');
    await user.type(within(form).getByLabelText(/^Base URL/), 'http://127.0.0.1:11434/v1');
    await user.click(within(form).getByRole('checkbox', { name: '日本語' }));
    await user.click(within(form).getByRole('button', { name: 'Add engine' }));

    expect(await screen.findByText('Engine “ollama” added.')).toBeInTheDocument();
    expect(Object.keys(settingsDb.get().engines)).toEqual(['local', 'fake', 'ollama']);
    expect(settingsDb.get().engines.ollama).toEqual({
      type: 'openai',
      base_url: 'http://127.0.0.1:11434/v1',
      model: 'llama3.1:8b',
      languages: ['en', 'ja'],
      api_key_env: 'OPENAI_API_KEY',
    });
    expect(await screen.findAllByTestId('engine-card')).toHaveLength(3);
  });

  it('switches the interface language', async () => {
    const { user } = await openSettings();
    const section = screen.getByRole('region', { name: 'Interface language' });
    await user.click(within(section).getByText('日本語'));
    expect(await screen.findByRole('heading', { level: 1, name: '設定' })).toBeInTheDocument();
  });
});
