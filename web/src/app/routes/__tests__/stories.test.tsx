import { screen, waitFor, within } from '@testing-library/react';

import { readersDb } from '@/testing/mocks/handlers/readers';
import { storiesDb } from '@/testing/mocks/handlers/stories';
import { recordRequests, renderApp } from '@/testing/test-utils';

describe('the story library', () => {
  it('teaches when empty: an example idea, "New story" and a link to readers', async () => {
    renderApp('/');
    const empty = await screen.findByTestId('library-empty');
    expect(empty).toHaveTextContent('No stories yet');
    expect(within(empty).getByRole('link', { name: 'Create your first reader' })).toHaveAttribute('href', '/readers');
    expect(screen.getAllByRole('link', { name: 'New story' })[0]).toHaveAttribute('href', '/stories/new');
  });

  it('lists stories newest first with reader, status and favourite; searches; filters', async () => {
    readersDb.add({ name: 'Mia' });
    storiesDb.add({ title: 'The Owl', body: 'An owl.', text: 'An owl.', status: 'done', reader_name: 'Mia', profile_id: 1, favourite: true });
    storiesDb.add({ title: 'The Fox', body: 'A fox.', text: 'A fox.', status: 'failed' });
    const { user } = renderApp('/');
    const cards = await screen.findAllByTestId('story-card');
    expect(cards).toHaveLength(2);
    expect(cards[0]).toHaveTextContent('The Fox');
    expect(cards[0]).toHaveTextContent('Failed');
    expect(cards[1]).toHaveTextContent('For Mia');
    expect(within(cards.at(1) ?? document.body).getByLabelText('Favourite')).toBeInTheDocument();

    const requests = recordRequests();
    await user.type(screen.getByLabelText('Search stories'), 'owl');
    await waitFor(() => expect(screen.getAllByTestId('story-card')).toHaveLength(1));
    expect(requests.some((r) => r.url.searchParams.get('q') === 'owl')).toBe(true);
    await user.clear(screen.getByLabelText('Search stories'));
    await waitFor(() => expect(screen.getAllByTestId('story-card')).toHaveLength(2));

    await user.click(screen.getByText('Favourites'));
    await waitFor(() => expect(screen.getAllByTestId('story-card')).toHaveLength(1));
    expect(requests.some((r) => r.url.searchParams.get('favourite') === 'true')).toBe(true);
  });

  it('loads more with next_cursor', async () => {
    for (let i = 1; i <= 25; i += 1) storiesDb.add({ title: `Story ${i}`, status: 'done' });
    const { user } = renderApp('/');
    expect(await screen.findAllByTestId('story-card')).toHaveLength(20);
    await user.click(screen.getByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(screen.getAllByTestId('story-card')).toHaveLength(25));
    expect(screen.queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument();
  });

  it('deletes a story after confirming', async () => {
    storiesDb.add({ title: 'Mayfly', status: 'done' });
    const { user } = renderApp('/');
    await user.click(await screen.findByRole('button', { name: 'Delete “Mayfly”' }));
    const dialog = await screen.findByRole('dialog', { name: 'Delete this story?' });
    await user.click(within(dialog).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(screen.queryByTestId('story-card')).not.toBeInTheDocument());
    expect(storiesDb.all()).toHaveLength(0);
  });
});
