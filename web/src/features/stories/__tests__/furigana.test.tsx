import { act, screen, waitFor, within } from '@testing-library/react';

import { ScriptedEventSource } from '@/testing/event-source';
import { readersDb } from '@/testing/mocks/handlers/readers';
import { storiesDb } from '@/testing/mocks/handlers/stories';
import { speech } from '@/testing/speech';
import { recordRequests, renderApp } from '@/testing/test-utils';
import type { StoryFurigana } from '@/types/stories';

import { completeSentences, segmentsText } from '../utils/furigana-text';

const DENSHA: StoryFurigana = {
  furigana: 'all',
  kanji_grade: null,
  segments: [
    { text: '電車', reading: 'でんしゃ' },
    { text: 'に', reading: null },
    { text: '乗', reading: 'の' },
    { text: 'りました。', reading: null },
  ],
  source_length: '電車に乗りました。'.length,
  complete: true,
};

function rubies(): { base: string; reading: string }[] {
  return [...screen.getByTestId('story-text').querySelectorAll('ruby')].map((ruby) => ({
    base: [...ruby.childNodes].filter((n) => n.nodeName !== 'RT').map((n) => n.textContent).join(''),
    reading: ruby.querySelector('rt')?.textContent ?? '',
  }));
}

describe('furigana on the story page', () => {
  it('sets readings as ruby, and reads the story aloud once, without the readings', async () => {
    storiesDb.add({ id: 21, status: 'done', language: 'ja', title: 'でんしゃ', text: '# でんしゃ\n電車に乗りました。' });
    storiesDb.scriptFurigana(21, [DENSHA]);
    const { user } = renderApp('/stories/21');
    await waitFor(() => expect(rubies()).toEqual([
      { base: '電車', reading: 'でんしゃ' },
      { base: '乗', reading: 'の' },
    ]));
    expect(screen.getByTestId('story-text')).toHaveAttribute('data-ruby', 'true');

    await user.click(await screen.findByRole('button', { name: 'Read aloud' }));
    expect(speech.current().text).toBe('電車に乗りました。'); // not 電車でんしゃに乗のりました。
    act(() => speech.boundary(0, 2));
    const spoken = screen.getByTestId('spoken-word');
    expect(spoken.querySelector('ruby')).not.toBeNull(); // the whole word with its reading
    expect(spoken.querySelector('rt')).toHaveTextContent('でんしゃ');
    act(() => speech.boundary(3, 1));
    expect(screen.getByTestId('spoken-word').querySelector('rt')).toHaveTextContent('の');
  });

  it('while the story is written, readings come per complete sentence; the rest stays plain', async () => {
    storiesDb.add({ id: 22, status: 'running', language: 'ja', queue_position: null });
    const waiting: StoryFurigana = { ...DENSHA, segments: [], source_length: 0, complete: false };
    storiesDb.scriptFurigana(22, [waiting, { ...DENSHA, complete: false }]);
    const requests = recordRequests();
    renderApp('/stories/22');
    await waitFor(() => expect(ScriptedEventSource.instances.length).toBeGreaterThan(0));
    const source = ScriptedEventSource.latest();
    // Room for readings is kept from the first word, so lines never move when they come.
    await waitFor(() => expect(screen.getByTestId('story-text')).toHaveAttribute('data-ruby', 'true'));

    act(() => source.emit('text', { text: '# でんしゃ\n\n電車に乗りま' }, 1));
    expect(screen.getByTestId('story-text')).toHaveTextContent(/^電車に乗りま$/);
    expect(rubies()).toEqual([]);

    act(() => source.emit('text', { text: 'した。窓から' }, 2));
    await waitFor(() => expect(rubies()).toHaveLength(2));
    // The sentence being written follows its annotated part as plain text.
    expect(screen.getByTestId('story-text').textContent).toBe('電車でんしゃに乗のりました。窓から');
    const furiganaRequests = requests.filter((r) => r.url.pathname === '/api/stories/22/furigana');
    expect(furiganaRequests).toHaveLength(2); // at the start, and when the sentence completed
  });

  it('hiragana mode shows and speaks the kana', async () => {
    storiesDb.add({ id: 23, status: 'done', language: 'ja', title: 'でんしゃ', text: '# でんしゃ\n電車に乗りました。' });
    storiesDb.scriptFurigana(23, [
      { ...DENSHA, furigana: 'hiragana', segments: [{ text: 'でんしゃにのりました。', reading: null }] },
    ]);
    const { user } = renderApp('/stories/23');
    await waitFor(() => expect(screen.getByTestId('story-text')).toHaveTextContent(/^でんしゃにのりました。$/));
    expect(screen.getByTestId('story-text')).not.toHaveAttribute('data-ruby');
    await user.click(await screen.findByRole('button', { name: 'Read aloud' }));
    expect(speech.current().text).toBe('でんしゃにのりました。');
  });

  it('joins the texts of the segments once, never their readings', () => {
    expect(segmentsText(DENSHA.segments)).toBe('電車に乗りました。');
  });

  it('counts complete sentences as the server cuts them', () => {
    expect(completeSentences('')).toBe(0);
    expect(completeSentences('電車に乗りま')).toBe(0);
    expect(completeSentences('「きれい！」とミアは言いました。窓')).toBe(2);
    expect(completeSentences('一行目\n二行目')).toBe(1);
  });
});

