import { act, screen, waitFor } from '@testing-library/react';

import { RECONNECT_MS } from '@/features/stories/hooks/use-story-stream';
import { i18n } from '@/lib/i18n';
import { ScriptedEventSource } from '@/testing/event-source';
import { authDb } from '@/testing/mocks/handlers/auth';
import { storiesDb } from '@/testing/mocks/handlers/stories';
import { speech } from '@/testing/speech';
import { recordRequests, renderApp } from '@/testing/test-utils';

async function openStream(): Promise<ScriptedEventSource> {
  await waitFor(() => expect(ScriptedEventSource.instances.length).toBeGreaterThan(0));
  return ScriptedEventSource.latest();
}

function status() {
  return screen.getByTestId('story-status');
}

describe('the story page', () => {
  it('shows the text as it is written, with the status line, and closes the stream at the end', async () => {
    storiesDb.add({ id: 7, status: 'queued', queue_position: 2 });
    renderApp('/stories/7');
    const source = await openStream();
    expect(source.url).toContain('/api/stories/7/events');
    expect(source.after).toBe('0');
    expect(await screen.findByText('Waiting (2 ahead of you)')).toBeInTheDocument();

    act(() => source.emit('status', { status: 'running', queue_position: null }));
    expect(status()).toHaveTextContent('Writing…');
    expect(screen.getByRole('button', { name: 'Stop' })).toBeInTheDocument();

    act(() => {
      source.emit('text', { text: '# The Brave Owl\n\n' }, 1);
      source.emit('text', { text: 'Once upon a time ' }, 2);
      source.emit('text', { text: 'an owl flew.' }, 3);
    });
    expect(screen.getByRole('heading', { level: 1, name: 'The Brave Owl' })).toBeInTheDocument();
    expect(screen.getByTestId('story-text')).toHaveTextContent(/^Once upon a time an owl flew\.$/);
    expect(screen.getByTestId('story-text')).toHaveAttribute('lang', 'en');

    act(() => source.emit('done', { title: 'The Brave Owl', failure_reason: null, last_seq: 3 }));
    expect(status()).toHaveTextContent('Done');
    expect(source.closed).toBe(true);
    expect(screen.queryByRole('button', { name: 'Stop' })).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Continue' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'EPUB' })).toHaveAttribute('href', expect.stringContaining('/api/stories/7/export?format=epub'));
    expect(screen.getByRole('link', { name: 'Markdown' })).toHaveAttribute('href', expect.stringContaining('format=markdown'));
    expect(screen.getByRole('link', { name: 'Print' })).toHaveAttribute('href', expect.stringContaining('format=html'));
  });

  it('says about how long a queued story waits, as the status events tell it', async () => {
    storiesDb.add({ id: 13, status: 'queued', queue_position: 2, wait_seconds: 70 });
    renderApp('/stories/13');
    const source = await openStream();
    expect(await screen.findByText('Waiting (2 ahead of you, about 1 minute)')).toBeInTheDocument();

    act(() => source.emit('status', { status: 'queued', queue_position: 1, wait_seconds: 20 }));
    expect(status()).toHaveTextContent('Waiting (1 ahead of you, less than a minute)');
    act(() => source.emit('status', { status: 'queued', queue_position: 3, wait_seconds: 2 * 3600 }));
    expect(status()).toHaveTextContent('Waiting (3 ahead of you, about 2 hours)');
    // Nothing measured yet: only the place.
    act(() => source.emit('status', { status: 'queued', queue_position: 1, wait_seconds: null }));
    expect(status()).toHaveTextContent(/^Waiting \(1 ahead of you\)$/);

    await act(() => i18n.changeLanguage('ja'));
    act(() => source.emit('status', { status: 'queued', queue_position: 2, wait_seconds: 190 }));
    expect(status()).toHaveTextContent('順番を待っています（前に2件、約3分）');
    act(() => source.emit('status', { status: 'running', queue_position: null, wait_seconds: null }));
    expect(status()).toHaveTextContent('書いています…');
  });

  it('says the story goes on when the server writing it stopped, and then that it is done', async () => {
    storiesDb.add({ id: 14, status: 'running', queue_position: null, text: 'Title: Owl\nAn owl ', last_seq: 2 });
    renderApp('/stories/14');
    const source = await openStream();
    expect(await screen.findByText('Writing…')).toBeInTheDocument();
    act(() => source.emit('status', { status: 'queued', queue_position: 0, wait_seconds: null, resumes: 1 }));
    act(() => source.emit('status', { status: 'running', queue_position: null, wait_seconds: null, resumes: 1 }));
    expect(status()).toHaveTextContent(
      'The server stopped while writing; the story goes on from where it was. Writing…',
    );
    act(() => source.emit('text', { text: 'flew home.' }, 3));
    expect(screen.getByTestId('story-text')).toHaveTextContent(/An owl flew home\.$/);
    await act(() => i18n.changeLanguage('ja'));
    expect(status()).toHaveTextContent('続きから書いています');
  });

  it('resumes after the saved text (?after=last_seq) and never shows a piece twice', async () => {
    storiesDb.add({ id: 3, status: 'running', queue_position: null, text: 'Title: Moon\nThe moon ', last_seq: 4 });
    renderApp('/stories/3');
    const source = await openStream();
    expect(source.after).toBe('4');
    expect(await screen.findByTestId('story-text')).toHaveTextContent('The moon');

    act(() => {
      source.emit('text', { text: 'The moon ' }, 4); // a replay of a piece the page has: ignored
      source.emit('text', { text: 'smiled.' }, 5);
    });
    expect(screen.getByTestId('story-text')).toHaveTextContent(/^The moon smiled\.$/);
    expect(screen.getByRole('heading', { level: 1, name: 'Moon' })).toBeInTheDocument();
  });

  it('reconnects from the last piece shown when the server refuses the stream', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      storiesDb.add({ id: 8, status: 'running', queue_position: null, text: 'Title: Owl\nOnce ', last_seq: 2 });
      renderApp('/stories/8');
      const first = await openStream();
      act(() => first.emit('text', { text: 'upon ' }, 3));
      act(() => first.refuse()); // 503: too many streams open on the server
      expect(status()).toHaveTextContent('Many readers are following stories right now');
      expect(ScriptedEventSource.instances).toHaveLength(1);

      act(() => {
        vi.advanceTimersByTime(RECONNECT_MS);
      });
      const second = ScriptedEventSource.latest();
      expect(second).not.toBe(first);
      expect(second.after).toBe('3');
      act(() => second.emit('text', { text: 'a time.' }, 4));
      expect(status()).toHaveTextContent('Writing…');
      expect(screen.getByTestId('story-text')).toHaveTextContent(/^Once upon a time\.$/);
    } finally {
      vi.useRealTimers();
    }
  });

  it('goes to sign-in when the stream is refused because the session ended, and back to the story', async () => {
    storiesDb.add({ id: 9, status: 'running', queue_position: null });
    const { router } = renderApp('/stories/9');
    const source = await openStream();
    authDb.signOut();
    act(() => source.refuse()); // a 401 this time
    expect(await screen.findByRole('heading', { level: 1, name: 'Sign in' })).toBeInTheDocument();
    expect(router.state.location.search).toBe(`?next=${encodeURIComponent('/stories/9')}`);
  });

  it('opens no stream for a finished story', async () => {
    storiesDb.add({ id: 4, status: 'done', title: 'Done already', text: 'Done already\nThe end.', last_seq: 2 });
    renderApp('/stories/4');
    expect(await screen.findByRole('heading', { level: 1, name: 'Done already' })).toBeInTheDocument();
    expect(status()).toHaveTextContent('Done');
    expect(ScriptedEventSource.instances).toHaveLength(0);
  });

  it('stops a story: POST cancel, then "cancelled" in plain words', async () => {
    storiesDb.add({ id: 5, status: 'running', queue_position: null });
    const { user } = renderApp('/stories/5');
    const source = await openStream();
    const requests = recordRequests();
    await user.click(await screen.findByRole('button', { name: 'Stop' }));
    await waitFor(() => expect(requests.some((r) => r.method === 'POST' && r.url.pathname === '/api/stories/5/cancel')).toBe(true));
    act(() => source.emit('cancelled', { title: 'A story', failure_reason: null, last_seq: 0 }));
    expect(status()).toHaveTextContent('Stopped. The story so far is kept.');
    expect(source.closed).toBe(true);
  });

  it('says why a story failed', async () => {
    storiesDb.add({ id: 6, status: 'running', queue_position: null });
    renderApp('/stories/6');
    const source = await openStream();
    act(() => source.emit('failed', { title: 'x', failure_reason: 'The model could not be reached.', last_seq: 0 }));
    expect(await screen.findByText('The story stopped before its end: The model could not be reached.')).toBeInTheDocument();
  });

  it('keeps the title\'s place while writing, then shows the title written for the story', async () => {
    storiesDb.add({ id: 11, status: 'running', queue_position: null, title: '' });
    renderApp('/stories/11');
    const source = await openStream();
    act(() => source.emit('text', { text: 'Once upon a time, an owl flew.' }, 1));
    expect(screen.getByRole('img', { name: 'A title comes when the story is written' })).toBeInTheDocument();
    expect(screen.queryByRole('heading', { level: 1 })).not.toBeInTheDocument(); // no stand-in title

    act(() => source.emit('done', { title: 'The Owl Who Flew at Night', failure_reason: null, last_seq: 1 }));
    expect(screen.getByRole('heading', { level: 1, name: 'The Owl Who Flew at Night' })).toBeInTheDocument();
    expect(screen.queryByTestId('title-to-come')).not.toBeInTheDocument();
  });

  it('says plainly when a story stopped at its length limit, with "Continue" first', async () => {
    storiesDb.add({ id: 12, status: 'running', queue_position: null, title: '' });
    renderApp('/stories/12');
    const source = await openStream();
    act(() => source.emit('text', { text: 'Once upon a time, an owl flew and' }, 1));
    act(() => source.emit('incomplete', { title: 'The Owl', failure_reason: null, last_seq: 1 }));

    expect(status()).toHaveTextContent('The story reached its length limit before its ending.');
    expect(status()).toHaveAttribute('data-status', 'incomplete');
    expect(source.closed).toBe(true);
    expect(screen.getByRole('button', { name: 'Continue' })).toHaveAttribute('data-variant', 'filled');
    expect(screen.getByRole('button', { name: 'Try again' })).toHaveAttribute('data-variant', 'light');
  });

  it('"Continue" keeps streaming on the same page; "Try again" goes to the new story', async () => {
    storiesDb.add({ id: 8, status: 'cancelled', title: 'Half', text: '# Half\nSo far.', last_seq: 2 });
    const { user, router } = renderApp('/stories/8');
    await user.click(await screen.findByRole('button', { name: 'Continue' }));
    const source = await openStream();
    expect(source.after).toBe('2');
    act(() => source.emit('text', { text: ' And more.' }, 3));
    expect(screen.getByTestId('story-text')).toHaveTextContent(/^So far\. And more\.$/);
    act(() => source.emit('done', { title: 'Half', last_seq: 3 }));

    await user.click(screen.getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/stories/9'));
  });

  it('marks a favourite', async () => {
    storiesDb.add({ id: 2, status: 'done', title: 'Fav', text: 'Fav\nText.' });
    const { user } = renderApp('/stories/2');
    const star = await screen.findByRole('button', { name: 'Favourite' });
    expect(star).toHaveAttribute('aria-pressed', 'false');
    await user.click(star);
    await waitFor(() => expect(storiesDb.get(2)?.favourite).toBe(true));
    expect(star).toHaveAttribute('aria-pressed', 'true');
  });
});

