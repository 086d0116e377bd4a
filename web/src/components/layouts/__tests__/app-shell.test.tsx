import { screen, within } from '@testing-library/react';

import { i18n, LANGUAGE_STORAGE_KEY } from '@/lib/i18n';
import { db } from '@/testing/mocks/db';
import { renderApp } from '@/testing/test-utils';

/** The sidebar (the phone's bottom bar, hidden by CSS on wide screens, comes second). */
function sidebar(name: string): HTMLElement {
  const [nav] = screen.getAllByRole('navigation', { name });
  if (!nav) throw new Error(`no navigation named ${name}`);
  return nav;
}

describe('the app shell', () => {
  it('switches to Japanese: every visible string changes, and the choice is kept', async () => {
    db.add({ content: 'A fox who learns to share' });
    const { user } = renderApp('/prompts');
    expect(await screen.findByRole('heading', { level: 1, name: 'Prompts' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Add prompt' })).toBeInTheDocument();

    await user.click(screen.getByText('日本語'));

    expect(await screen.findByRole('heading', { level: 1, name: 'プロンプト' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: '追加する' })).toBeInTheDocument();
    expect(screen.getByLabelText('新しいプロンプト')).toBeInTheDocument();
    expect(screen.getByLabelText('プロンプトを検索')).toBeInTheDocument();
    expect(screen.getByText('プロンプト 1 件')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: '「A fox who learns to share」を削除' })).toBeInTheDocument();
    const nav = sidebar('メイン');
    expect(within(nav).getByText('おはなし')).toBeInTheDocument();
    expect(screen.queryByText('Add prompt')).not.toBeInTheDocument();
    expect(document.documentElement.lang).toBe('ja');
    expect(localStorage.getItem(LANGUAGE_STORAGE_KEY)).toBe('ja');

    // An empty prompt warns in Japanese too.
    await user.click(screen.getByRole('button', { name: '追加する' }));
    expect(await screen.findByText('プロンプトを入力してから追加してください。')).toBeInTheDocument();
  });

  it('navigates between the places', async () => {
    const { user, router } = renderApp('/prompts');
    await screen.findByRole('heading', { level: 1, name: 'Prompts' });
    const nav = sidebar('Main');
    expect(within(nav).getByRole('link', { name: 'Prompts' })).toHaveAttribute('aria-current', 'page');

    for (const [name, path] of [
      ['Readers', '/readers'],
      ['Settings', '/settings'],
      ['New story', '/stories/new'],
      ['Stories', '/'],
    ] as const) {
      await user.click(within(nav).getByRole('link', { name }));
      expect(await screen.findByRole('heading', { level: 1, name })).toBeInTheDocument();
      expect(router.state.location.pathname).toBe(path);
      // Every place is built now: none shows the "coming soon" note.
      expect(screen.queryByText('This part of Storybot is still being built.')).not.toBeInTheDocument();
    }
  });

  it('answers an unknown address with a page, not a blank screen', async () => {
    renderApp('/no/such/page');
    expect(await screen.findByRole('heading', { level: 1, name: 'Page not found' })).toBeInTheDocument();
  });

  it('toggles night mode', async () => {
    const { user } = renderApp('/');
    await user.click(await screen.findByRole('button', { name: 'Switch to night mode' }));
    expect(document.documentElement).toHaveAttribute('data-mantine-color-scheme', 'dark');
    await user.click(screen.getByRole('button', { name: 'Switch to day mode' }));
    expect(document.documentElement).toHaveAttribute('data-mantine-color-scheme', 'light');
  });

  it('starts in the browser language when nothing was chosen', () => {
    localStorage.clear();
    const detected = i18n.services.languageDetector as { detect: () => string | string[] | undefined };
    const languages = vi.spyOn(window.navigator, 'languages', 'get').mockReturnValue(['ja-JP', 'en']);
    const found = detected.detect();
    expect(Array.isArray(found) ? found[0] : found).toMatch(/^ja/);
    languages.mockRestore();
  });
});