describe('the reading level badge', () => {
  it('shows the measured level beside the reader’s target', async () => {
    storiesDb.add({ id: 24, status: 'done', title: 'Fox', text: '# Fox\nThe fox ran home.', reading_grade: 2.4, target_grade: 1 });
    renderApp('/stories/24');
    const badge = await screen.findByTestId('reading-level');
    expect(badge).toHaveTextContent('about grade 2');
    expect(badge).toHaveTextContent('target: grade 1');
  });

  it('is measured when a story ends on the page', async () => {
    storiesDb.add({ id: 25, status: 'running', queue_position: null });
    renderApp('/stories/25');
    await waitFor(() => expect(ScriptedEventSource.instances.length).toBeGreaterThan(0));
    expect(screen.queryByTestId('reading-level')).not.toBeInTheDocument();
    const story = storiesDb.get(25);
    if (story) Object.assign(story, { status: 'done', reading_grade: 3, target_grade: 3 });
    act(() => ScriptedEventSource.latest().emit('done', { title: 'Fox', failure_reason: null, last_seq: 0 }));
    expect(await screen.findByTestId('reading-level')).toHaveTextContent('about grade 3');
  });

  it('is in the library card', async () => {
    storiesDb.add({ id: 26, status: 'done', title: 'Fox', text: '# Fox\nThe fox ran home.', reading_grade: 1, target_grade: 2 });
    renderApp('/');
    const level = await screen.findByTestId('reading-level');
    expect(level).toHaveTextContent('about grade 1');
  });
});

describe('the furigana fields of a reader', () => {
  it('appear for Japanese readers and are sent', async () => {
    readersDb.add({ name: 'はな', age: 7, language: 'ja' });
    const { user } = renderApp('/readers/1');
    const form = await screen.findByRole('form', { name: 'Edit はな' });
    await user.click(within(form).getByRole('textbox', { name: 'How kanji are shown' }));
    await user.click(await screen.findByRole('option', { name: 'Furigana over kanji beyond a school grade' }));
    await user.click(within(form).getByRole('textbox', { name: 'Kanji known up to' }));
    await user.click(await screen.findByRole('option', { name: 'Grade 2' }));
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(readersDb.get(1)?.furigana).toBe('above_grade'));
    expect(readersDb.get(1)?.kanji_grade).toBe(2);
  });

  it('are not shown for English readers', async () => {
    readersDb.add({ name: 'Mia', age: 6, language: 'en' });
    renderApp('/readers/1');
    const form = await screen.findByRole('form', { name: 'Edit Mia' });
    expect(within(form).queryByRole('textbox', { name: 'How kanji are shown' })).not.toBeInTheDocument();
  });
});