describe('reading aloud', () => {
  it('speaks the story in its language and marks the word being spoken', async () => {
    storiesDb.add({ id: 11, status: 'done', language: 'ja', title: 'ほし', text: '# ほし\nきつねは ほしを みた。' });
    const { user } = renderApp('/stories/11');
    await user.click(await screen.findByRole('button', { name: 'Read aloud' }));
    const spoken = speech.current();
    expect(spoken.text).toBe('きつねは ほしを みた。');
    expect(spoken.lang).toBe('ja');
    expect(spoken.voice?.lang).toBe('ja-JP');

    act(() => speech.boundary(0, 4));
    expect(screen.getByTestId('spoken-word')).toHaveTextContent(/^きつねは$/);
    act(() => speech.boundary(5));
    expect(screen.getByTestId('spoken-word')).toHaveTextContent(/^ほしを$/);

    await user.click(screen.getByRole('button', { name: 'Pause' }));
    expect(speech.paused).toBe(true);
    await user.click(screen.getByRole('button', { name: 'Go on' }));
    expect(speech.paused).toBe(false);

    act(() => speech.end());
    expect(screen.queryByTestId('spoken-word')).not.toBeInTheDocument();
  });

  it('a new speed goes on from the word being read', async () => {
    storiesDb.add({ id: 12, status: 'done', title: 'Fox', text: '# Fox\nThe fox ran home.' });
    const { user } = renderApp('/stories/12');
    await user.click(await screen.findByRole('button', { name: 'Read aloud' }));
    expect(speech.current().lang).toBe('en');
    act(() => speech.boundary(8, 3));
    expect(screen.getByTestId('spoken-word')).toHaveTextContent(/^ran$/);
    await user.click(screen.getByText('Slow'));
    const again = speech.current();
    expect(again.rate).toBe(0.8);
    expect(again.text).toBe('ran home.');
    act(() => speech.boundary(4, 4));
    expect(screen.getByTestId('spoken-word')).toHaveTextContent(/^home$/);
  });
});
